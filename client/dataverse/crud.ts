/**
 * Single-row operations: create, retrieve, update, upsert, delete. Each is a pure request builder plus a small
 * function that sends it and reads the answer, so the wire shape can be checked without a network.
 *
 * Idempotency is what lets the pipeline retry after a 503 or a dropped connection: reads, PUT, DELETE and
 * conditional or keyed PATCHes end in the same state when repeated. A create (POST) is never marked so: a second
 * attempt would make a second row.
 */
import type { HttpResponse } from '../http/types';
import { callOptions, parseJson, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse, isNotFound, rowNotFound } from './errors';
import { preferHeaders, type AnnotationsOption } from './prefer';
import { queryString, type ExpandOption } from './query';
import { describeKey, guidOfEntityUrl, rowPath, setPath, type RowKey } from './row-path';

export type Row = Record<string, unknown>;

export interface RepresentationOptions extends CallOptions {
  /** Return the written row (one request instead of a write and a read). */
  returnRepresentation?: boolean;
  /** Columns of the returned row; only with returnRepresentation. */
  select?: string[];
  annotations?: AnnotationsOption;
}

export interface WriteResult {
  /** GUID of the row; undefined only when an upsert by alternate key returned no representation. */
  id?: string;
  /** `OData-EntityId`: the row's URL, in the key form the request used. */
  entityUrl?: string;
  row?: Row;
  etag?: string;
}

export interface RetrieveOptions extends CallOptions {
  select?: string[];
  expand?: ExpandOption[];
  annotations?: AnnotationsOption;
}

export interface UpdateOptions extends RepresentationOptions {
  /**
   * `*` (default): update only, fail with 404 when the row is gone (a PATCH without If-Match would create it).
   * An ETag (`W/"123"`, the row's `@odata.etag`): fail with 412 if someone changed the row since it was read.
   */
  ifMatch?: string;
}

export type UpsertMode = 'upsert' | 'createOnly' | 'updateOnly';

export interface UpsertOptions extends RepresentationOptions {
  /** `upsert` (default): create or update; `createOnly`: If-None-Match: * (412 if it exists); `updateOnly`: If-Match: * (404 if missing). */
  mode?: UpsertMode;
}

export interface DeleteOptions extends CallOptions {
  /** An ETag: delete only if the row is unchanged (412 otherwise). */
  ifMatch?: string;
}


function checkData(data: unknown, operation: string): Row {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidArgument(`${operation}: the row data must be an object of column values.`);
  return data as Row;
}

function representationQuery(options: RepresentationOptions): string {
  return options.returnRepresentation && options.select ? queryString({ select: options.select }) : '';
}

// ---- request builders ----

export function createRequest(set: string, data: Row, options: RepresentationOptions = {}): RequestSpec {
  const operation = `create ${set}`;
  return {
    method: 'POST',
    path: setPath(set) + representationQuery(options),
    headers: preferHeaders({ returnRepresentation: options.returnRepresentation, annotations: options.annotations }),
    json: checkData(data, operation),
    idempotent: false,
    operation,
    ...callOptions(options),
  };
}

export function retrieveRequest(set: string, key: RowKey, options: RetrieveOptions = {}): RequestSpec {
  return {
    method: 'GET',
    path: rowPath(set, key) + queryString({ select: options.select, expand: options.expand }),
    // Expanded collections may come from a cache unless told otherwise (reference §5.5).
    headers: { 'if-none-match': 'null', ...preferHeaders({ annotations: options.annotations }) },
    idempotent: true,
    operation: `retrieve ${set}(${describeKey(key)})`,
    ...callOptions(options),
  };
}

export function updateRequest(set: string, key: RowKey, data: Row, options: UpdateOptions = {}): RequestSpec {
  const operation = `update ${set}(${describeKey(key)})`;
  return {
    method: 'PATCH',
    path: rowPath(set, key) + representationQuery(options),
    headers: { 'if-match': options.ifMatch ?? '*', ...preferHeaders(options) },
    json: checkData(data, operation),
    idempotent: true,
    operation,
    ...callOptions(options),
  };
}

const UPSERT_CONDITION: Record<UpsertMode, Record<string, string>> = {
  upsert: {},
  createOnly: { 'if-none-match': '*' },
  updateOnly: { 'if-match': '*' },
};

export function upsertRequest(set: string, key: RowKey, data: Row, options: UpsertOptions = {}): RequestSpec {
  const mode = options.mode ?? 'upsert';
  const condition = UPSERT_CONDITION[mode];
  if (!condition) throw invalidArgument(`upsert ${set}: mode must be 'upsert', 'createOnly' or 'updateOnly'; got '${mode}'.`);
  const operation = `upsert ${set}(${describeKey(key)})`;
  return {
    method: 'PATCH',
    path: rowPath(set, key) + representationQuery(options),
    headers: { ...condition, ...preferHeaders(options) },
    json: checkData(data, operation),
    // Keyed: repeating it writes the same values to the same row, never a second row.
    idempotent: true,
    operation,
    ...callOptions(options),
  };
}

export function deleteRequest(set: string, key: RowKey, options: DeleteOptions = {}): RequestSpec {
  return {
    method: 'DELETE',
    path: rowPath(set, key),
    headers: options.ifMatch ? { 'if-match': options.ifMatch } : {},
    idempotent: true,
    operation: `delete ${set}(${describeKey(key)})`,
    ...callOptions(options),
  };
}

// ---- operations ----

/** The row's GUID when no header says it: the body's `@odata.id`, else the one GUID column named like the table. */
export function idFromRow(set: string, row: Row | undefined): string | undefined {
  if (!row) return undefined;
  const fromId = guidOfEntityUrl(typeof row['@odata.id'] === 'string' ? row['@odata.id'] : undefined);
  if (fromId) return fromId;
  const candidates = Object.entries(row).filter(
    ([name, value]) => /^[a-z0-9_]+id$/i.test(name) && typeof value === 'string' && guidOfEntityUrl(`(${value})`),
  );
  const named = candidates.find(([name]) => set.toLowerCase().startsWith(name.slice(0, -2).toLowerCase().replace(/y$/, '')));
  // Activities (tasks, emails…) share the activitypointer key.
  const chosen = named ?? candidates.find(([name]) => name === 'activityid') ?? (candidates.length === 1 ? candidates[0] : undefined);
  return chosen ? String(chosen[1]).toLowerCase() : undefined;
}

function writeResult(set: string, response: HttpResponse): WriteResult {
  const row = parseJson<Row>(response);
  const entityUrl = response.headers['odata-entityid'];
  const result: WriteResult = {};
  const id = guidOfEntityUrl(entityUrl) ?? idFromRow(set, row);
  if (id) result.id = id;
  if (entityUrl) result.entityUrl = entityUrl;
  if (row) result.row = row;
  const etag = response.headers['etag'] ?? (typeof row?.['@odata.etag'] === 'string' ? row['@odata.etag'] : undefined);
  if (etag) result.etag = etag;
  return result;
}

/** Names table and key in a 404, which the service's message may not (alternate keys, missing tables). */
async function withRowContext<T>(set: string, key: RowKey, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isNotFound(e)) throw rowNotFound(e, operation, set, describeKey(key));
    throw e;
  }
}

export async function createRow(ctx: DataverseContext, set: string, data: Row, options: RepresentationOptions = {}): Promise<WriteResult & { id: string }> {
  const response = await ctx.execute(createRequest(set, data, options));
  const result = writeResult(set, response);
  if (!result.id) {
    // The row was created: say so, so that nobody "retries" a create that succeeded.
    const why = result.entityUrl ? `its OData-EntityId ${JSON.stringify(result.entityUrl.slice(0, 200))} ends in no row id` : 'no OData-EntityId header';
    throw invalidResponse(`create ${set}: the service reported success but named no row id (${why}); the row exists, do not create it again.`, response.status);
  }
  return result as WriteResult & { id: string };
}

export async function retrieveRow(ctx: DataverseContext, set: string, key: RowKey, options: RetrieveOptions = {}): Promise<Row> {
  return withRowContext(set, key, `retrieve ${set}`, async () => (await ctx.executeJson<Row>(retrieveRequest(set, key, options))) ?? {});
}

export async function updateRow(ctx: DataverseContext, set: string, key: RowKey, data: Row, options: UpdateOptions = {}): Promise<WriteResult> {
  return withRowContext(set, key, `update ${set}`, async () => writeResult(set, await ctx.execute(updateRequest(set, key, data, options))));
}

export async function upsertRow(ctx: DataverseContext, set: string, key: RowKey, data: Row, options: UpsertOptions = {}): Promise<WriteResult> {
  return withRowContext(set, key, `upsert ${set}`, async () => writeResult(set, await ctx.execute(upsertRequest(set, key, data, options))));
}

export async function deleteRow(ctx: DataverseContext, set: string, key: RowKey, options: DeleteOptions = {}): Promise<void> {
  await withRowContext(set, key, `delete ${set}`, () => ctx.execute(deleteRequest(set, key, options)));
}
