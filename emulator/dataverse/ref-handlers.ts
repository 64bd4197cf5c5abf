/**
 * `$ref` requests (associate / disassociate) and navigation reads (`accounts(id)/contact_customer_accounts`).
 */
import type { EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { badRequest, methodNotAllowed, rowNotFound } from './errors';
import { representation, writeCaller } from './entity-handlers';
import { queryCollection } from './query';
import { associate, related } from './relationships';
import { entityUrl, RowRef } from './rows';
import { parseJsonBody } from './validate-body';

function readODataId(ctx: CallContext, setName: string): string {
  const body = parseJsonBody(ctx.req.body, setName);
  const id = body['@odata.id'];
  if (typeof id !== 'string' || id === '') throw badRequest('A $ref request body must be {"@odata.id": "<entity URL>"}.');
  return id;
}

/** navKey is the key of `nav(key)/$ref` when the target is named in the path. */
export function refHandler(ctx: CallContext, ref: RowRef, nav: string, navKey: string | undefined, resolveReference?: (url: string) => string): EmulatorResponse {
  const { table, row } = ref;
  if (!row) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  if (!table.lookups.has(nav) && !table.collections.has(nav)) {
    throw badRequest(`Could not find a property named '${nav}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`);
  }
  const caller = writeCaller(ctx, resolveReference);
  const done: EmulatorResponse = { status: 204, headers: { 'odata-version': '4.0' } };
  const { store } = ctx.service;
  switch (ctx.req.method) {
    case 'POST':
    case 'PUT': {
      if (ctx.req.method === 'POST' && !table.collections.has(nav)) throw methodNotAllowed('POST', `${nav}/$ref`);
      if (ctx.req.method === 'PUT' && !table.lookups.has(nav)) throw methodNotAllowed('PUT', `${nav}/$ref`);
      const target = readODataId(ctx, table.setName);
      store.transaction(() => associate(caller, table, ref.id, nav, target, true));
      return done;
    }
    case 'DELETE': {
      if (table.lookups.has(nav)) {
        const current = related(ctx.service, table, row, nav);
        if (current.kind === 'single' && current.row) {
          const url = `${current.table.setName}(${current.row[current.table.primaryId]})`;
          store.transaction(() => associate(caller, table, ref.id, nav, url, false));
        }
        return done;
      }
      const targetTable = ctx.service.schema.tableOfType(table.collections.get(nav)!.type)!;
      const target = navKey !== undefined ? `${targetTable.setName}(${navKey})` : ctx.query.get('$id');
      if (!target) throw badRequest('Removing a collection link needs the target: nav(<id>)/$ref or ?$id=<entity URL>.');
      store.transaction(() => associate(caller, table, ref.id, nav, target, false));
      return done;
    }
    case 'GET': {
      const rel = related(ctx.service, table, row, nav);
      const ids = rel.kind === 'single'
        ? (rel.row ? [entityUrl(ctx.service, rel.table, String(rel.row[rel.table.primaryId]))] : [])
        : rel.rows.map((r) => entityUrl(ctx.service, rel.table, String(r[rel.table.primaryId])));
      const context = `${ctx.service.serviceRoot}$metadata#Collection($ref)`;
      const body = rel.kind === 'single' ? { '@odata.context': `${ctx.service.serviceRoot}$metadata#$ref`, '@odata.id': ids[0] ?? null } : { '@odata.context': context, value: ids.map((id) => ({ '@odata.id': id })) };
      return { status: 200, headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' }, body: JSON.stringify(body) };
    }
    default:
      throw methodNotAllowed(ctx.req.method, `${nav}/$ref`);
  }
}

export function navigationHandler(ctx: CallContext, ref: RowRef, nav: string): EmulatorResponse {
  const { table, row } = ref;
  if (!row) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  if (ctx.req.method !== 'GET') throw methodNotAllowed(ctx.req.method, nav);
  const rel = related(ctx.service, table, row, nav);
  if (rel.kind === 'single') {
    if (!rel.row) return { status: 204, headers: { 'odata-version': '4.0' } };
    return representation(ctx, rel.table, rel.row, 200);
  }
  return queryCollection(ctx, rel.table, rel.rows, rel.table.setName);
}
