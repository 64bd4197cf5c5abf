/**
 * One poll of the Dataverse Changes Trigger: change tracking with the deltaLink kept in the node's static data.
 *
 * State (`getWorkflowStaticData('node')`): `deltaLink` (the link Dataverse returned at the end of the last complete
 * read), `table` (its entity set) and `environment` (its origin). A stored link for another table or environment
 * (the node was re-pointed) is ignored and the poll starts over as a first run.
 *
 * When the token is saved: only after every page of the read has been consumed (ChangeFeed.deltaLink() refuses
 * earlier) and right before the items are returned. n8n persists the node's static data only after poll() has
 * returned (with items: when it hands them to the new execution; without: the poll engine commits the staged
 * state), never for a poll that threw. So a failure or a crash part-way through a poll leaves the previous token
 * in place and the next poll reads the same changes again: changes can be delivered twice (at-least-once), never
 * skipped.
 *
 * First run: a full sync that emits nothing by default (only the token is kept), or every current row when
 * "Emit Existing Rows on First Run" is on.
 *
 * Expired or refused token (Dataverse answers 400 to the delta request): the changes since it can no longer be
 * known, so rather than failing on every poll forever the token is dropped, a new full sync is made in the same
 * poll (treated as a first run) and one `{ changeType: 'tokenExpired' }` warning item is emitted, whatever the
 * event filter, so that the gap is visible downstream and never silent. If that full sync fails too, the poll
 * fails and the old state is kept (the next poll tries again; nothing is emitted twice or lost by it).
 *
 * Manual mode (the editor's "Fetch Test Event"): the stored token is read, never written. It returns the last few
 * changes since the stored token or, when there are none (or no token yet), the most recently modified rows as
 * sample 'newOrUpdated' events.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import type { Change } from '../../client/dataverse/changes';
import type { TableInfo } from '../../client/metadata/entity-definitions';
import { deltaTokenFor, parseDeltaToken } from '../Dataverse/actions/changes/delta-token';
import { changeItem, pageSizeOption } from '../Dataverse/actions/changes/get.operation';
import { explainTrackingError, isTokenRefused } from '../Dataverse/actions/changes/tracking-errors';
import { outputRow } from '../Dataverse/actions/helpers';
import { checkSelect } from '../Dataverse/actions/row/query.options';
import { InputError } from '../Dataverse/helpers/errors';
import { resolveTable } from '../Dataverse/helpers/metadata';
import type { Connection } from '../Dataverse/transport/connection';

export type ChangeEvent = 'newOrUpdated' | 'deleted';

/** How many events the editor's "Fetch Test Event" shows. */
export const MANUAL_SAMPLE_SIZE = 5;

export interface TriggerState extends IDataObject {
  deltaLink?: string;
  table?: string;
  environment?: string;
}

interface Settings {
  table: TableInfo;
  events: Set<ChangeEvent>;
  select: string[] | undefined;
  friendly: boolean;
  pageSize: number | undefined;
  emitExisting: boolean;
}

const EVENTS: ChangeEvent[] = ['newOrUpdated', 'deleted'];

async function readSettings(ctx: IPollFunctions, conn: Connection): Promise<Settings> {
  const value = ctx.getNodeParameter('table', '', { extractValue: true });
  if (typeof value !== 'string' || !value.trim()) {
    throw new InputError('The Table is empty: pick a table with change tracking enabled.', 'EmptyTable');
  }
  const table = await resolveTable(conn, value);
  if (!table.changeTrackingEnabled) {
    throw new InputError(
      `Change tracking is not enabled on the table '${table.logicalName}', so its changes cannot be polled: in Power Apps open the table's properties, Advanced options, and turn on "Track changes" (or pick another table).`,
      'ChangeTrackingDisabled',
    );
  }
  const rawEvents = ctx.getNodeParameter('events', EVENTS) as unknown;
  const events = new Set((Array.isArray(rawEvents) ? rawEvents : []).filter((e): e is ChangeEvent => EVENTS.includes(e as ChangeEvent)));
  if (events.size === 0) throw new InputError('No event is chosen: pick New or Updated, Deleted, or both.', 'NoEvents');
  const options = ctx.getNodeParameter('options', {}) as IDataObject;
  return {
    table,
    events,
    select: await checkSelect(conn, table, ctx.getNodeParameter('returnColumns', [])),
    friendly: options.formattedValues === true,
    pageSize: pageSizeOption(options),
    emitExisting: options.emitExistingRows === true,
  };
}

function environmentOf(conn: Connection): string {
  return new URL(conn.dv.environmentUrl).origin;
}

/** The stored link for this table and environment, or undefined (none yet, or made for another table/environment). */
function storedLink(state: TriggerState, conn: Connection, table: TableInfo): string | undefined {
  if (typeof state.deltaLink !== 'string' || !state.deltaLink) return undefined;
  if (state.table?.toLowerCase() !== table.entitySetName.toLowerCase() || state.environment !== environmentOf(conn)) return undefined;
  return state.deltaLink;
}

function save(state: TriggerState, conn: Connection, table: TableInfo, deltaLink: string): void {
  state.deltaLink = deltaLink;
  state.table = table.entitySetName;
  state.environment = environmentOf(conn);
}

interface Read {
  changes: Change[];
  deltaLink: string;
}

/** Reads every page; the deltaLink exists only once all of them were read. */
async function readAll(conn: Connection, s: Settings, deltaToken: string | undefined, select = s.select): Promise<Read> {
  const feed = conn.dv.trackChanges(s.table.entitySetName, { select, deltaToken, pageSize: s.pageSize, annotations: s.friendly ? true : undefined });
  const changes: Change[] = [];
  for await (const change of feed.changes()) changes.push(change);
  return { changes, deltaLink: feed.deltaLink() };
}

/** The token of the stored deltaLink, checked against this environment and table; throws InputError when garbled. */
function tokenSince(conn: Connection, s: Settings, stored: string): string {
  const parsed = parseDeltaToken(stored);
  if (!parsed) throw new InputError('The stored delta token is empty.', 'InvalidDeltaToken');
  return deltaTokenFor(conn, s.table, parsed);
}

function toItems(changes: Change[], s: Settings): INodeExecutionData[] {
  return changes
    .filter((c) => s.events.has(c.kind === 'delete' ? 'deleted' : 'newOrUpdated'))
    .map((c) => ({ json: changeItem(c, s.table, s.friendly) }));
}

/** A full sync: silent (only the primary key is read, the columns are applied to later delta links) or all rows. */
async function fullSync(conn: Connection, s: Settings): Promise<{ items: INodeExecutionData[]; deltaLink: string }> {
  const emit = s.emitExisting && s.events.has('newOrUpdated');
  try {
    const read = await readAll(conn, s, undefined, emit ? s.select : [s.table.primaryIdAttribute]);
    return { items: emit ? toItems(read.changes, s) : [], deltaLink: read.deltaLink };
  } catch (error) {
    throw explainTrackingError(error, s.table, false);
  }
}

function tokenExpiredItem(s: Settings, error: unknown): INodeExecutionData {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    json: {
      changeType: 'tokenExpired',
      table: s.table.entitySetName,
      message: `Dataverse no longer accepts the saved change-tracking token of '${s.table.entitySetName}' (it expired past the change retention, or is not valid). Changes made since the previous poll may be missing: a new full sync was made and polling continues from now.${s.emitExisting ? ' The current rows follow as newOrUpdated events.' : ''}`,
      reason,
    },
  };
}

export async function pollChanges(ctx: IPollFunctions, conn: Connection): Promise<INodeExecutionData[][] | null> {
  const s = await readSettings(ctx, conn);
  const state = ctx.getWorkflowStaticData('node') as TriggerState;
  const stored = storedLink(state, conn, s.table);
  if (ctx.getMode() === 'manual') return manualSample(conn, s, stored);

  if (!stored) {
    const { items, deltaLink } = await fullSync(conn, s);
    save(state, conn, s.table, deltaLink);
    return items.length ? [items] : null;
  }

  let read: Read;
  try {
    read = await readAll(conn, s, tokenSince(conn, s, stored));
  } catch (error) {
    if (!(error instanceof InputError) && !isTokenRefused(error)) throw explainTrackingError(error, s.table, true);
    // The token is gone for good: start over once in this poll (a failure here throws and keeps the old state).
    const { items, deltaLink } = await fullSync(conn, s);
    save(state, conn, s.table, deltaLink);
    return [[tokenExpiredItem(s, explainTrackingError(error, s.table, true)), ...items]];
  }
  // Every page was read: save the token with the items it covers (persisted by n8n only once poll() returns).
  const items = toItems(read.changes, s);
  save(state, conn, s.table, read.deltaLink);
  return items.length ? [items] : null;
}

/** "Fetch Test Event": never writes the state. */
async function manualSample(conn: Connection, s: Settings, stored: string | undefined): Promise<INodeExecutionData[][] | null> {
  if (stored) {
    let since: Change[] | undefined;
    try {
      since = (await readAll(conn, s, tokenSince(conn, s, stored))).changes;
    } catch (error) {
      // An expired token is the poll's business (it resyncs); the sample falls back to recent rows.
      if (!(error instanceof InputError) && !isTokenRefused(error)) throw explainTrackingError(error, s.table, true);
    }
    const items = since ? toItems(since, s).slice(-MANUAL_SAMPLE_SIZE) : [];
    if (items.length) return [items];
  }
  if (!s.events.has('newOrUpdated')) return null;
  const columns = await conn.metadata.getColumns(s.table.logicalName);
  const hasModifiedOn = columns.some((c) => c.logicalName === 'modifiedon');
  const page = await conn.dv
    .retrieveMultiple(
      s.table.entitySetName,
      { select: s.select, orderBy: hasModifiedOn ? [{ column: 'modifiedon', descending: true }] : undefined, top: MANUAL_SAMPLE_SIZE },
      { annotations: s.friendly ? true : undefined },
    )
    .catch((error: unknown) => {
      throw explainTrackingError(error, s.table, false);
    });
  if (!page.rows.length) return null;
  return [
    page.rows.map((row) => {
      const id = row[s.table.primaryIdAttribute];
      return { json: { changeType: 'newOrUpdated', id: typeof id === 'string' ? id : null, row: outputRow(row, s.friendly) } };
    }),
  ];
}
