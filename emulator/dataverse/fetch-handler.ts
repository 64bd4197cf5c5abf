/**
 * `GET {entityset}?fetchXml=…`. FetchXML names lookups by their logical name (`parentcustomerid`) while rows keep
 * `_parentcustomerid_value`; the source handed to the evaluator carries both, and results use the Web API form.
 * Null columns are omitted, as FetchXML results do. The paging cookie is sent whenever more records follow, even
 * unasked: clients in the field (DynamicsWebApi's fetchAll among them) page on it without asking for it;
 * morerecords only when asked for.
 */
import { encodePagingCookieAnnotation, evaluateFetch, FetchSource, FetchXmlError, parseFetchXml } from '../fetchxml';
import type { EmulatorResponse } from '../http/types';
import type { Row } from '../store/table-store';
import type { CallContext } from './context';
import { badRequest, DataverseError } from './errors';
import { annotationsApplied, wantsAnnotation } from './prefer';
import { serializeContext } from './query';
import type { Table } from './schema';
import { serializeRow } from './serialize';

const LOOKUP_COLUMN = /^_(.+)_value$/;

export function fetchXmlHandler(ctx: CallContext, table: Table): EmulatorResponse {
  const xml = ctx.query.get('fetchXml')!;
  let query;
  let result;
  try {
    query = parseFetchXml(xml);
    if (query.entity !== table.logicalName) {
      throw badRequest(`The entity name '${query.entity}' in the FetchXML does not match the entity set '${table.setName}' of the request.`);
    }
    result = evaluateFetch(query, fetchSource(ctx));
  } catch (e) {
    if (e instanceof FetchXmlError) throw new DataverseError(400, e.code, e.message);
    throw e;
  }
  const sctx = serializeContext(ctx);
  const value = result.rows.map((row) => (query.aggregate ? row : toWebApiRow(ctx, table, row, sctx)));
  const body: Record<string, unknown> = { '@odata.context': `${ctx.service.serviceRoot}$metadata#${table.setName}` };
  if (result.totalRecordCount !== undefined) {
    body['@Microsoft.Dynamics.CRM.totalrecordcount'] = result.totalRecordCount;
    body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = result.totalRecordCountLimitExceeded ?? false;
  }
  if (result.moreRecords && result.pagingCookie) {
    body['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'] = encodePagingCookieAnnotation((query.page ?? 1) + 1, result.pagingCookie);
  }
  if (result.moreRecords && wantsAnnotation(ctx.prefs, 'Microsoft.Dynamics.CRM.morerecords')) body['@Microsoft.Dynamics.CRM.morerecords'] = true;
  body.value = value;
  const headers: Record<string, string> = { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' };
  const applied = annotationsApplied(ctx.prefs);
  if (applied) headers['preference-applied'] = applied;
  return { status: 200, headers, body: JSON.stringify(body) };
}

function fetchSource(ctx: CallContext): FetchSource {
  const { schema, store } = ctx.service;
  const cache = new Map<string, Row[]>();
  return {
    rows: (name) => {
      const table = schema.table(name);
      if (!table) return undefined;
      let rows = cache.get(name);
      if (!rows) {
        rows = [...store.rows(name).values()].map((row) => withLogicalLookups(row));
        cache.set(name, rows);
      }
      return rows;
    },
    attributeType: (entity, attribute) => {
      const table = schema.table(entity);
      return table?.columns.get(attribute)?.edmType ?? table?.columns.get(`_${attribute}_value`)?.edmType;
    },
    primaryKey: (entity) => schema.table(entity)?.primaryId ?? `${entity}id`,
    now: ctx.service.now(),
    userId: ctx.userId,
  };
}

function withLogicalLookups(row: Row): Row {
  const out: Row = { ...row };
  for (const [key, value] of Object.entries(row)) {
    const m = LOOKUP_COLUMN.exec(key);
    if (m && !(m[1] in out)) out[m[1]] = value;
  }
  return out;
}

function toWebApiRow(ctx: CallContext, table: Table, row: Row, sctx: ReturnType<typeof serializeContext>): Row {
  const id = row[table.primaryId];
  const stored = typeof id === 'string' ? ctx.service.store.get(table.logicalName, id) : undefined;
  const ownColumns: string[] = [];
  const linked: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.includes('.')) linked[key] = value;
    else if (table.columns.has(key)) ownColumns.push(key);
    else if (table.columns.has(`_${key}_value`)) ownColumns.push(`_${key}_value`);
  }
  const out = stored ? serializeRow(table, stored, ownColumns, sctx) : { ...row };
  for (const key of Object.keys(out)) {
    if (out[key] === null) {
      delete out[key];
      for (const annotated of Object.keys(out)) if (annotated.startsWith(`${key}@`)) delete out[annotated];
    }
  }
  for (const [key, value] of Object.entries(linked)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}
