/**
 * Parses a Dataverse multipart/mixed $batch request body into operations and change sets.
 * The emulator keeps its own parser (independent of the client's batch writer) so each can catch the other's bugs.
 */
import { contentIdReferenceOf } from './content-id-references';
import { BatchFormatError } from './errors';
import { boundaryOf, parseContentType, parseHeaderLines, readHeaderBlock, splitMultipart } from './multipart-reader';

export interface BatchOperation {
  kind: 'operation';
  method: string;
  /** Absolute URL, or the request-line text unchanged when it starts with a `$n` Content-ID reference. */
  url: string;
  /** Headers of the embedded HTTP request, names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
  contentId?: string;
}

export interface BatchChangeSet {
  kind: 'changeset';
  changesetBoundary: string;
  operations: BatchOperation[];
}

export type BatchRequestItem = BatchOperation | BatchChangeSet;

export interface ParseBatchOptions {
  /** The service root the batch was posted to, e.g. `https://127.0.0.1:8443/api/data/v9.2/`. */
  baseUrl: string;
  /** Dataverse allows 1,000 operations per batch (and so per change set). */
  maxOperations?: number;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Dataverse documents URLs up to 64 KB inside a batch (the way to send long FetchXML GETs). */
const MAX_URL_LENGTH = 64 * 1024;
const MAX_MIME_HEADER_BYTES = 16 * 1024;
const MAX_REQUEST_HEAD_BYTES = MAX_URL_LENGTH + 16 * 1024;

function batchTooLarge(max: number): BatchFormatError {
  return new BatchFormatError(
    `The current batch message contains too many parts. Only batch messages with a maximum number of '${max}' query operations, including changeset operations, are allowed.`,
  );
}

function changeSetTooLarge(max: number): BatchFormatError {
  return new BatchFormatError(
    `The current change set contains too many operations. A maximum number of '${max}' operations are allowed in a change set`,
  );
}

export function parseBatchRequest(body: Buffer, contentType: string, options: ParseBatchOptions): BatchRequestItem[] {
  const max = options.maxOperations ?? 1000;
  const base = parseBaseUrl(options.baseUrl);
  const type = parseContentType(contentType ?? '');
  if (type.mediaType !== 'multipart/mixed') {
    throw new BatchFormatError(
      `The content type '${String(contentType).slice(0, 100)}' is not supported for $batch requests; use 'multipart/mixed' with a boundary.`,
    );
  }
  const boundary = boundaryOf(type, 'batch');
  const parts = splitMultipart(body, boundary, { max, error: () => batchTooLarge(max) }, 'batch');

  const items: BatchRequestItem[] = [];
  let operationCount = 0;
  for (const part of parts) {
    const mime = readMimeHeaders(part, 'batch part');
    const partType = requirePartContentType(mime.headers);
    if (partType.mediaType === 'multipart/mixed') {
      const changeSet = readChangeSet(mime.rest, boundaryOf(partType, 'change set'), base, max);
      operationCount += changeSet.operations.length;
      if (operationCount > max) throw batchTooLarge(max);
      items.push(changeSet);
    } else {
      if (++operationCount > max) throw batchTooLarge(max);
      items.push(readOperation(mime.headers, partType.mediaType, mime.rest, base));
    }
  }
  return items;
}

function parseBaseUrl(baseUrl: string): URL {
  const base = new URL(baseUrl);
  // Relative request lines resolve against the service root, which must end in '/' to keep its last segment.
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

function readMimeHeaders(part: Buffer, what: string) {
  const block = readHeaderBlock(part, MAX_MIME_HEADER_BYTES, what);
  return { headers: parseHeaderLines(block.lines, what), rest: block.rest };
}

function requirePartContentType(headers: Record<string, string>) {
  const value = headers['content-type'];
  if (value === undefined) {
    throw new BatchFormatError("The 'Content-Type' header is missing. It must be specified for each MIME part of a batch message.");
  }
  return parseContentType(value);
}

function readChangeSet(content: Buffer, boundary: string, base: URL, max: number): BatchChangeSet {
  const parts = splitMultipart(content, boundary, { max, error: () => changeSetTooLarge(max) }, 'change set');
  const seen = new Set<string>();
  const operations = parts.map((part) => {
    const mime = readMimeHeaders(part, 'change set part');
    const partType = requirePartContentType(mime.headers);
    if (partType.mediaType === 'multipart/mixed') throw new BatchFormatError('Nested change sets in a batch payload are not supported.');
    const operation = readOperation(mime.headers, partType.mediaType, mime.rest, base);
    if (operation.method === 'GET') {
      throw new BatchFormatError(
        "An invalid HTTP method 'GET' was detected for a request in a change set. Requests in change sets only support the HTTP methods 'POST', 'PUT', 'DELETE', and 'PATCH'.",
      );
    }
    if (operation.contentId === undefined || operation.contentId === '') {
      throw new BatchFormatError("The 'Content-ID' header is missing. Every operation in a change set must have a Content-ID.");
    }
    // OData 4.0 scopes Content-IDs (and $n references) to their change set.
    if (seen.has(operation.contentId)) {
      throw new BatchFormatError(`The content ID '${operation.contentId}' was found more than once in the same change set. Content IDs must be unique within a change set.`);
    }
    seen.add(operation.contentId);
    return operation;
  });
  return { kind: 'changeset', changesetBoundary: boundary, operations };
}

function readOperation(mimeHeaders: Record<string, string>, mediaType: string, content: Buffer, base: URL): BatchOperation {
  if (mediaType !== 'application/http') {
    throw new BatchFormatError(
      `The 'Content-Type' header value '${mimeHeaders['content-type'].slice(0, 100)}' is invalid for a batch operation; it must be 'application/http' ('multipart/mixed' only for a change set in the batch itself).`,
    );
  }
  if ((mimeHeaders['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') {
    throw new BatchFormatError("A missing or invalid 'Content-Transfer-Encoding' header was found. It must be specified for each batch operation, and its value must be 'binary'.");
  }
  const block = readHeaderBlock(content, MAX_REQUEST_HEAD_BYTES, 'batch operation');
  const [requestLine = '', ...headerLines] = block.lines;
  const { method, target } = parseRequestLine(requestLine);
  const headers = parseHeaderLines(headerLines, 'batch operation');
  const contentId = mimeHeaders['content-id'] ?? headers['content-id'];
  return {
    kind: 'operation',
    method,
    url: resolveTarget(target, base),
    headers,
    body: trimToContentLength(block.rest, headers['content-length']),
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

function parseRequestLine(line: string): { method: string; target: string } {
  const first = line.indexOf(' ');
  const last = line.lastIndexOf(' ');
  const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  if (line === '' || first <= 0 || last <= first + 1) {
    throw new BatchFormatError(`The request line '${shown}' of a batch operation is invalid; it must have the format 'METHOD URL HTTP/1.1'.`);
  }
  const method = line.slice(0, first).toUpperCase();
  const version = line.slice(last + 1);
  const target = line.slice(first + 1, last).trim();
  if (!METHODS.has(method)) throw new BatchFormatError(`The HTTP method '${method.slice(0, 20)}' of a batch operation is not supported.`);
  if (version !== 'HTTP/1.1') throw new BatchFormatError(`The HTTP version '${version.slice(0, 20)}' of a batch operation is invalid; it must be 'HTTP/1.1'.`);
  if (target.length > MAX_URL_LENGTH) throw new BatchFormatError(`The URL of a batch operation is longer than ${MAX_URL_LENGTH} characters.`);
  return { method, target };
}

function resolveTarget(target: string, base: URL): string {
  // `$n` can only be resolved once the referenced operation has run.
  if (contentIdReferenceOf(target) !== undefined) return target;
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    throw new BatchFormatError(`The URL '${target.slice(0, 200)}' of a batch operation is not a valid absolute or relative URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BatchFormatError(`The URL '${target.slice(0, 200)}' of a batch operation must use http or https.`);
  }
  if (/\/(\$|%24)batch$/i.test(url.pathname)) throw new BatchFormatError('Nested batch requests are not supported.');
  return url.toString();
}

function trimToContentLength(body: Buffer, contentLength: string | undefined): Buffer {
  if (contentLength === undefined || !/^\d{1,15}$/.test(contentLength.trim())) return body;
  const length = Number(contentLength.trim());
  return length < body.length ? body.subarray(0, length) : body;
}
