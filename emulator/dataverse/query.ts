/**
 * GET on a collection: $select, $filter, $orderby, $top, $expand, $count, $apply, server-driven paging with
 * skiptoken cookies, and the Dataverse restrictions ($skip rejected, page size capped at 5,000, count capped at 5,000).
 */
import type { EmulatorResponse } from '../http/types';
import type { Row } from '../store/table-store';
import type { CallContext } from './context';
import { badRequest, DataverseError, unknownProperty } from './errors';
import {
  applyTransformations, checkFilterColumns, ExpandItem, FilterExpr, filterRows, OrderItem, parseApplyOption,
  parseExpandOption, parseFilterOption, parseOrderByOption, parseSelectOption,
} from './odata-adapter';
import { annotationsApplied, wantsAnnotation } from './prefer';
import { primaryNameOf } from './rows';
import type { Table } from './schema';
import { serializeRow, SerializeContext } from './serialize';
import { decodeSkipToken, encodeSkipToken } from './skiptoken';
import { related } from './relationships';
import { rowOrder } from './sort-keys';

export const MAX_PAGE_SIZE = 5000;
const COUNT_CAP = 5000;
const MAX_EXPANDS = 15;
const SUPPORTED = new Set(['$select', '$filter', '$orderby', '$top', '$expand', '$count', '$apply', '$skiptoken', '$skip', '$search', '$format']);

export interface CollectionQuery {
  select?: string[];
  filter?: FilterExpr;
  orderby: OrderItem[];
  top?: number;
  expand: ExpandItem[];
  count: boolean;
  apply?: string;
}

export function readCollectionQuery(ctx: CallContext, table: Table): CollectionQuery {
  const q = ctx.query;
  for (const name of q.keys()) {
    if (name.startsWith('$') && !SUPPORTED.has(name) && name !== '$deltatoken') {
      throw badRequest(`The query parameter '${name}' is not supported.`);
    }
  }
  if (q.has('$skip')) {
    throw badRequest("The query parameter $skip is not supported. Use @odata.nextLink with Prefer: odata.maxpagesize to page through results.");
  }
  if (q.has('$search')) throw badRequest('The query parameter $search is not supported; use the Dataverse search API.');
  const top = q.get('$top');
  if (top !== null && !/^\d+$/.test(top)) throw badRequest(`Invalid value '${top}' for $top query option found. The $top query option requires a non-negative integer value.`);
  const count = q.get('$count');
  if (count !== null && count !== 'true' && count !== 'false') throw badRequest(`'${count}' is not a valid count option.`);
  const select = q.get('$select') !== null ? parseSelectOption(q.get('$select')!) : undefined;
  if (select) for (const s of select) checkColumn(table, s);
  const expand = q.get('$expand') !== null ? parseExpandOption(q.get('$expand')!, q) : [];
  if (countExpands(expand) > MAX_EXPANDS) throw badRequest(`The number of $expand options exceeds the limit of ${MAX_EXPANDS}.`);
  for (const item of expand) checkExpand(ctx, table, item);
  const orderby = q.get('$orderby') !== null ? parseOrderByOption(q.get('$orderby')!) : [];
  for (const o of orderby) if (o.path.length === 1) checkColumn(table, o.path[0]);
  const filter = q.get('$filter') !== null ? parseFilterOption(q.get('$filter')!, q) : undefined;
  if (filter) checkFilterColumns(filter, table, ctx.service);
  return {
    select,
    filter,
    orderby,
    top: top !== null ? Number(top) : undefined,
    expand,
    count: count === 'true',
    apply: q.get('$apply') ?? undefined,
  };
}

function countExpands(items: ExpandItem[]): number {
  return items.reduce((n, i) => n + 1 + countExpands(i.expand), 0);
}

export function checkColumn(table: Table, name: string): void {
  if (name === '*') return;
  if (!table.columns.has(name)) throw unknownProperty(name, table.logicalName);
}

function checkExpand(ctx: CallContext, table: Table, item: ExpandItem): void {
  const nav = table.lookups.get(item.navigation) ?? table.collections.get(item.navigation);
  if (!nav) throw unknownProperty(item.navigation, table.logicalName);
  for (const unsupported of item.unsupported) {
    throw badRequest(`The query option '${unsupported}' is not supported inside $expand.`);
  }
  const target = table.lookups.get(item.navigation)
    ? ctx.service.schema.table(table.lookups.get(item.navigation)!.targetTable)
    : ctx.service.schema.tableOfType(table.collections.get(item.navigation)!.type);
  if (!target) return;
  for (const s of item.select ?? []) checkColumn(target, s);
  if (item.filter) checkFilterColumns(item.filter, target, ctx.service);
  if (table.collections.has(item.navigation) && item.expand.length > 0 && (item.orderby.length > 0 || item.top !== undefined)) {
    throw badRequest('$orderby and $top are not supported together with a nested $expand on a collection-valued navigation property.');
  }
  for (const nested of item.expand) checkExpand(ctx, target, nested);
}

export function serializeContext(ctx: CallContext): SerializeContext {
  return { prefs: ctx.prefs, lookupName: (t, id) => primaryNameOf(ctx.service, t, id) };
}

export function pageSize(ctx: CallContext): number {
  return Math.min(ctx.prefs.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE) || MAX_PAGE_SIZE;
}

/** Runs a collection query over `source` (a table's rows or a navigation's rows) and builds the response. */
export function queryCollection(
  ctx: CallContext,
  table: Table,
  source: Row[] | (() => Row[]),
  contextPath: string,
  tracking = false,
): EmulatorResponse {
  const query = readCollectionQuery(ctx, table);
  let anchor = tracking ? ctx.service.store.currentVersion() : undefined;
  const env = { service: ctx.service, userId: ctx.userId };
  const sortColumns = [...query.orderby.filter((o) => o.path.length === 1), { path: [table.primaryId], descending: false }];
  const matching = () => {
    const all = typeof source === 'function' ? source() : source;
    return query.filter ? filterRows(query.filter, all, table, env) : all;
  };
  if (query.apply) {
    const rows = matching();
    const aggregated = applyTransformations(parseApplyOption(query.apply, ctx.query), rows, table, env);
    const headers: Record<string, string> = { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' };
    return { status: 200, headers, body: JSON.stringify({ '@odata.context': `${ctx.service.serviceRoot}$metadata#${contextPath}`, value: aggregated }) };
  }
  // A whole-table query (source given lazily) is filtered and sorted once per row version: following its
  // nextLinks reuses the result instead of sorting the table again for every page.
  const rows = typeof source === 'function'
    ? sortedResults.get(ctx, table, () => sortRows(matching(), sortColumns, table))
    : sortRows(matching(), sortColumns, table);

  const total = rows.length;
  const explicitPageSize = ctx.prefs.maxPageSize !== undefined;
  const size = pageSize(ctx);
  const limit = query.top !== undefined && !explicitPageSize ? query.top : undefined;
  let start = 0;
  let pageNumber = 1;
  const skiptoken = ctx.query.get('$skiptoken');
  if (skiptoken) {
    const types = new Map([...table.columns.values()].map((c) => [c.name, c.edmType]));
    const position = decodeSkipToken(skiptoken, types, sortColumns.map((o) => o.path[0]));
    pageNumber = position.pageNumber;
    if (tracking) anchor = position.anchor ?? anchor;
    const order = rowOrder(sortColumns, table);
    start = firstAfter(rows, (r) => order.after(r, position.last) > 0);
    if (start < 0) start = rows.length;
  }
  let end = Math.min(rows.length, start + size);
  if (limit !== undefined) end = Math.min(end, limit);
  const page = rows.slice(start, end);
  const more = end < (limit ?? rows.length);

  const sctx = serializeContext(ctx);
  const value = page.map((row) => expandRow(ctx, table, serializeRow(table, row, query.select, sctx), row, query.expand));
  const body: Record<string, unknown> = { '@odata.context': `${ctx.service.serviceRoot}$metadata#${contextPath}${selectSuffix(query)}` };
  if (query.count) body['@odata.count'] = Math.min(total, COUNT_CAP);
  if (wantsAnnotation(ctx.prefs, 'Microsoft.Dynamics.CRM.totalrecordcount')) {
    body['@Microsoft.Dynamics.CRM.totalrecordcount'] = query.count ? Math.min(total, COUNT_CAP) : -1;
  }
  if (wantsAnnotation(ctx.prefs, 'Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded')) {
    body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = query.count && total > COUNT_CAP;
  }
  body.value = value;
  if (more && page.length > 0) {
    const last = page[page.length - 1];
    const token = encodeSkipToken(
      { pageNumber: pageNumber + 1, last: sortColumns.map((o) => ({ column: o.path[0], value: last[o.path[0]] ?? null })), anchor },
      page[0],
    );
    body['@odata.nextLink'] = nextLink(ctx, token);
  } else if (anchor !== undefined) {
    body['@odata.deltaLink'] = deltaLink(ctx, anchor, ctx.service.now());
  }
  const applied = [
    explicitPageSize ? `odata.maxpagesize=${size}` : undefined,
    annotationsApplied(ctx.prefs),
    tracking ? 'odata.track-changes' : undefined,
  ].filter(Boolean);
  const headers: Record<string, string> = { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' };
  if (applied.length) headers['preference-applied'] = applied.join(',');
  return { status: 200, headers, body: JSON.stringify(body) };
}

function selectSuffix(query: CollectionQuery): string {
  const parts = [...(query.select ?? [])];
  for (const e of query.expand) parts.push(`${e.navigation}(${(e.select ?? []).join(',')})`);
  return parts.length ? `(${parts.join(',')})` : '';
}

/** The same request URL with $skiptoken replaced; everything else is left exactly as the client sent it. */
function nextLink(ctx: CallContext, token: string): string {
  const url = ctx.req.url;
  const params = url.search.replace(/^\?/, '').split('&').filter((p) => p !== '' && !p.startsWith('$skiptoken='));
  // Dataverse escapes the token like a URI (`<`, `"`, space, `%`), leaving `=` and `/`: pagenumber=%222%22 … /%3E.
  params.push(`$skiptoken=${encodeURI(token)}`);
  const path = url.pathname.replace(/^\/api\/data\/v9\.\d\//, '');
  return `${ctx.service.serviceRoot}${path}?${params.join('&')}`;
}

/** `$deltatoken=<version>!<MM/dd/yyyy HH:mm:ss>` as Dataverse writes it; only $select is carried over. */
export function deltaLink(ctx: CallContext, version: number, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${p(at.getUTCMonth() + 1)}/${p(at.getUTCDate())}/${at.getUTCFullYear()} ${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`;
  const path = ctx.req.url.pathname.replace(/^\/api\/data\/v9\.\d\//, '');
  const select = ctx.query.get('$select');
  const params = [select !== null ? `$select=${encodeURIComponent(select).replace(/%2C/g, ',')}` : undefined, `$deltatoken=${dotNetUrlEncode(`${version}!${stamp}`)}`];
  return `${ctx.service.serviceRoot}${path}?${params.filter(Boolean).join('&')}`;
}

/** `919042!08/22/2017 08:10:44` → `919042%2108%2f22%2f2017%2008%3a10%3a44`, the form Dataverse writes (lower-case hex, `!` escaped). */
function dotNetUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

export function sortRows(rows: Row[], order: OrderItem[], table: Table): Row[] {
  return rowOrder(order, table).sort(rows);
}

/** Adds expanded navigation properties to a serialized row. */
export function expandRow(ctx: CallContext, table: Table, out: Row, row: Row, expand: ExpandItem[]): Row {
  if (expand.length === 0) return out;
  const sctx = serializeContext(ctx);
  const env = { service: ctx.service, userId: ctx.userId };
  for (const item of expand) {
    const rel = related(ctx.service, table, row, item.navigation);
    if (rel.kind === 'single') {
      out[item.navigation] = rel.row ? expandRow(ctx, rel.table, serializeRow(rel.table, rel.row, item.select, sctx), rel.row, item.expand) : null;
      continue;
    }
    let rows = item.filter ? filterRows(item.filter, rel.rows, rel.table, env) : rel.rows;
    rows = sortRows(rows, [...item.orderby, { path: [rel.table.primaryId], descending: false }], rel.table);
    if (item.top !== undefined) rows = rows.slice(0, item.top);
    out[item.navigation] = rows.map((r) => expandRow(ctx, rel.table, serializeRow(rel.table, r, item.select, sctx), r, item.expand));
  }
  return out;
}

export function assertNoTrackingConflicts(ctx: CallContext): void {
  for (const name of ['$filter', '$orderby', '$expand', '$top']) {
    if (ctx.query.has(name)) {
      throw new DataverseError(400, '0x0', `The "${name.slice(1)}" query parameter isn't supported when Change Tracking is enabled.`);
    }
  }
}

/** A few recent whole-table results per service, keyed by the query and the store's row version. */
const sortedResults = {
  byService: new WeakMap<object, Map<string, Row[]>>(),
  get(ctx: CallContext, table: Table, compute: () => Row[]): Row[] {
    const q = ctx.query;
    const aliases = [...q].filter(([k]) => k.startsWith('@')).map(([k, v]) => `${k}=${v}`).join('&');
    const key = [table.logicalName, ctx.service.store.currentVersion(), ctx.userId, q.get('$filter'), q.get('$orderby'), aliases].join('|');
    let cache = this.byService.get(ctx.service);
    if (!cache) this.byService.set(ctx.service, (cache = new Map()));
    const hit = cache.get(key);
    if (hit) return hit;
    const rows = compute();
    cache.set(key, rows);
    while (cache.size > 4) cache.delete(cache.keys().next().value as string);
    return rows;
  },
};

/** Index of the first row for which `isAfter` holds, in rows sorted so that it holds for a suffix (binary search). */
function firstAfter(rows: Row[], isAfter: (row: Row) => boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (isAfter(rows[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
