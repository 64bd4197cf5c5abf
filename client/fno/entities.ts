/**
 * Entity rows: read by key, query one page or all of them (server-driven paging, `@odata.nextLink` followed only on
 * the environment's origin), create, update with `If-Match`, delete, and upsert. Every call is scoped to a legal
 * entity: the company's `dataAreaId` completes keys and filters queries, `crossCompany` reads all of them.
 */
import { D365Error } from '../http/errors';
import { callOptions, parseJson, type CallOptions, type FnoContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { collectionQuery, companyOf, keyOfRow, rowPath, setName, type CompanyOptions, type FnoKey, type FnoQuery } from './paths';
import { checkCompany, entitySetShape } from './schema';

export type FnoRow = Record<string, unknown>;

export interface RowOptions extends CallOptions, CompanyOptions {}

export interface GetOptions extends RowOptions {
  select?: string[];
  expand?: FnoQuery['expand'];
}

export interface PageOptions extends RowOptions {
  /** Rows per page (`Prefer: odata.maxpagesize`), 1–10,000; default the service's 10,000. */
  pageSize?: number;
  /** Stop after this many rows in total. */
  maxRows?: number;
}

export interface FnoPage {
  rows: FnoRow[];
  nextLink?: string;
  /** `@odata.count`, when the query asked for it. */
  count?: number;
}

export interface WriteOptions extends RowOptions {
  /** The row's `@odata.etag` as read: the write fails with 412 if the row changed since. Default `*`. */
  ifMatch?: string;
}

export interface WriteResult {
  /** The row's new ETag, when the service returned one. */
  etag?: string;
  /** The row as the service returned it (create). */
  row?: FnoRow;
  /** The key of the row written, as a key object. */
  key?: Record<string, unknown>;
}

const MAX_PAGE_SIZE = 10_000;

async function shapeAndCompany(ctx: FnoContext, set: string, options: RowOptions) {
  const shape = await entitySetShape(ctx, setName(set), options);
  return { shape, company: companyOf(ctx, options) };
}

/** `cross-company=true` on key operations, so a row of another company than the user's default is reachable. */
function keyQuery(shape: { companySpecific?: boolean }, extra = ''): string {
  const parts = [extra.replace(/^\?/, ''), shape.companySpecific !== false ? 'cross-company=true' : ''].filter(Boolean);
  return parts.length ? `?${parts.join('&')}` : '';
}

export async function getRow(ctx: FnoContext, set: string, key: FnoKey, options: GetOptions = {}): Promise<FnoRow> {
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  const path = rowPath(shape, key, company);
  const query = options.select || options.expand ? collectionQuery(shape, { select: options.select, expand: options.expand }, undefined, false) : '';
  const row = await ctx.executeJson<FnoRow>({ method: 'GET', path: `data/${path}${keyQuery(shape, query)}`, idempotent: true, operation: `get ${shape.set}`, ...callOptions(options) });
  if (!row) throw invalidResponse(`get ${shape.set}: the service answered without a row.`);
  return row;
}

function checkPaging(options: PageOptions): void {
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > MAX_PAGE_SIZE)) {
    throw invalidArgument(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}; got ${options.pageSize}.`);
  }
  if (options.maxRows !== undefined && (!Number.isInteger(options.maxRows) || options.maxRows < 0)) throw invalidArgument(`maxRows must be a whole number; got ${options.maxRows}.`);
}

function pageHeaders(options: PageOptions): Record<string, string> {
  const size = options.maxRows !== undefined && options.maxRows > 0 ? Math.min(options.maxRows, options.pageSize ?? MAX_PAGE_SIZE) : options.pageSize;
  return size !== undefined ? { prefer: `odata.maxpagesize=${size}` } : {};
}

function readPage(body: Record<string, unknown> | undefined, operation: string): FnoPage {
  if (!body || !Array.isArray(body.value)) throw invalidResponse(`${operation}: the answer has no 'value' array; is this an entity set?`);
  const page: FnoPage = { rows: body.value as FnoRow[] };
  if (typeof body['@odata.nextLink'] === 'string') page.nextLink = body['@odata.nextLink'];
  if (typeof body['@odata.count'] === 'number') page.count = body['@odata.count'];
  return page;
}

async function firstPageSpec(ctx: FnoContext, set: string, query: FnoQuery, options: PageOptions): Promise<RequestSpec> {
  checkPaging(options);
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  if (company !== undefined && shape.companySpecific !== false) await checkCompany(ctx, company, options);
  return {
    method: 'GET',
    path: `data/${shape.set}${collectionQuery(shape, query, company, options.crossCompany === true && options.company === undefined)}`,
    headers: pageHeaders(options),
    idempotent: true,
    operation: `list ${shape.set}`,
    ...callOptions(options),
  };
}

function nextPageSpec(ctx: FnoContext, nextLink: string, options: PageOptions, operation: string): RequestSpec {
  return { method: 'GET', path: ctx.linkUrl(nextLink, '@odata.nextLink'), headers: pageHeaders(options), idempotent: true, operation, ...callOptions(options) };
}

/** One page and the link to the next. */
export async function listRows(ctx: FnoContext, set: string, query: FnoQuery = {}, options: PageOptions = {}): Promise<FnoPage> {
  const spec = await firstPageSpec(ctx, set, query, options);
  return readPage(parseJson(await ctx.execute(spec)), spec.operation);
}

export async function nextPage(ctx: FnoContext, nextLink: string, options: PageOptions = {}): Promise<FnoPage> {
  const spec = nextPageSpec(ctx, nextLink, options, 'list (next page)');
  return readPage(parseJson(await ctx.execute(spec)), spec.operation);
}

/** Pages, fetched only as the caller consumes them; the last is cut to `maxRows`. */
export async function* iteratePages(ctx: FnoContext, set: string, query: FnoQuery = {}, options: PageOptions = {}): AsyncGenerator<FnoPage, void, undefined> {
  let remaining = options.maxRows ?? Infinity;
  let spec: RequestSpec | undefined = await firstPageSpec(ctx, set, query, options);
  if (remaining === 0) return;
  const seen = new Set<string>();
  while (spec) {
    const page = readPage(parseJson(await ctx.execute(spec)), spec.operation);
    if (page.rows.length > remaining) page.rows = page.rows.slice(0, remaining);
    remaining -= page.rows.length;
    const next = remaining > 0 ? page.nextLink : undefined;
    if (next !== undefined && seen.has(next)) throw invalidResponse(`${spec.operation}: the service returned the same @odata.nextLink twice; stopping to avoid an endless loop.`);
    if (next !== undefined) seen.add(next);
    // Checked against the environment's origin before the page is handed out: a foreign link fails before any request.
    spec = next !== undefined ? nextPageSpec(ctx, next, options, `list ${set} (page ${seen.size + 1})`) : undefined;
    yield page;
  }
}

export async function* iterateRows(ctx: FnoContext, set: string, query: FnoQuery = {}, options: PageOptions = {}): AsyncGenerator<FnoRow, void, undefined> {
  for await (const page of iteratePages(ctx, set, query, options)) yield* page.rows;
}

/** Rows matching the filter in the call's company (or all companies). */
export async function countRows(ctx: FnoContext, set: string, filter?: FnoQuery['filter'], options: RowOptions = {}): Promise<number> {
  const page = await listRows(ctx, set, { filter, count: true, top: 1, select: undefined }, options);
  if (page.count === undefined) throw invalidResponse(`count ${set}: the answer has no @odata.count.`);
  return page.count;
}

function checkRow(data: unknown, what: string): FnoRow {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidArgument(`${what}: the row must be an object of field values.`);
  return data as FnoRow;
}

export async function createRow(ctx: FnoContext, set: string, data: FnoRow, options: RowOptions = {}): Promise<WriteResult> {
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  const body = { ...checkRow(data, `create ${shape.set}`) };
  if (company !== undefined && shape.companySpecific && body.dataAreaId === undefined) body.dataAreaId = company;
  const response = await ctx.execute({ method: 'POST', path: `data/${shape.set}`, json: body, idempotent: false, operation: `create ${shape.set}`, ...callOptions(options) });
  const row = parseJson<FnoRow>(response);
  const result: WriteResult = {};
  const etag = response.headers.etag ?? (row?.['@odata.etag'] as string | undefined);
  if (etag) result.etag = etag;
  if (row) result.row = row;
  const key = keyOfRow(shape, row ?? body);
  if (key) result.key = key;
  return result;
}

export async function updateRow(ctx: FnoContext, set: string, key: FnoKey, data: FnoRow, options: WriteOptions = {}): Promise<WriteResult> {
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  const path = rowPath(shape, key, company);
  const response = await ctx.execute({
    method: 'PATCH',
    path: `data/${path}${keyQuery(shape)}`,
    json: checkRow(data, `update ${shape.set}`),
    headers: { 'if-match': options.ifMatch ?? '*' },
    // A PATCH with the same values applied twice leaves the same row.
    idempotent: true,
    operation: `update ${shape.set}`,
    ...callOptions(options),
  });
  return response.headers.etag ? { etag: response.headers.etag } : {};
}

export async function deleteRow(ctx: FnoContext, set: string, key: FnoKey, options: WriteOptions = {}): Promise<void> {
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  const path = rowPath(shape, key, company);
  await ctx.execute({
    method: 'DELETE',
    path: `data/${path}${keyQuery(shape)}`,
    headers: { 'if-match': options.ifMatch ?? '*' },
    idempotent: true,
    operation: `delete ${shape.set}`,
    ...callOptions(options),
  });
}

export interface UpsertResult extends WriteResult {
  created: boolean;
}

/**
 * Update the row with this key, or create it when there is none. F&O has no single upsert call on OData, so this
 * is an update followed by a create on 404 (and the update again if another writer created the row meanwhile);
 * it needs the full key, which the created row receives.
 */
export async function upsertRow(ctx: FnoContext, set: string, key: Record<string, unknown>, data: FnoRow, options: RowOptions = {}): Promise<UpsertResult> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalidArgument(`upsert ${set}: the key must name its fields, e.g. { CustomerAccount: 'US-001' }.`);
  const { shape, company } = await shapeAndCompany(ctx, set, options);
  rowPath(shape, key, company); // checks the key before anything is sent
  const attempt = () => updateRow(ctx, set, key, data, options);
  try {
    return { ...(await attempt()), key: { ...key }, created: false };
  } catch (e) {
    if (!(e instanceof D365Error) || e.status !== 404) throw e;
  }
  try {
    const created = await createRow(ctx, set, { ...data, ...key }, options);
    return { ...created, created: true };
  } catch (e) {
    if (e instanceof D365Error && (e.status === 409 || e.status === 412 || /already exists/i.test(e.message))) return { ...(await attempt()), key: { ...key }, created: false };
    throw e;
  }
}
