/**
 * Reading many rows: Dataverse pages with `Prefer: odata.maxpagesize` and an opaque `@odata.nextLink` (no $skip).
 * The iterators fetch the next page only when the caller has consumed the current one, so a 20,000-row table is
 * never all in memory; the nextLink is followed exactly as given, but only on the environment's own origin.
 */
import type { Filter } from '../odata/filter-text';
import { callOptions, parseJson, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { MAX_PAGE_SIZE, preferHeaders, type AnnotationsOption } from './prefer';
import { queryString, type ODataQuery } from './query';
import { setPath } from './row-path';
import type { Row } from './crud';

export interface PageOptions extends CallOptions {
  /** Rows per page (`odata.maxpagesize`), 1–5,000; default the service's 5,000. */
  pageSize?: number;
  /** Stop after this many rows in total (no further page is requested once reached). */
  maxRows?: number;
  annotations?: AnnotationsOption;
}

export interface Page {
  rows: Row[];
  /** Absent on the last page. */
  nextLink?: string;
  /** `@odata.count` when the query asked for `count` (capped at 5,000 by Dataverse). */
  count?: number;
  /** The page's own annotations (`@Microsoft.Dynamics.CRM.totalrecordcount`…), without `value`. */
  annotations: Record<string, unknown>;
}

interface CollectionBody {
  value?: unknown;
  '@odata.nextLink'?: unknown;
  '@odata.count'?: unknown;
  [annotation: string]: unknown;
}

function checkMaxRows(maxRows: number | undefined): void {
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 0)) throw invalidArgument(`maxRows must be a whole number of rows; got ${maxRows}.`);
}

/** A cap below the page size is also the page size: no point fetching rows that would be dropped. */
function effectivePageSize(options: PageOptions): number | undefined {
  const cap = options.maxRows !== undefined && options.maxRows > 0 ? Math.min(options.maxRows, MAX_PAGE_SIZE) : undefined;
  if (options.pageSize === undefined) return cap;
  return cap === undefined ? options.pageSize : Math.min(options.pageSize, cap);
}

function pageHeaders(options: PageOptions): Record<string, string> {
  // Every page must repeat the preferences: they are not part of the nextLink.
  return { 'if-none-match': 'null', ...preferHeaders({ maxPageSize: effectivePageSize(options), annotations: options.annotations }) };
}

export function firstPageRequest(set: string, query: ODataQuery = {}, options: PageOptions = {}): RequestSpec {
  return {
    method: 'GET',
    path: setPath(set) + queryString(query),
    headers: pageHeaders(options),
    idempotent: true,
    operation: `retrieveMultiple ${set}`,
    ...callOptions(options),
  };
}

/** The request for a page named by a nextLink; refuses a link to another origin before building anything. */
export function nextPageRequest(ctx: DataverseContext, nextLink: string, options: PageOptions = {}, operation = 'retrieveMultiple (next page)'): RequestSpec {
  return {
    method: 'GET',
    path: ctx.linkUrl(nextLink, '@odata.nextLink'),
    headers: pageHeaders(options),
    idempotent: true,
    operation,
    ...callOptions(options),
  };
}

export function readPage(body: CollectionBody | undefined, operation: string): Page {
  if (!body || !Array.isArray(body.value)) throw invalidResponse(`${operation}: the service's answer has no 'value' array; is this an entity set?`);
  const annotations: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) if (name !== 'value') annotations[name] = value;
  const page: Page = { rows: body.value as Row[], annotations };
  if (typeof body['@odata.nextLink'] === 'string') page.nextLink = body['@odata.nextLink'];
  if (typeof body['@odata.count'] === 'number') page.count = body['@odata.count'];
  return page;
}

async function fetchPage(ctx: DataverseContext, spec: RequestSpec): Promise<Page> {
  const response = await ctx.execute(spec);
  return readPage(parseJson<CollectionBody>(response), spec.operation);
}

/** One page and the link to the next (for callers that page themselves, e.g. "return all = false"). */
export async function retrieveMultiple(ctx: DataverseContext, set: string, query: ODataQuery = {}, options: PageOptions = {}): Promise<Page> {
  return fetchPage(ctx, firstPageRequest(set, query, options));
}

export async function retrieveNextPage(ctx: DataverseContext, nextLink: string, options: PageOptions = {}): Promise<Page> {
  return fetchPage(ctx, nextPageRequest(ctx, nextLink, options));
}

/** Pages, lazily; the last one is cut to `maxRows`. */
export async function* iteratePages(ctx: DataverseContext, set: string, query: ODataQuery = {}, options: PageOptions = {}): AsyncGenerator<Page, void, undefined> {
  checkMaxRows(options.maxRows);
  let remaining = options.maxRows ?? Infinity;
  if (remaining === 0) return;
  let spec: RequestSpec | undefined = firstPageRequest(set, query, options);
  const seen = new Set<string>();
  while (spec) {
    const page = await fetchPage(ctx, spec);
    if (page.rows.length > remaining) page.rows = page.rows.slice(0, remaining);
    remaining -= page.rows.length;
    const next = remaining > 0 ? page.nextLink : undefined;
    // A service that hands back a link it already gave would page forever.
    if (next !== undefined && seen.has(next)) throw invalidResponse(`${spec.operation}: the service returned the same @odata.nextLink twice; stopping to avoid an endless loop.`);
    if (next !== undefined) seen.add(next);
    // Built (and origin-checked) before the page is handed out, so a bad link fails before more work is done.
    spec = next !== undefined ? nextPageRequest(ctx, next, options, `retrieveMultiple ${set} (page ${seen.size + 1})`) : undefined;
    yield page;
  }
}

/** Rows, one at a time, across all pages (or up to `maxRows`). */
export async function* iterateRows(ctx: DataverseContext, set: string, query: ODataQuery = {}, options: PageOptions = {}): AsyncGenerator<Row, void, undefined> {
  for await (const page of iteratePages(ctx, set, query, options)) yield* page.rows;
}

/**
 * The number of rows, or of rows matching a filter. Dataverse caps both forms at 5,000; for exact totals of larger
 * tables use the RetrieveTotalRecordCount function (a snapshot up to a day old).
 */
export async function countRows(ctx: DataverseContext, set: string, filter?: string | Filter, options: CallOptions = {}): Promise<number> {
  const operation = `count ${set}`;
  if (filter !== undefined) {
    // `/$count` takes no $filter on Dataverse; `$count=true` counts every match whatever $top is, so one row is read.
    const page = await fetchPage(ctx, { ...firstPageRequest(set, { filter, count: true, top: 1 }, options), operation });
    if (page.count === undefined) throw invalidResponse(`${operation}: the answer has no @odata.count.`);
    return page.count;
  }
  const response = await ctx.execute({
    method: 'GET',
    path: `${setPath(set)}/$count`,
    headers: { accept: 'text/plain' },
    idempotent: true,
    operation,
    ...callOptions(options),
  });
  const text = response.body.toString('utf8').replace(/^\uFEFF/, '').trim();
  const count = Number(text);
  if (text === '' || !Number.isInteger(count)) throw invalidResponse(`${operation}: the service answered '${text.slice(0, 40)}' instead of a number.`);
  return count;
}
