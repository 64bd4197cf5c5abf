/**
 * Low-level multipart/mixed reading for $batch (RFC 2046 with Dataverse's strict CRLF rule).
 *
 * Every search moves forward through the buffer, so work stays linear in the body size whatever the input;
 * the part count is capped by the caller before any part is interpreted.
 */
import { BatchFormatError, lineEndingError } from './errors';

export interface ContentType {
  /** Lower-cased `type/subtype`. */
  mediaType: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

export function parseContentType(value: string): ContentType {
  const semi = value.indexOf(';');
  const mediaType = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  let pos = semi < 0 ? value.length : semi + 1;
  while (pos < value.length) {
    const eq = value.indexOf('=', pos);
    if (eq < 0) break;
    const name = value.slice(pos, eq).trim().toLowerCase();
    pos = eq + 1;
    while (value[pos] === ' ' || value[pos] === '\t') pos++;
    let paramValue = '';
    if (value[pos] === '"') {
      pos++;
      while (pos < value.length && value[pos] !== '"') {
        if (value[pos] === '\\' && pos + 1 < value.length) pos++;
        paramValue += value[pos++];
      }
      pos++;
      const next = value.indexOf(';', pos);
      pos = next < 0 ? value.length : next + 1;
    } else {
      const next = value.indexOf(';', pos);
      paramValue = value.slice(pos, next < 0 ? value.length : next).trim();
      pos = next < 0 ? value.length : next + 1;
    }
    if (name !== '' && !params.has(name)) params.set(name, paramValue);
  }
  // fromEntries defines own properties, so names like __proto__ cannot reach the prototype.
  return { mediaType, params: Object.fromEntries(params) };
}

/** RFC 2046: 1 to 70 characters from a restricted set, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export function boundaryOf(contentType: ContentType, what: string): string {
  const boundary = contentType.params.boundary;
  if (boundary === undefined || boundary === '') {
    throw new BatchFormatError(`The ${what} content type has no 'boundary' parameter; a multipart/mixed boundary is required.`);
  }
  if (!BOUNDARY.test(boundary)) {
    throw new BatchFormatError(`The ${what} boundary '${boundary.slice(0, 80)}' is not a valid multipart boundary (1-70 characters).`);
  }
  return boundary;
}

const CR = 13;
const LF = 10;
const DASH = 45;

/** A `--boundary` match only counts when followed by `--`, transport padding or a line break (or the end). */
function isDelimiterEnd(body: Buffer, after: number): boolean {
  if (after >= body.length) return true;
  const c = body[after];
  if (c === DASH) return body[after + 1] === DASH;
  return c === CR || c === LF || c === 32 || c === 9;
}

function findDelimiter(body: Buffer, needle: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const found = body.indexOf(needle, at);
    if (found < 0 || isDelimiterEnd(body, found + needle.length)) return found;
    at = found + 1;
  }
}

export interface PartLimit {
  max: number;
  error: () => BatchFormatError;
}

/**
 * Returns the body of every part between the delimiters of `boundary`.
 * Throws the Dataverse "Stream was not readable" error when the structure only works with bare LF line breaks.
 */
export function splitMultipart(body: Buffer, boundary: string, limit: PartLimit, what: string): Buffer[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const crlfDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const lfDelimiter = Buffer.from(`\n--${boundary}`, 'latin1');

  let delimiter: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary) && isDelimiterEnd(body, dashBoundary.length)) {
    delimiter = 0;
  } else {
    const found = findDelimiter(body, crlfDelimiter, 0);
    if (found < 0) {
      if (findDelimiter(body, lfDelimiter, 0) >= 0) throw lineEndingError();
      throw new BatchFormatError(`The ${what} body does not contain the boundary delimiter '--${boundary}'.`);
    }
    delimiter = found + 2;
  }

  const parts: Buffer[] = [];
  for (;;) {
    let pos = delimiter + dashBoundary.length;
    if (body[pos] === DASH && body[pos + 1] === DASH) return parts;
    while (body[pos] === 32 || body[pos] === 9) pos++;
    if (pos >= body.length) {
      throw new BatchFormatError(`The ${what} body ends without the closing delimiter '--${boundary}--'.`);
    }
    if (body[pos] === LF) throw lineEndingError();
    if (body[pos] !== CR || body[pos + 1] !== LF) {
      throw new BatchFormatError(`The ${what} delimiter line '--${boundary}' must be followed by CRLF.`);
    }
    pos += 2;
    const next = findDelimiter(body, crlfDelimiter, pos);
    if (next < 0) {
      if (findDelimiter(body, lfDelimiter, pos) >= 0) throw lineEndingError();
      throw new BatchFormatError(`The ${what} body ends without the closing delimiter '--${boundary}--'.`);
    }
    if (parts.length >= limit.max) throw limit.error();
    parts.push(body.subarray(pos, next));
    delimiter = next + 2;
  }
}

export interface HeaderBlock {
  /** Lines before the first empty line, without line breaks. */
  lines: string[];
  /** Everything after the empty line (empty when the block never ends). */
  rest: Buffer;
}

const BLANK_LINE = Buffer.from('\r\n\r\n', 'latin1');

/** Splits `headers CRLF CRLF rest`; a block without the empty line is taken as headers only. */
export function readHeaderBlock(part: Buffer, maxBytes: number, what: string): HeaderBlock {
  if (part[0] === CR && part[1] === LF) return { lines: [], rest: part.subarray(2) };
  const window = part.subarray(0, maxBytes + BLANK_LINE.length);
  const end = window.indexOf(BLANK_LINE);
  if (end < 0 && part.length > maxBytes) {
    throw new BatchFormatError(`The ${what} headers are larger than ${maxBytes} bytes.`);
  }
  const head = part.subarray(0, end < 0 ? part.length : end).toString('utf8');
  const lines = head.split('\r\n');
  if (lines.some((line) => line.includes('\n'))) throw lineEndingError();
  return { lines, rest: end < 0 ? Buffer.alloc(0) : part.subarray(end + BLANK_LINE.length) };
}

const MAX_HEADERS = 100;

/** Header lines to a record with lower-cased names; repeated headers are joined as HTTP allows. */
export function parseHeaderLines(lines: string[], what: string): Record<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  let count = 0;
  for (const line of lines) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BatchFormatError(`The ${what} header line '${line.slice(0, 100)}' is not 'Name: value'.`);
    if (++count > MAX_HEADERS) throw new BatchFormatError(`The ${what} has more than ${MAX_HEADERS} headers.`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
    last = name;
  }
  return Object.fromEntries(headers);
}
