/**
 * Change tracking (reference §8): the first sync reads every row with `Prefer: odata.track-changes` and ends with a
 * `@odata.deltaLink`; GETting that link later returns what changed since (rows for new and updated, `$deletedEntity`
 * entries for deleted) and a fresh deltaLink.
 *
 * The new deltaLink is only handed out once every change before it has been consumed: a caller that persisted it
 * early and then failed half-way would skip the rest of the changes forever.
 */
import { callOptions, parseJson, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { preferHeaders, type AnnotationsOption } from './prefer';
import { queryString } from './query';
import { guidOfEntityUrl, setPath } from './row-path';
import type { Row } from './crud';

export type Change = { kind: 'upsert'; row: Row } | { kind: 'delete'; id: string };

export interface TrackChangesOptions extends CallOptions {
  /** Columns to sync (with deltaLink, the columns baked into the link are used instead). */
  select?: string[];
  /** The deltaLink saved from the previous sync; omitted or undefined starts a full sync. */
  deltaLink?: string | undefined;
  /**
   * Only the `$deltatoken` value of a saved deltaLink (what a low-code user copies around): the changes since it are
   * asked for on `set` with the current `select`. Ignored when deltaLink is given.
   */
  deltaToken?: string | undefined;
  pageSize?: number;
  annotations?: AnnotationsOption;
}

function headers(options: TrackChangesOptions): Record<string, string> {
  return preferHeaders({ trackChanges: true, maxPageSize: options.pageSize, annotations: options.annotations });
}

export function initialSyncRequest(set: string, options: TrackChangesOptions = {}): RequestSpec {
  return {
    method: 'GET',
    path: setPath(set) + queryString({ select: options.select }),
    headers: headers(options),
    idempotent: true,
    operation: `trackChanges ${set} (initial sync)`,
    ...callOptions(options),
  };
}

export function deltaTokenRequest(set: string, token: string, options: TrackChangesOptions = {}): RequestSpec {
  if (!token.trim()) throw invalidArgument(`trackChanges ${set}: the delta token is empty.`);
  const query = queryString({ select: options.select });
  return {
    method: 'GET',
    path: `${setPath(set)}${query}${query ? '&' : '?'}$deltatoken=${encodeURIComponent(token)}`,
    headers: headers(options),
    idempotent: true,
    operation: `trackChanges ${set} (changes since the saved delta token)`,
    ...callOptions(options),
  };
}

export function linkRequest(ctx: DataverseContext, set: string, link: string, what: string, options: TrackChangesOptions = {}): RequestSpec {
  return {
    method: 'GET',
    path: ctx.linkUrl(link, what),
    headers: headers(options),
    idempotent: true,
    operation: `trackChanges ${set} (${what === '@odata.deltaLink' ? 'changes since the saved deltaLink' : 'next page'})`,
    ...callOptions(options),
  };
}

/** OData 4.0 `$deletedEntity` (what Dataverse sends) and the 4.01 `@removed` form, for robustness. */
export function toChange(entry: Row): Change {
  const context = typeof entry['@odata.context'] === 'string' ? entry['@odata.context'] : '';
  const removed = context.endsWith('/$deletedEntity') || '@removed' in entry || '@odata.removed' in entry;
  if (!removed) return { kind: 'upsert', row: entry };
  const id = typeof entry.id === 'string' ? entry.id : guidOfEntityUrl(typeof entry['@odata.id'] === 'string' ? entry['@odata.id'] : undefined);
  if (!id) throw invalidResponse(`trackChanges: a deleted-row entry names no id: ${JSON.stringify(entry).slice(0, 200)}`);
  return { kind: 'delete', id: id.toLowerCase() };
}

/** One sync: iterate `changes()` to the end, then persist `deltaLink()` for the next sync. */
export class ChangeFeed implements AsyncIterable<Change> {
  private finalLink: string | undefined;
  private started = false;

  constructor(
    private readonly ctx: DataverseContext,
    private readonly set: string,
    private readonly options: TrackChangesOptions = {},
  ) {}

  /** True after the first sync, i.e. when a deltaLink or token was given and only changes are returned. */
  get isDelta(): boolean {
    return this.options.deltaLink !== undefined || this.options.deltaToken !== undefined;
  }

  async *changes(): AsyncGenerator<Change, void, undefined> {
    if (this.started) throw invalidArgument(`trackChanges ${this.set}: the changes of one sync can be read once; start a new sync with the saved deltaLink.`);
    this.started = true;
    const { ctx, set, options } = this;
    let spec: RequestSpec | undefined =
      options.deltaLink !== undefined ? linkRequest(ctx, set, options.deltaLink, '@odata.deltaLink', options)
      : options.deltaToken !== undefined ? deltaTokenRequest(set, options.deltaToken, options)
      : initialSyncRequest(set, options);
    while (spec) {
      const body: Record<string, unknown> | undefined = parseJson(await ctx.execute(spec));
      if (!body || !Array.isArray(body.value)) throw invalidResponse(`${spec.operation}: the answer has no 'value' array.`);
      const nextLink: unknown = body['@odata.nextLink'];
      const deltaLink = body['@odata.deltaLink'];
      if (typeof nextLink !== 'string' && typeof deltaLink !== 'string') {
        throw invalidResponse(`${spec.operation}: the answer has neither @odata.nextLink nor @odata.deltaLink; is change tracking enabled for '${set}'?`);
      }
      // Checked before the page's changes are handed out, so a bad link fails before anything is applied downstream.
      const next: RequestSpec | undefined = typeof nextLink === 'string' ? linkRequest(ctx, set, nextLink, '@odata.nextLink', options) : undefined;
      if (!next) ctx.linkUrl(deltaLink as string, '@odata.deltaLink');
      for (const entry of body.value as Row[]) yield toChange(entry);
      if (!next) this.finalLink = deltaLink as string;
      spec = next;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Change> {
    return this.changes();
  }

  /** The link for the next sync; throws until every change has been read, so it cannot be saved too early. */
  deltaLink(): string {
    if (this.finalLink === undefined) {
      throw invalidArgument(`trackChanges ${this.set}: the deltaLink is available only after all changes have been read; read changes() to the end first.`);
    }
    return this.finalLink;
  }
}

export function trackChanges(ctx: DataverseContext, set: string, options: TrackChangesOptions = {}): ChangeFeed {
  setPath(set);
  return new ChangeFeed(ctx, set, options);
}
