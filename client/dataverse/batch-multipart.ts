/**
 * Reading multipart/mixed as Dataverse answers `$batch`: delimiters, header blocks, lines. Written for hostile
 * input: every search moves forward through the buffer, header blocks and part counts have caps, so a truncated,
 * binary or giant-line answer ends in a clear error after linear work, never in a hang or an out-of-memory.
 * CRLF is the rule; bare LF is accepted too, because a proxy or a test double may have rewritten line breaks.
 */
import { D365Error } from '../http/errors';

const CR = 13;
const LF = 10;
const DASH = 45;
const SPACE = 32;
const TAB = 9;

/** Headers of a part, or of the HTTP message inside it, are small; anything bigger is not a Dataverse answer. */
export const MAX_HEADER_BLOCK_BYTES = 64 * 1024;
const MAX_HEADERS = 100;

export function malformed(detail: string): D365Error {
  return new D365Error(`Malformed $batch response: ${detail}`, { code: 'MalformedBatchResponse' });
}

/** Shows a bit of untrusted text in a message without flooding it (or the log) with a 4 MB line. */
export function excerpt(text: string, max = 80): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > max ? `${printable.slice(0, max)}…` : printable);
}

/** The boundary parameter of a multipart Content-Type, quoted or not; undefined when there is none. */
export function boundaryParameter(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/mixed\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType.slice(0, 1024));
  return match ? (match[1] ?? match[2]) : undefined;
}

function isDelimiterEnd(body: Buffer, at: number): boolean {
  if (at >= body.length) return true;
  const c = body[at];
  if (c === DASH) return body[at + 1] === DASH;
  return c === CR || c === LF || c === SPACE || c === TAB;
}

/** Next `--boundary` that starts a line and is followed by `--`, padding, a line break or the end. */
function findDelimiter(body: Buffer, dashBoundary: Buffer, from: number): number {
  for (let at = from; ; ) {
    const found = body.indexOf(dashBoundary, at);
    if (found < 0) return -1;
    if ((found === 0 || body[found - 1] === LF) && isDelimiterEnd(body, found + dashBoundary.length)) return found;
    at = found + 1;
  }
}

/** The line break before a delimiter belongs to the delimiter, not to the part. */
function partEnd(body: Buffer, delimiter: number, start: number): number {
  let end = delimiter;
  if (end > start && body[end - 1] === LF) end--;
  if (end > start && body[end - 1] === CR) end--;
  return Math.max(start, end);
}

export interface SplitOptions {
  /** What is being read, for messages: '$batch response', 'change set response'. */
  what: string;
  maxParts: number;
  /**
   * The outer answer must end with `--boundary--`, or it was cut short. A change set inside it is bounded by the
   * outer delimiter anyway, so a missing inner closing line (seen in recorded DynamicsWebApi answers) is tolerated.
   */
  requireClose: boolean;
}

export function splitMultipart(body: Buffer, boundary: string, options: SplitOptions): Buffer[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  let delimiter = findDelimiter(body, dashBoundary, 0);
  if (delimiter < 0) throw malformed(`the ${options.what} does not contain its boundary delimiter '--${boundary}'.`);
  const parts: Buffer[] = [];
  for (;;) {
    let pos = delimiter + dashBoundary.length;
    if (body[pos] === DASH && body[pos + 1] === DASH) return parts;
    while (body[pos] === SPACE || body[pos] === TAB) pos++;
    if (pos >= body.length) {
      if (options.requireClose) throw malformed(`the ${options.what} ends without its closing delimiter '--${boundary}--' (cut short?).`);
      return parts;
    }
    if (body[pos] === CR && body[pos + 1] === LF) pos += 2;
    else if (body[pos] === LF) pos += 1;
    else throw malformed(`a delimiter line of the ${options.what} is not followed by a line break.`);
    const next = findDelimiter(body, dashBoundary, pos);
    if (parts.length >= options.maxParts) throw malformed(`the ${options.what} has more than ${options.maxParts} parts.`);
    if (next < 0) {
      if (options.requireClose) throw malformed(`the ${options.what} ends without its closing delimiter '--${boundary}--' (cut short?).`);
      parts.push(body.subarray(pos, partEnd(body, body.length, pos)));
      return parts;
    }
    parts.push(body.subarray(pos, partEnd(body, next, pos)));
    delimiter = next;
  }
}

export interface Line {
  /** Decoded as latin1 so that character offsets are byte offsets. */
  text: string;
  start: number;
  /** Offset just after the line break (or the end of the buffer). */
  next: number;
}

/** Reads one line starting at `pos`, looking no further than `budget` bytes; undefined at the end of the buffer. */
export function readLine(buf: Buffer, pos: number, budget: number, what: string): Line | undefined {
  if (pos >= buf.length) return undefined;
  const windowEnd = Math.min(buf.length, pos + Math.max(0, budget) + 1);
  const lf = buf.subarray(pos, windowEnd).indexOf(LF);
  if (lf < 0 && windowEnd < buf.length) throw malformed(`the ${what} has a header block larger than ${MAX_HEADER_BLOCK_BYTES} bytes.`);
  const end = lf < 0 ? buf.length : pos + lf;
  const textEnd = end > pos && buf[end - 1] === CR ? end - 1 : end;
  return { text: buf.toString('latin1', pos, textEnd), start: pos, next: lf < 0 ? buf.length : end + 1 };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHeaderLine(text: string): [string, string] | undefined {
  // Split by hand: a regex with a lazy value and trailing-space group backtracks quadratically on long blank runs.
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const name = text.slice(0, colon).trimEnd();
  if (!HEADER_NAME.test(name)) return undefined;
  // Header bytes were read as latin1; values may be UTF-8 (e.g. a localized error message).
  return [name.toLowerCase(), Buffer.from(text.slice(colon + 1).trim(), 'latin1').toString('utf8')];
}

/** Adds a header, joining repeats as HTTP allows and capping how many a block may have. */
export function addHeader(headers: Map<string, string>, name: string, value: string, what: string): void {
  const previous = headers.get(name);
  if (previous === undefined && headers.size >= MAX_HEADERS) throw malformed(`the ${what} has more than ${MAX_HEADERS} headers.`);
  headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
}
