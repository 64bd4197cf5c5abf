/**
 * File and image columns (reference §11). Uploads up to one chunk go in a single PATCH; larger ones use the
 * chunked protocol (a PATCH with `x-ms-transfer-mode: chunked` opens a session at the returned Location, then one
 * PATCH per chunk with Content-Range), which keeps every request under the front end's body limits.
 * Downloads read `$value` with Range requests, one chunk at a time, so a large file can be streamed.
 */
import { Readable } from 'node:stream';
import { D365Error } from '../http/errors';
import type { HttpResponse } from '../http/types';
import { assertIdentifier } from '../odata/identifiers';
import { callOptions, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { describeKey, rowPath, type RowKey } from './row-path';

/** Dataverse's chunk size (x-ms-chunk-size); also the largest single-request upload this client sends. */
export const FILE_CHUNK_SIZE = 4 * 1024 * 1024;

export interface UploadFileOptions extends CallOptions {
  fileName: string;
  /** Force the chunked protocol (true) or a single request (false); default: chunked above 4 MB. */
  chunked?: boolean;
}

export interface DownloadFileOptions extends CallOptions {
  /** Images: `full` for the full-size image instead of the thumbnail. */
  size?: 'full' | 'thumbnail';
  /** Bytes per Range request; default 4 MB. */
  chunkSize?: number;
}

export interface FileInfo {
  fileName?: string;
  fileSize: number;
  mimeType?: string;
}

export interface DownloadedFile extends FileInfo {
  data: Buffer;
}

export interface FileStream extends FileInfo {
  stream: Readable;
}

function columnPath(set: string, key: RowKey, column: string): string {
  try {
    return `${rowPath(set, key)}/${assertIdentifier(column, 'file or image column')}`;
  } catch (e) {
    if (e instanceof D365Error) throw e;
    throw invalidArgument((e as Error).message, e);
  }
}

/** Header values are ASCII only; other names travel in the query parameter Dataverse also reads. */
function fileNameParts(fileName: string): { headers: Record<string, string>; query: string } {
  if (!fileName) throw invalidArgument('uploadFile: a file name is required (Dataverse stores it with the file).');
  if (/^[\x20-\x7e]*$/.test(fileName)) return { headers: { 'x-ms-file-name': fileName }, query: '' };
  return { headers: {}, query: `?x-ms-file-name=${encodeURIComponent(fileName)}` };
}

function label(verb: string, set: string, key: RowKey, column: string): string {
  return `${verb} ${set}(${describeKey(key)})/${column}`;
}

export async function uploadFile(ctx: DataverseContext, set: string, key: RowKey, column: string, data: Buffer, options: UploadFileOptions): Promise<void> {
  const path = columnPath(set, key, column);
  const name = fileNameParts(options.fileName);
  const operation = label('uploadFile', set, key, column);
  // An empty file has no byte range to send in chunks.
  const chunked = data.length > 0 && (options.chunked ?? data.length > FILE_CHUNK_SIZE);
  const octet = { ...name.headers, 'content-type': 'application/octet-stream' };
  // Every request here is idempotent: a file write replaces the column, and a chunk is pinned by its Content-Range.
  if (!chunked) {
    await ctx.execute({ method: 'PATCH', path: path + name.query, headers: octet, body: data, idempotent: true, operation, ...callOptions(options) });
    return;
  }
  const session = await ctx.execute({
    method: 'PATCH',
    path: path + name.query,
    headers: { ...name.headers, 'x-ms-transfer-mode': 'chunked' },
    idempotent: true,
    operation: `${operation} (start)`,
    ...callOptions(options),
  });
  const location = session.headers['location'];
  if (!location) throw invalidResponse(`${operation}: the service opened no upload session (no Location header).`, session.status);
  // The session URL carries the token to the chunks; it must not lead anywhere but the environment.
  const url = ctx.linkUrl(location, 'Location of the upload session');
  const announced = Number(session.headers['x-ms-chunk-size']);
  const chunkSize = Number.isInteger(announced) && announced > 0 ? announced : FILE_CHUNK_SIZE;
  for (let start = 0; start < data.length; start += chunkSize) {
    const end = Math.min(start + chunkSize, data.length) - 1;
    await ctx.execute({
      method: 'PATCH',
      path: url,
      headers: { ...octet, 'content-range': `bytes ${start}-${end}/${data.length}` },
      body: data.subarray(start, end + 1),
      idempotent: true,
      operation: `${operation} (bytes ${start}-${end} of ${data.length})`,
      ...callOptions(options),
    });
  }
}

function info(response: HttpResponse, received: number): FileInfo {
  const size = Number(response.headers['x-ms-file-size'] ?? /\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1]);
  const rawName = response.headers['x-ms-file-name'];
  let fileName = rawName;
  // Non-ASCII names arrive percent-encoded.
  if (rawName?.includes('%')) {
    try {
      fileName = decodeURIComponent(rawName);
    } catch {
      fileName = rawName;
    }
  }
  const result: FileInfo = { fileSize: Number.isInteger(size) ? size : received };
  if (fileName) result.fileName = fileName;
  const mimeType = response.headers['mimetype'] ?? response.headers['content-type'];
  if (mimeType) result.mimeType = mimeType;
  return result;
}

function rangeRequest(path: string, operation: string, start: number, chunkSize: number, options: CallOptions): RequestSpec {
  return {
    method: 'GET',
    path,
    headers: { accept: '*/*', range: `bytes=${start}-${start + chunkSize - 1}` },
    idempotent: true,
    operation: `${operation} (from byte ${start})`,
    ...callOptions(options),
  };
}

/**
 * Opens a download: the first chunk is read at once (it carries the name and size), the rest as the stream is
 * read. Whole-body answers (a server that ignores Range) are handled too.
 */
async function openDownload(
  ctx: DataverseContext,
  set: string,
  key: RowKey,
  column: string,
  options: DownloadFileOptions,
): Promise<{ info: FileInfo; chunks: AsyncGenerator<Buffer, void, undefined> }> {
  const chunkSize = options.chunkSize ?? FILE_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw invalidArgument(`downloadFile: chunkSize must be a positive whole number of bytes; got ${chunkSize}.`);
  const path = `${columnPath(set, key, column)}/$value${options.size ? `?size=${options.size}` : ''}`;
  const operation = label('downloadFile', set, key, column);
  let first: HttpResponse;
  try {
    first = await ctx.execute(rangeRequest(path, operation, 0, chunkSize, options));
  } catch (e) {
    // 416: an empty file has no byte 0; ask for it whole.
    if (!(e instanceof D365Error) || e.status !== 416) throw e;
    first = await ctx.execute({ method: 'GET', path, headers: { accept: '*/*' }, idempotent: true, operation, ...callOptions(options) });
  }
  const fileInfo = info(first, first.body.length);
  const total = first.status === 206 ? fileInfo.fileSize : first.body.length;
  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    let received = first.body.length;
    yield first.body;
    while (received < total) {
      const next = await ctx.execute(rangeRequest(path, operation, received, chunkSize, options));
      if (next.body.length === 0) throw invalidResponse(`${operation}: the service sent no bytes from byte ${received} of ${total}.`, next.status);
      received += next.body.length;
      yield next.body;
    }
  }
  return { info: { ...fileInfo, fileSize: total }, chunks: chunks() };
}

/** The whole file in memory; use downloadFileStream for files too large for that. */
export async function downloadFile(ctx: DataverseContext, set: string, key: RowKey, column: string, options: DownloadFileOptions = {}): Promise<DownloadedFile> {
  const { info: fileInfo, chunks } = await openDownload(ctx, set, key, column, options);
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return { ...fileInfo, data: Buffer.concat(parts) };
}

export async function downloadFileStream(ctx: DataverseContext, set: string, key: RowKey, column: string, options: DownloadFileOptions = {}): Promise<FileStream> {
  const { info: fileInfo, chunks } = await openDownload(ctx, set, key, column, options);
  return { ...fileInfo, stream: Readable.from(chunks, { objectMode: false }) };
}

export async function deleteFile(ctx: DataverseContext, set: string, key: RowKey, column: string, options: CallOptions = {}): Promise<void> {
  await ctx.execute({ method: 'DELETE', path: columnPath(set, key, column), idempotent: true, operation: label('deleteFile', set, key, column), ...callOptions(options) });
}
