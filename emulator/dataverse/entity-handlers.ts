/**
 * Requests on one row or one of its columns: GET (with conditional If-None-Match), POST create, PATCH with upsert
 * and If-Match / If-None-Match, DELETE, and single-column GET / PUT / DELETE.
 */
import { header, EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { badRequest, DataverseError, duplicateRecord, methodNotAllowed, rowNotFound, versionMismatch } from './errors';
import { parseExpandOption, parseSelectOption } from './odata-adapter';
import { checkColumn, expandRow, serializeContext } from './query';
import type { RowRef } from './rows';
import { entityUrl } from './rows';
import type { Table } from './schema';
import { etagOf, serializeRow } from './serialize';
import { parseJsonBody } from './validate-body';
import { createRow, deleteRow, updateRow, WriteCaller } from './writes';
import type { Row } from '../store/table-store';

const JSON_HEADERS = { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' };

export function writeCaller(ctx: CallContext, resolveReference?: (url: string) => string): WriteCaller {
  return { service: ctx.service, userId: ctx.userId, aliases: ctx.query, resolveReference };
}

export function getRow(ctx: CallContext, ref: RowRef): EmulatorResponse {
  const { table, row } = ref;
  if (!row) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  const select = ctx.query.get('$select') !== null ? parseSelectOption(ctx.query.get('$select')!) : undefined;
  if (select) for (const s of select) checkColumn(table, s);
  const expand = ctx.query.get('$expand') !== null ? parseExpandOption(ctx.query.get('$expand')!, ctx.query) : [];
  const ifNoneMatch = header(ctx.req, 'if-none-match');
  if (ifNoneMatch && ifNoneMatch !== 'null' && ifNoneMatch === etagOf(row) && expand.length === 0 && ctx.prefs.annotations.length === 0) {
    return { status: 304, headers: { etag: etagOf(row), 'odata-version': '4.0' } };
  }
  return representation(ctx, table, row, 200, select, expand);
}

export function representation(ctx: CallContext, table: Table, row: Row, status: number, select?: string[], expand = parseExpand(ctx)): EmulatorResponse {
  const out = expandRow(ctx, table, serializeRow(table, row, select, serializeContext(ctx)), row, expand);
  const selectText = select ? `(${select.join(',')})` : '';
  const body = { '@odata.context': `${ctx.service.serviceRoot}$metadata#${table.setName}${selectText}/$entity`, ...out };
  const headers: Record<string, string> = { ...JSON_HEADERS, etag: etagOf(row) };
  if (ctx.prefs.annotations.length) headers['preference-applied'] = `odata.include-annotations="${ctx.prefs.annotations.join(',')}"`;
  return { status, headers, body: JSON.stringify(body) };
}

function parseExpand(ctx: CallContext) {
  return ctx.query.get('$expand') !== null ? parseExpandOption(ctx.query.get('$expand')!, ctx.query) : [];
}

function written(ctx: CallContext, table: Table, row: Row, created: boolean, keyText?: string): EmulatorResponse {
  const id = String(row[table.primaryId]);
  const entityId = keyText ? `${ctx.service.serviceRoot}${table.setName}${keyText}` : entityUrl(ctx.service, table, id);
  if (ctx.prefs.returnRepresentation) {
    const select = ctx.query.get('$select') !== null ? parseSelectOption(ctx.query.get('$select')!) : undefined;
    if (select) for (const s of select) checkColumn(table, s);
    const res = representation(ctx, table, row, created ? 201 : 200, select);
    res.headers['odata-entityid'] = entityId;
    res.headers['preference-applied'] = ['return=representation', res.headers['preference-applied']].filter(Boolean).join(',');
    return res;
  }
  return { status: 204, headers: { 'odata-version': '4.0', 'odata-entityid': entityId } };
}

export function createHandler(ctx: CallContext, table: Table, resolveReference?: (url: string) => string): EmulatorResponse {
  const body = parseJsonBody(ctx.req.body, table.setName);
  const row = ctx.service.store.transaction(() => createRow(writeCaller(ctx, resolveReference), table, body));
  return written(ctx, table, row, true);
}

/** PATCH: update, or create when missing (upsert), honouring If-Match / If-None-Match. */
export function patchHandler(ctx: CallContext, ref: RowRef, resolveReference?: (url: string) => string): EmulatorResponse {
  const { table, row } = ref;
  const body = parseJsonBody(ctx.req.body, table.setName);
  const ifMatch = header(ctx.req, 'if-match');
  const ifNoneMatch = header(ctx.req, 'if-none-match');
  if (row) {
    if (ifNoneMatch === '*') throw duplicateRecord();
    if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row)) throw versionMismatch();
    const updated = ctx.service.store.transaction(() => updateRow(writeCaller(ctx, resolveReference), table, row, body));
    return written(ctx, table, updated, false);
  }
  if (ifMatch) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  // URL key values are copied into the new row unless the body has them (body wins).
  const created = ctx.service.store.transaction(() => createRow(writeCaller(ctx, resolveReference), table, body, ref.keyValues));
  return written(ctx, table, created, true, ref.keyValues[table.primaryId] ? undefined : ref.keyText);
}

export function deleteHandler(ctx: CallContext, ref: RowRef): EmulatorResponse {
  const { table, row } = ref;
  if (!row) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  const ifMatch = header(ctx.req, 'if-match');
  if (ifMatch && ifMatch !== '*' && ifMatch !== etagOf(row)) throw versionMismatch();
  ctx.service.store.transaction(() => deleteRow(writeCaller(ctx), table, ref.id));
  return { status: 204, headers: { 'odata-version': '4.0' } };
}

/** `accounts(id)/name` GET / PUT {"value":…} / DELETE, and `…/name/$value` as plain text. */
export function propertyHandler(ctx: CallContext, ref: RowRef, column: string, rawValue: boolean): EmulatorResponse {
  const { table, row } = ref;
  if (!row) throw rowNotFound(table.logicalName, ref.id || ref.keyText);
  checkColumn(table, column);
  const method = ctx.req.method;
  if (method === 'GET') {
    const value = row[column] ?? null;
    if (rawValue) {
      if (value === null) return { status: 204, headers: { 'odata-version': '4.0' } };
      return { status: 200, headers: { 'content-type': 'text/plain', 'odata-version': '4.0' }, body: String(value) };
    }
    const context = `${ctx.service.serviceRoot}$metadata#${table.setName}(${ref.id})/${column}`;
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ '@odata.context': context, value }) };
  }
  if (rawValue) throw methodNotAllowed(method, `${table.setName}/${column}/$value`);
  let patch: Record<string, unknown>;
  if (method === 'PUT') {
    const body = parseJsonBody(ctx.req.body, table.setName);
    if (!('value' in body)) throw badRequest(`A PUT to a single column needs a body like {"value": …}.`);
    patch = { [column]: body.value };
  } else if (method === 'DELETE') {
    if (table.columns.get(column)?.required) {
      throw new DataverseError(400, '0x80040203', `The '${column}' attribute of the '${table.logicalName}' entity is required and cannot be cleared.`);
    }
    patch = { [column]: null };
  } else {
    throw methodNotAllowed(method, `${table.setName}/${column}`);
  }
  ctx.service.store.transaction(() => updateRow(writeCaller(ctx), table, row, patch));
  return { status: 204, headers: { 'odata-version': '4.0' } };
}
