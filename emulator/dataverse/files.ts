/**
 * File and image column transfer (`accounts(id)/sample_file`): single-request upload, the chunked session protocol
 * (200 + Location + x-ms-chunk-size, then 206 per chunk, 204 for the last), download with Range, and delete.
 * Image columns use the same protocol; their bytes also live in the row, because images can be set with the row.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { header, EmulatorResponse } from '../http/types';
import { LOOKUP_TABLES, Row, StoredFile } from '../store/table-store';
import type { CallContext, DataverseService } from './context';
import { badRequest, DataverseError, methodNotAllowed, rowNotFound } from './errors';
import { IMAGE_MAX_SIZE_KB } from './metadata/attribute-metadata';
import { stableGuid } from './metadata/labels';
import type { RowRef } from './rows';
import type { Table } from './schema';

export const CHUNK_SIZE = 4 * 1024 * 1024;
/** Dataverse does not document a session lifetime; abandoned sessions must not pile up, so they lapse when idle. */
export const SESSION_IDLE_MS = 15 * 60 * 1000;

interface UploadSession {
  table: string;
  rowId: string;
  column: string;
  fileName?: string;
  chunks: Buffer[];
  received: number;
  total?: number;
  expiresAt: number;
}

// Sessions are per emulator instance and deliberately not persisted: a restart abandons half-done uploads.
const sessionsByService = new WeakMap<DataverseService, Map<string, UploadSession>>();

function sessions(service: DataverseService): Map<string, UploadSession> {
  let map = sessionsByService.get(service);
  if (!map) {
    map = new Map();
    sessionsByService.set(service, map);
  }
  const now = service.now().getTime();
  for (const [token, s] of map) if (s.expiresAt <= now) map.delete(token);
  return map;
}

export async function handleFileColumn(
  ctx: CallContext,
  table: Table,
  row: RowRef,
  column: string,
  valueSegment: boolean,
  sessionToken?: string,
): Promise<EmulatorResponse> {
  if (!row.row) throw rowNotFound(table.logicalName, row.id || row.keyText);
  const method = ctx.req.method;
  const path = `${table.setName}(${row.id})/${column}${valueSegment ? '/$value' : ''}`;
  if (method === 'GET') return valueSegment ? download(ctx, table, row.row, column) : columnValue(ctx, table, row.row, column);
  if (valueSegment) throw methodNotAllowed(method, path);
  if (method === 'DELETE') return remove(ctx, table, row.row, column);
  if (method !== 'PATCH' && method !== 'PUT') throw methodNotAllowed(method, path);
  if (sessionToken !== undefined) return uploadChunk(ctx, table, row.row, column, sessionToken);
  if (header(ctx.req, 'x-ms-transfer-mode')?.toLowerCase() === 'chunked') return startSession(ctx, table, row.row, column);
  return uploadWhole(ctx, table, row.row, column);
}

const isImage = (table: Table, column: string) => table.imageColumns.has(column);

function maxBytes(table: Table, column: string): number {
  return (isImage(table, column) ? IMAGE_MAX_SIZE_KB : (table.fileColumns.get(column)?.maxSizeInKB ?? 32768)) * 1024;
}

function tooBig(table: Table, column: string, size: number): DataverseError {
  if (!isImage(table, column)) return new DataverseError(400, '0x80044a02', 'Attachment file size is too big.');
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  return new DataverseError(
    400,
    '0x80072553',
    `Error occured when processing image. Reason: File size is too big. MaxSize: ${mb(maxBytes(table, column))} MB, Uploaded filesize: ${mb(size)} MB.`,
  );
}

/** The header wins over the query parameter (headers are ASCII only, so non-ASCII names come in the query). */
function fileNameOf(ctx: CallContext): string | undefined {
  return header(ctx.req, 'x-ms-file-name') ?? ctx.query.get('x-ms-file-name') ?? undefined;
}

function requireFileName(name: string | undefined): string {
  if (!name) throw badRequest('The file name is missing: send it in the x-ms-file-name header or the x-ms-file-name query parameter.');
  return name;
}

function checkContentType(ctx: CallContext): void {
  const type = header(ctx.req, 'content-type')?.toLowerCase() ?? '';
  if (type.startsWith('application/json')) {
    throw badRequest('File and image columns are uploaded as raw bytes with Content-Type: application/octet-stream, not as JSON.');
  }
}

function uploadWhole(ctx: CallContext, table: Table, row: Row, column: string): EmulatorResponse {
  checkContentType(ctx);
  const name = requireFileName(fileNameOf(ctx));
  if (ctx.req.body.length > maxBytes(table, column)) throw tooBig(table, column, ctx.req.body.length);
  storeUpload(ctx, table, row, column, name, ctx.req.body);
  return { status: 204, headers: { 'odata-version': '4.0' } };
}

function startSession(ctx: CallContext, table: Table, row: Row, column: string): EmulatorResponse {
  if (ctx.req.body.length > 0) throw badRequest('A chunked upload starts with an empty request body; send the bytes in the following requests.');
  const token = randomBytes(48).toString('base64url');
  const rowId = String(row[table.primaryId]);
  sessions(ctx.service).set(token, {
    table: table.logicalName,
    rowId,
    column,
    fileName: fileNameOf(ctx),
    chunks: [],
    received: 0,
    expiresAt: ctx.service.now().getTime() + SESSION_IDLE_MS,
  });
  return {
    status: 200,
    headers: {
      'odata-version': '4.0',
      location: `${ctx.service.serviceRoot}${table.setName}(${rowId})/${column}?sessiontoken=${encodeURIComponent(token)}`,
      'x-ms-chunk-size': String(CHUNK_SIZE),
      'accept-ranges': 'bytes',
      'access-control-expose-headers': 'x-ms-chunk-size',
    },
  };
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

function uploadChunk(ctx: CallContext, table: Table, row: Row, column: string, token: string): EmulatorResponse {
  const all = sessions(ctx.service);
  const session = all.get(token);
  if (!session) throw badRequest('The upload session token is not valid or the session has expired; start a new chunked upload.');
  if (session.table !== table.logicalName || session.rowId !== String(row[table.primaryId]) || session.column !== column) {
    throw badRequest(`The upload session token belongs to another column or row, not ${table.setName}(${row[table.primaryId]})/${column}.`);
  }
  checkContentType(ctx);
  const range = header(ctx.req, 'content-range');
  const m = range ? CONTENT_RANGE.exec(range.trim()) : null;
  if (!m) throw badRequest(`Each chunk needs a Content-Range header like 'bytes 0-${CHUNK_SIZE - 1}/<total size>'; got '${range ?? ''}'.`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const body = ctx.req.body;
  if (end < start || end >= total) throw badRequest(`The Content-Range '${range}' is not a valid byte range of a ${total}-byte file.`);
  if (session.total !== undefined && total !== session.total) {
    throw badRequest(`The Content-Range total ${total} differs from the total ${session.total} given by the earlier chunks.`);
  }
  if (start !== session.received) throw badRequest(`The chunk starts at byte ${start}, but the next expected byte is ${session.received}; chunks must be sent in order without gaps.`);
  if (body.length !== end - start + 1) throw badRequest(`The Content-Range '${range}' announces ${end - start + 1} bytes, but the body has ${body.length}.`);
  if (body.length > CHUNK_SIZE) throw badRequest(`A chunk may hold at most ${CHUNK_SIZE} bytes (x-ms-chunk-size); this one has ${body.length}.`);
  if (total > maxBytes(table, column)) {
    all.delete(token);
    throw tooBig(table, column, total);
  }
  session.total = total;
  session.fileName = fileNameOf(ctx) ?? session.fileName;
  session.chunks.push(Buffer.from(body));
  session.received += body.length;
  session.expiresAt = ctx.service.now().getTime() + SESSION_IDLE_MS;
  if (session.received < total) return { status: 206, headers: { 'odata-version': '4.0' } };

  all.delete(token);
  // Re-read: the row may have changed (or gone) while the chunks were coming in.
  const current = ctx.service.store.get(table.logicalName, session.rowId);
  if (!current) throw rowNotFound(table.logicalName, session.rowId);
  storeUpload(ctx, table, current, column, requireFileName(session.fileName), Buffer.concat(session.chunks));
  return { status: 204, headers: { 'odata-version': '4.0' } };
}

/** Images get a stable id per row and column, so a re-upload replaces the stored full image in place. */
function imageFileId(table: Table, rowId: string, column: string): string {
  return stableGuid('image', table.logicalName, rowId.toLowerCase(), column);
}

function storeUpload(ctx: CallContext, table: Table, row: Row, column: string, name: string, data: Buffer): void {
  const { store } = ctx.service;
  const rowId = String(row[table.primaryId]);
  const image = isImage(table, column);
  const id = image ? imageFileId(table, rowId, column) : randomUUID();
  const file: StoredFile = { id, name, mimeType: mimeTypeOf(name, data), data: data.toString('base64') };
  const changes: Row = image ? imageColumns(ctx, table, rowId, column, id, file.data) : { [column]: id, [`${column}_name`]: name };
  store.transaction(() => {
    const previous = row[column];
    if (!image && typeof previous === 'string' && previous !== id) store.deleteFile(previous.toLowerCase());
    store.putFile(file);
    writeRow(ctx, table, row, changes);
  });
}

/** An image column holds the (thumbnail) bytes themselves; companions say which image and when. */
function imageColumns(ctx: CallContext, table: Table, rowId: string, column: string, id: string, base64: string): Row {
  const timestamp = ctx.service.now().getTime();
  const changes: Row = { [column]: base64 };
  if (table.columns.has(`${column}id`)) changes[`${column}id`] = id;
  if (table.columns.has(`${column}_timestamp`)) changes[`${column}_timestamp`] = timestamp;
  if (table.columns.has(`${column}_url`)) {
    changes[`${column}_url`] = `/Image/download.aspx?Entity=${table.logicalName}&Attribute=${column}&Id=${rowId}&Timestamp=${timestamp}`;
  }
  return changes;
}

function writeRow(ctx: CallContext, table: Table, row: Row, changes: Row): void {
  const updated: Row = { ...row, ...changes };
  if (table.columns.has('modifiedon')) updated.modifiedon = ctx.service.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (table.columns.has('_modifiedby_value')) {
    updated._modifiedby_value = ctx.userId;
    updated[LOOKUP_TABLES] = { ...((row[LOOKUP_TABLES] as object) ?? {}), _modifiedby_value: 'systemuser' };
  }
  ctx.service.store.put(table.logicalName, String(row[table.primaryId]), updated);
}

function noFile(table: Table, row: Row, column: string): DataverseError {
  return new DataverseError(404, '0x80040217', `No file attachment found for attribute: ${column} EntityId: ${row[table.primaryId]}.`);
}

interface Content {
  name: string;
  mimeType: string;
  data: Buffer;
}

/**
 * What a download returns. Images: the row's bytes; the emulator keeps no separate thumbnail, so `size=full` and
 * the default size return the same bytes (the stored file only supplies the name when it is still current).
 */
function contentOf(ctx: CallContext, table: Table, row: Row, column: string): Content {
  const { store } = ctx.service;
  const value = row[column];
  if (typeof value !== 'string' || value === '') throw noFile(table, row, column);
  if (!isImage(table, column)) {
    const file = store.getFile(value);
    if (!file) throw noFile(table, row, column);
    return { name: file.name, mimeType: file.mimeType, data: Buffer.from(file.data, 'base64') };
  }
  const data = Buffer.from(value, 'base64');
  const file = store.getFile(imageFileId(table, String(row[table.primaryId]), column));
  const current = file && file.data === value ? file : undefined;
  const mimeType = current?.mimeType ?? mimeTypeOf('', data);
  return { name: current?.name ?? `${column}${extensionOf(mimeType)}`, mimeType, data };
}

const RANGE = /^bytes=(\d+)-(\d*)$/;

function download(ctx: CallContext, table: Table, row: Row, column: string): EmulatorResponse {
  const size = ctx.query.get('size');
  if (size !== null && !/^(full|thumbnail)$/i.test(size)) throw badRequest(`The size '${size}' is not valid; use size=full or leave it out for the thumbnail.`);
  const content = contentOf(ctx, table, row, column);
  const total = content.data.length;
  const headers: Record<string, string> = {
    'odata-version': '4.0',
    'content-type': 'application/octet-stream',
    'x-ms-file-name': headerSafe(content.name),
    'x-ms-file-size': String(total),
    mimetype: content.mimeType,
    'accept-ranges': 'bytes',
    'access-control-expose-headers': 'x-ms-file-name,x-ms-file-size,mimetype,x-ms-chunk-size',
  };
  const range = header(ctx.req, 'range');
  if (!range) return { status: 200, headers, body: content.data };
  const m = RANGE.exec(range.trim());
  const start = m ? Number(m[1]) : NaN;
  const end = m ? Math.min(m[2] === '' ? total - 1 : Number(m[2]), total - 1) : NaN;
  if (!m || start >= total || end < start) {
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${total}` } };
  }
  return {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${total}`, 'x-ms-chunk-size': String(CHUNK_SIZE) },
    body: content.data.subarray(start, end + 1),
  };
}

/** HTTP header values must be ASCII; a name that is not is sent percent-encoded rather than breaking the response. */
function headerSafe(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text);
}

/** `GET …/sample_file` without $value: the column's own value (the file id, or an image's bytes as base64). */
function columnValue(ctx: CallContext, table: Table, row: Row, column: string): EmulatorResponse {
  const context = `${ctx.service.serviceRoot}$metadata#${table.setName}(${row[table.primaryId]})/${column}`;
  return {
    status: 200,
    headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' },
    body: JSON.stringify({ '@odata.context': context, value: row[column] ?? null }),
  };
}

function remove(ctx: CallContext, table: Table, row: Row, column: string): EmulatorResponse {
  const value = row[column];
  if (value === null || value === undefined || value === '') throw noFile(table, row, column);
  const { store } = ctx.service;
  const rowId = String(row[table.primaryId]);
  store.transaction(() => {
    if (isImage(table, column)) {
      store.deleteFile(imageFileId(table, rowId, column));
      const cleared: Row = { [column]: null };
      for (const suffix of ['id', '_timestamp', '_url']) if (table.columns.has(`${column}${suffix}`)) cleared[`${column}${suffix}`] = null;
      writeRow(ctx, table, row, cleared);
    } else {
      store.deleteFile(String(value).toLowerCase());
      writeRow(ctx, table, row, { [column]: null, [`${column}_name`]: null });
    }
  });
  return { status: 204, headers: { 'odata-version': '4.0' } };
}

const MIME_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf', '.txt': 'text/plain', '.csv': 'text/csv', '.json': 'application/json', '.xml': 'application/xml',
  '.html': 'text/html', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.zip': 'application/zip', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Dataverse derives the MIME type from the file name; images without a name are recognised by their first bytes. */
function mimeTypeOf(name: string, data: Buffer): string {
  const ext = /\.[^.]+$/.exec(name.toLowerCase())?.[0];
  if (ext && MIME_TYPES[ext]) return MIME_TYPES[ext];
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return 'application/octet-stream';
}

function extensionOf(mimeType: string): string {
  return Object.entries(MIME_TYPES).find(([, type]) => type === mimeType)?.[0] ?? '';
}
