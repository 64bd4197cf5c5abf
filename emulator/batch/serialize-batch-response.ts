/** Writes the multipart/mixed $batch response the way Dataverse does (see the docs `batch_*_response.http` samples). */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

export interface BatchOperationResult {
  kind?: 'operation';
  status: number;
  /** Written in the given order and spelling (`OData-Version`, `Location`, `OData-EntityId`, `REQ_ID`, ...). */
  headers: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Echoed as the part's `Content-ID` (Dataverse does so inside change sets). */
  contentId?: string;
}

export interface BatchChangeSetResult {
  kind: 'changeset';
  results: BatchOperationResult[];
}

export type BatchResultItem = BatchOperationResult | BatchChangeSetResult;

export interface SerializeBatchOptions {
  /** GUID source for `batchresponse_<guid>` / `changesetresponse_<guid>`; injectable for reproducible output. */
  newGuid?: () => string;
}

export interface SerializedBatchResponse {
  body: Buffer;
  /** `multipart/mixed; boundary=batchresponse_<guid>` */
  contentType: string;
  boundary: string;
}

const CRLF = '\r\n';

/** Reason phrase inside response parts: the standard one (`204 No Content`, `400 Bad Request`). */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/**
 * Reason phrase of the outer $batch response: Dataverse writes .NET `HttpStatusCode` names there
 * (`HTTP/1.1 400 BadRequest`, `HTTP/1.1 200 OK`).
 */
export function envelopeReasonPhrase(status: number): string {
  const special: Record<number, string> = { 200: 'OK', 413: 'RequestEntityTooLarge', 414: 'RequestUriTooLong' };
  return special[status] ?? reasonPhrase(status).replace(/[^A-Za-z]/g, '');
}

// Header injection guard: a value must never end the header block early.
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');

function writeOperation(chunks: Buffer[], result: BatchOperationResult): void {
  let head = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  if (result.contentId !== undefined) head += `Content-ID: ${oneLine(result.contentId)}${CRLF}`;
  head += `${CRLF}HTTP/1.1 ${result.status} ${reasonPhrase(result.status)}${CRLF}`;
  for (const [name, value] of Object.entries(result.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) head += `${oneLine(name)}: ${oneLine(String(item))}${CRLF}`;
  }
  chunks.push(Buffer.from(head + CRLF, 'utf8'));
  if (result.body !== undefined && result.body.length > 0) {
    chunks.push(typeof result.body === 'string' ? Buffer.from(result.body, 'utf8') : result.body);
  }
}

export function serializeBatchResponse(items: BatchResultItem[], options: SerializeBatchOptions = {}): SerializedBatchResponse {
  const newGuid = options.newGuid ?? randomUUID;
  const boundary = `batchresponse_${newGuid()}`;
  const chunks: Buffer[] = [];
  for (const item of items) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}`, 'latin1'));
    if (item.kind === 'changeset') {
      const changeSet = `changesetresponse_${newGuid()}`;
      chunks.push(Buffer.from(`Content-Type: multipart/mixed; boundary=${changeSet}${CRLF}${CRLF}`, 'latin1'));
      for (const result of item.results) {
        chunks.push(Buffer.from(`--${changeSet}${CRLF}`, 'latin1'));
        writeOperation(chunks, result);
        chunks.push(Buffer.from(CRLF, 'latin1'));
      }
      chunks.push(Buffer.from(`--${changeSet}--`, 'latin1'));
    } else {
      writeOperation(chunks, item);
    }
    chunks.push(Buffer.from(CRLF, 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'latin1'));
  return { body: Buffer.concat(chunks), contentType: `multipart/mixed; boundary=${boundary}`, boundary };
}
