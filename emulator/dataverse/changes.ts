/**
 * Change tracking: `Prefer: odata.track-changes` starts a sync (handled by queryCollection), and a request with
 * `$deltatoken` returns what changed since: current rows for new and updated ones, then `$deletedEntity` entries
 * in the OData 4.0 form Dataverse emits, and a fresh deltaLink.
 */
import type { EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { badRequest, DataverseError } from './errors';
import { assertNoTrackingConflicts, checkColumn, deltaLink, serializeContext } from './query';
import { parseSelectOption } from './odata-adapter';
import type { Table } from './schema';
import { serializeRow } from './serialize';

export function assertTrackingEnabled(table: Table): void {
  if (!table.changeTracking) {
    throw new DataverseError(400, '0x80072491', `The entity with a name = '${table.logicalName}' is not enabled for change tracking.`);
  }
}

export function readDeltaToken(token: string): number {
  const m = /^(\d+)!/.exec(token);
  if (!m) throw badRequest(`The delta token '${token}' is not valid; start a new sync with Prefer: odata.track-changes.`);
  return Number(m[1]);
}

export function deltaResponse(ctx: CallContext, table: Table, countOnly: boolean): EmulatorResponse {
  assertTrackingEnabled(table);
  assertNoTrackingConflicts(ctx);
  const since = readDeltaToken(ctx.query.get('$deltatoken')!);
  const { store } = ctx.service;
  if (since < store.earliestChangeVersion() - 1) {
    throw badRequest('The delta token has expired or is older than the retained change history; start a new sync.');
  }
  const version = store.currentVersion();
  const latest = new Map<string, 'upsert' | 'delete'>();
  for (const change of store.changesSince(since, table.logicalName)) latest.set(change.id, change.op);
  const upserts: string[] = [];
  const deletes: string[] = [];
  for (const [id, op] of latest) {
    if (op === 'delete' || !store.get(table.logicalName, id)) deletes.push(id);
    else upserts.push(id);
  }
  if (countOnly) {
    return { status: 200, headers: { 'content-type': 'text/plain', 'odata-version': '4.0' }, body: String(upserts.length + deletes.length) };
  }
  const select = ctx.query.get('$select') !== null ? parseSelectOption(ctx.query.get('$select')!) : undefined;
  if (select) for (const s of select) checkColumn(table, s);
  const sctx = serializeContext(ctx);
  const root = ctx.service.serviceRoot;
  const value: unknown[] = upserts.map((id) => serializeRow(table, store.get(table.logicalName, id)!, select, sctx));
  for (const id of deletes) value.push({ '@odata.context': `${root}$metadata#${table.setName}/$deletedEntity`, id, reason: 'deleted' });
  const selectText = select ? `(${select.join(',')})` : '';
  const body = {
    '@odata.context': `${root}$metadata#${table.setName}${selectText}/$delta`,
    value,
    '@odata.deltaLink': deltaLink(ctx, version, ctx.service.now()),
  };
  return {
    status: 200,
    headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0', 'preference-applied': 'odata.track-changes' },
    body: JSON.stringify(body),
  };
}
