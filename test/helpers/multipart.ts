/**
 * Reads a multipart/mixed $batch response (the emulator's, or a recorded docs sample converted to CRLF) into a tree
 * of parts, so tests can compare structure: status lines, header names in order, Content-ID echoes, bodies.
 */

export interface ResponsePart {
  /** MIME headers of the part, names as written. */
  mime: [string, string][];
  contentId?: string;
  /** For change sets: the inner boundary and its parts. */
  changeset?: { boundary: string; parts: ResponsePart[] };
  /** `HTTP/1.1 204 No Content` */
  statusLine?: string;
  status?: number;
  /** Headers of the embedded HTTP response, names as written, in order. */
  headers: [string, string][];
  body: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readHeaders(block: string): [string, string][] {
  return block
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    });
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Splits `text` on `--boundary` delimiters (CRLF only) and reads every part. Throws on anything malformed. */
export function parseMultipartResponse(text: string, boundary: string): ResponsePart[] {
  const delimiter = new RegExp(`(?:^|\\r\\n)--${escapeRegExp(boundary)}(--)?(?:\\r\\n|$)`, 'g');
  const found: { start: number; end: number; close: boolean }[] = [];
  for (let m = delimiter.exec(text); m; m = delimiter.exec(text)) found.push({ start: m.index, end: m.index + m[0].length, close: m[1] === '--' });
  if (found.length < 2 || found[0].start !== 0) throw new Error(`multipart text does not start with --${boundary}`);
  const last = found[found.length - 1];
  if (!last.close) throw new Error(`multipart text has no closing --${boundary}--`);
  if (text.slice(last.end).replace(/\r\n/g, '') !== '') throw new Error('text after the closing delimiter');
  const parts: ResponsePart[] = [];
  for (let i = 0; i < found.length - 1; i++) {
    if (found[i].close) throw new Error('closing delimiter before the last part');
    parts.push(readPart(text.slice(found[i].end, found[i + 1].start)));
  }
  return parts;
}

function readPart(raw: string): ResponsePart {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`part without a blank line after its MIME headers: ${JSON.stringify(raw.slice(0, 200))}`);
  const mime = readHeaders(raw.slice(0, split));
  const rest = raw.slice(split + 4);
  const contentType = headerValue(mime, 'content-type') ?? '';
  const contentId = headerValue(mime, 'content-id');
  const inner = /^multipart\/mixed;\s*boundary="?([^";]+)"?/i.exec(contentType);
  if (inner) {
    return { mime, contentId, changeset: { boundary: inner[1], parts: parseMultipartResponse(rest.replace(/^(\r\n)+/, ''), inner[1]) }, headers: [], body: '' };
  }
  const headEnd = rest.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? rest.replace(/(\r\n)+$/, '') : rest.slice(0, headEnd);
  const [statusLine, ...headerLines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  if (!status) throw new Error(`part without an HTTP status line: ${JSON.stringify(statusLine)}`);
  return {
    mime,
    contentId,
    statusLine,
    status: Number(status[1]),
    headers: readHeaders(headerLines.join('\r\n')),
    body: headEnd < 0 ? '' : rest.slice(headEnd + 4).replace(/(\r\n)+$/, ''),
  };
}

/** The boundary of a `multipart/mixed; boundary=…` content type. */
export function boundaryOf(contentType: string | string[] | undefined): string {
  const m = /boundary="?([^";]+)"?/i.exec(String(contentType ?? ''));
  if (!m) throw new Error(`no boundary in ${String(contentType)}`);
  return m[1];
}

/** Builds a CRLF multipart/mixed $batch body. Items are either a raw request (`GET accounts HTTP/1.1` + headers + body) or a change set. */
export type BatchItem = { request: string; headers?: Record<string, string>; body?: unknown; contentId?: string } | { changeset: BatchItem[] };

export function batchBody(boundary: string, items: BatchItem[]): string {
  const out: string[] = [];
  for (const item of items) {
    out.push(`--${boundary}`);
    if ('changeset' in item) {
      const cs = `changeset_${boundary}`;
      out.push(`Content-Type: multipart/mixed; boundary=${cs}`, '');
      out.push(batchBody(cs, item.changeset).replace(/\r\n$/, ''));
    } else {
      out.push('Content-Type: application/http', 'Content-Transfer-Encoding: binary');
      if (item.contentId !== undefined) out.push(`Content-ID: ${item.contentId}`);
      out.push('', `${item.request} HTTP/1.1`);
      for (const [name, value] of Object.entries(item.headers ?? {})) out.push(`${name}: ${value}`);
      if (item.body !== undefined) {
        if (!Object.keys(item.headers ?? {}).some((h) => h.toLowerCase() === 'content-type')) out.push('Content-Type: application/json; type=entry');
        out.push('', typeof item.body === 'string' ? item.body : JSON.stringify(item.body));
      } else {
        out.push('', '');
      }
    }
  }
  out.push(`--${boundary}--`, '');
  return out.join('\r\n');
}
