/**
 * Reads a Dataverse `$batch` answer into one item per top-level part: an operation's HTTP response, or a change
 * set's responses. Tolerant where real and recorded answers differ harmlessly (LF-only lines, a quoted or missing
 * boundary parameter, a change set without its closing line, a status line glued to the part headers as in the
 * DynamicsWebApi recordings), strict where a difference could hide a lost or cut answer (the outer closing line).
 */
import {
  addHeader, boundaryParameter, excerpt, malformed, MAX_HEADER_BLOCK_BYTES, parseHeaderLine, readLine, splitMultipart,
} from './batch-multipart';

export interface BatchPartResponse {
  /** Content-ID echoed on the part (Dataverse does so inside change sets). */
  contentId?: string;
  status: number;
  /** Headers of the embedded HTTP response, names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON; the text when it is not JSON; undefined when empty. */
  body: unknown;
}

export type BatchResponseItem =
  | { kind: 'operation'; response: BatchPartResponse }
  | { kind: 'changeset'; responses: BatchPartResponse[] };

/** Dataverse runs at most 1,000 operations per batch, so an answer with more parts is not one of its answers. */
const DEFAULT_MAX_OPERATIONS = 1000;
const STATUS_LINE = /^HTTP\/ ?\d(?:\.\d)? +(\d{3})(?:[ \t].*)?$/;
const STATUS_IN_LINE = /HTTP\/ ?\d(?:\.\d)? +\d{3}(?!\d)/;
const MAX_LEADING_BLANK_LINES = 4;

interface MimeBlock {
  headers: Map<string, string>;
  rest: Buffer;
}

function readMimeHeaders(part: Buffer, what: string): MimeBlock {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (let pos = 0; ; ) {
    const line = readLine(part, pos, MAX_HEADER_BLOCK_BYTES - pos, what);
    if (!line) return { headers, rest: Buffer.alloc(0) };
    if (line.text === '') return { headers, rest: part.subarray(line.next) };
    // Recorded answers sometimes lack the blank line before the status line, or glue it to the last header.
    const status = STATUS_IN_LINE.exec(line.text);
    if (status?.index === 0) return { headers, rest: part.subarray(line.start) };
    const text = status ? line.text.slice(0, status.index) : line.text;
    if ((text.startsWith(' ') || text.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last)} ${text.trim()}`);
    } else {
      const header = parseHeaderLine(text);
      if (!header) throw malformed(`a header line of the ${what} is not 'Name: value': ${excerpt(text)}.`);
      addHeader(headers, header[0], header[1], what);
      last = header[0];
    }
    if (status) return { headers, rest: part.subarray(line.start + status.index) };
    pos = line.next;
  }
}

function parseBody(bytes: Buffer, contentType: string | undefined): unknown {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
  const text = bytes.toString('utf8', 0, end);
  if (text.trim() === '') return undefined;
  if (/json/i.test(contentType ?? '') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // A cut or non-JSON body: the text is still worth showing to the caller.
    }
  }
  return text;
}

function readHttpResponse(content: Buffer, contentId: string | undefined, what: string): BatchPartResponse {
  let pos = 0;
  let line = readLine(content, pos, MAX_HEADER_BLOCK_BYTES, what);
  for (let blank = 0; line && line.text === '' && blank < MAX_LEADING_BLANK_LINES; blank++) {
    pos = line.next;
    line = readLine(content, pos, MAX_HEADER_BLOCK_BYTES, what);
  }
  const statusMatch = line ? STATUS_LINE.exec(line.text) : null;
  if (!line || !statusMatch) throw malformed(`a ${what} does not start with an HTTP status line (found ${excerpt(line?.text ?? '')}).`);
  const status = Number(statusMatch[1]);
  if (status < 100 || status > 599) throw malformed(`a ${what} has the impossible status ${status}.`);
  const headStart = line.start;
  const headers = new Map<string, string>();
  let last: string | undefined;
  let bodyStart = content.length;
  for (pos = line.next; ; ) {
    const next = readLine(content, pos, MAX_HEADER_BLOCK_BYTES - (pos - headStart), what);
    if (!next) break;
    if (next.text === '') {
      bodyStart = next.next;
      break;
    }
    if ((next.text.startsWith(' ') || next.text.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last)} ${next.text.trim()}`);
    } else {
      const header = parseHeaderLine(next.text);
      // Tolerated: a body that follows the headers without the blank line (DynamicsWebApi recordings).
      if (!header) {
        bodyStart = next.start;
        break;
      }
      addHeader(headers, header[0], header[1], what);
      last = header[0];
    }
    pos = next.next;
  }
  const id = contentId ?? headers.get('content-id');
  return {
    ...(id !== undefined ? { contentId: id } : {}),
    status,
    headers: Object.fromEntries(headers),
    body: parseBody(content.subarray(bodyStart), headers.get('content-type')),
  };
}

function readChangeSet(content: Buffer, contentType: string, budget: { left: number }): BatchResponseItem {
  const boundary = boundaryParameter(contentType);
  if (!boundary) throw malformed(`a change set part has no boundary in its content type ${excerpt(contentType)}.`);
  const parts = splitMultipart(content, boundary, { what: 'change set response', maxParts: budget.left, requireClose: false });
  const responses = parts.map((part) => {
    const mime = readMimeHeaders(part, 'change set part');
    if (/^\s*multipart\//i.test(mime.headers.get('content-type') ?? '')) throw malformed('a change set response contains another multipart.');
    return readHttpResponse(mime.rest, mime.headers.get('content-id'), 'change set part');
  });
  budget.left -= responses.length;
  return { kind: 'changeset', responses };
}

/** The boundary of an answer: from its Content-Type, else from a first line `--boundary` (test doubles send text/plain). */
export function batchResponseBoundary(body: Buffer, contentType: string | undefined): string | undefined {
  const declared = boundaryParameter(contentType);
  if (declared) return declared;
  const firstLine = /^--([^\s]{1,70})[ \t]*\r?\n/.exec(body.toString('latin1', 0, Math.min(body.length, 128)));
  return firstLine?.[1];
}

/** Parses a `$batch` answer; throws D365Error (code MalformedBatchResponse) with a clear message when it is not one. */
export function parseBatchResponse(body: Buffer | string, contentType: string | undefined, maxOperations = DEFAULT_MAX_OPERATIONS): BatchResponseItem[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const boundary = batchResponseBoundary(bytes, contentType);
  if (!boundary) throw malformed(`it is not multipart/mixed (Content-Type ${excerpt(contentType ?? 'none')}).`);
  const budget = { left: maxOperations };
  const parts = splitMultipart(bytes, boundary, { what: '$batch response', maxParts: maxOperations, requireClose: true });
  return parts.map((part): BatchResponseItem => {
    const mime = readMimeHeaders(part, '$batch part');
    const type = mime.headers.get('content-type') ?? '';
    if (/^\s*multipart\/mixed/i.test(type)) return readChangeSet(mime.rest, type, budget);
    if (budget.left-- <= 0) throw malformed(`the $batch response has more than ${maxOperations} operation parts.`);
    return { kind: 'operation', response: readHttpResponse(mime.rest, mime.headers.get('content-id'), '$batch part') };
  });
}
