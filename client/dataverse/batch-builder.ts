/**
 * Writes a Dataverse `$batch` request: multipart/mixed with CRLF line breaks everywhere (Dataverse answers LF-only
 * bodies with "Stream was not readable"), `batch_<uuid>` / `changeset_<uuid>` boundaries, one application/http
 * part per operation, change sets as nested multiparts whose parts all carry a Content-ID.
 */
import { randomUUID } from 'node:crypto';
import { D365Error } from '../http/errors';
import { pathReference } from './batch-content-id';
import { BatchGroup, invalidOperation, PlannedOperation } from './batch-plan';
import type { BatchOperation, BatchTarget } from './batch-types';

const CRLF = '\r\n';

export interface BuildBatchOptions {
  continueOnError?: boolean;
  /** UUID source for boundaries; injectable for reproducible tests. */
  newId?: () => string;
}

export interface BuiltBatchRequest {
  /** `<service root>$batch` */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  boundary: string;
}

/** `https://org.crm.dynamics.com/api/data/v9.2/` from the environment URL and `9.2` / `v9.2`. */
export function serviceRootOf(target: BatchTarget): URL {
  const version = String(target.apiVersion).trim().replace(/^v/i, '');
  if (!/^\d+(\.\d+)*$/.test(version)) throw new D365Error(`Batch: apiVersion '${target.apiVersion}' is not like 9.2.`, { code: 'InvalidBatchOperation' });
  let root: URL;
  try {
    root = new URL(target.environmentUrl);
  } catch {
    throw new D365Error(`Batch: environmentUrl ${JSON.stringify(target.environmentUrl)} is not an absolute URL.`, { code: 'InvalidBatchOperation' });
  }
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  return new URL(`api/data/v${version}/`, root);
}

/** The request-line target: absolute path under the service root (as in the docs samples), or `$n…` unchanged. */
function requestTarget(op: BatchOperation, index: number, serviceRoot: URL): string {
  const path = op.path.trim();
  let target: string;
  if (pathReference(path) !== undefined) {
    target = path;
  } else if (/^https?:\/\//i.test(path)) {
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      throw invalidOperation(index, op, 'path is not a valid absolute URL.');
    }
    // Everything in one $batch goes to one environment; another origin there is a mistake, not a feature.
    if (url.origin !== serviceRoot.origin) throw invalidOperation(index, op, `absolute URL is not on the environment ${serviceRoot.origin}.`);
    target = url.pathname + url.search;
  } else if (path.startsWith(serviceRoot.pathname)) {
    target = path;
  } else {
    target = serviceRoot.pathname + path.replace(/^\/+/, '');
  }
  // A space would split the request line `METHOD target HTTP/1.1`; non-ASCII bytes there are not valid HTTP.
  return target.replace(/[^\x21-\x7e]+/g, (run) => [...Buffer.from(run, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

function serializeBody(op: BatchOperation, index: number): string | undefined {
  if (op.body === undefined || typeof op.body === 'string') return op.body;
  try {
    return JSON.stringify(op.body);
  } catch (e) {
    throw invalidOperation(index, op, `body cannot be written as JSON (${(e as Error).message}).`);
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function writeOperation(op: BatchOperation, planned: PlannedOperation, serviceRoot: URL): string {
  let text = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  if (planned.wireContentId !== undefined) text += `Content-ID: ${planned.wireContentId}${CRLF}`;
  text += `${CRLF}${op.method} ${requestTarget(op, planned.index, serviceRoot)} HTTP/1.1${CRLF}`;
  const headers = op.headers ?? {};
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}${CRLF}`;
  const body = serializeBody(op, planned.index);
  if (body !== undefined && !hasHeader(headers, 'content-type')) text += `Content-Type: application/json${CRLF}`;
  return `${text}${CRLF}${body ?? ''}`;
}

/**
 * A boundary no part contains; with random UUIDs only a body quoting an earlier boundary can clash, so draw again.
 * `parts` are only those that contain the prefix at all, so the usual check costs nothing.
 */
function freshBoundary(prefix: string, newId: () => string, parts: string[]): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const boundary = `${prefix}_${newId()}`;
    if (!parts.some((part) => part.includes(boundary))) return boundary;
  }
  throw new D365Error('Batch: could not find a multipart boundary that no operation contains.', { code: 'InvalidBatchOperation' });
}

/** Builds one `$batch` POST for the given groups (already checked by planBatch). */
export function buildBatchRequest(
  operations: BatchOperation[],
  groups: BatchGroup[],
  target: BatchTarget,
  options: BuildBatchOptions = {},
): BuiltBatchRequest {
  const newId = options.newId ?? randomUUID;
  const serviceRoot = serviceRootOf(target);
  const written = groups.map((group) => group.operations.map((planned) => writeOperation(operations[planned.index], planned, serviceRoot)));
  const quoting = written.flat().filter((part) => part.includes('batch_') || part.includes('changeset_'));
  const batch = freshBoundary('batch', newId, quoting);
  let text = '';
  groups.forEach((group, g) => {
    text += `--${batch}${CRLF}`;
    if (!group.changeSet) {
      text += `${written[g][0]}${CRLF}`;
      return;
    }
    const changeSet = freshBoundary('changeset', newId, quoting);
    text += `Content-Type: multipart/mixed; boundary=${changeSet}${CRLF}${CRLF}`;
    for (const part of written[g]) text += `--${changeSet}${CRLF}${part}${CRLF}`;
    text += `--${changeSet}--${CRLF}${CRLF}`;
  });
  text += `--${batch}--${CRLF}`;
  const headers: Record<string, string> = {
    'content-type': `multipart/mixed; boundary=${batch}`,
    accept: 'application/json',
    'odata-version': '4.0',
    'odata-maxversion': '4.0',
  };
  if (options.continueOnError) headers.prefer = 'odata.continue-on-error';
  return { url: `${serviceRoot.href}$batch`, headers, body: Buffer.from(text, 'utf8'), boundary: batch };
}
