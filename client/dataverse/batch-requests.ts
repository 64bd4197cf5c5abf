/**
 * The single-row request builders (crud.ts) as `$batch` operations, and a batch answer read back the way the direct
 * call reads its own, so a caller can switch between one request per row and batches without changing its output.
 */
import type { BatchOperation, BatchResult } from './batch-types';
import type { RequestSpec } from './context';
import { idFromRow, type Row, type WriteResult } from './crud';

export function toBatchOperation(spec: RequestSpec, place: { contentId?: string; changeSet?: string } = {}): BatchOperation {
  const headers: Record<string, string> = {};
  // As for direct calls, the operation's own headers win over the caller's extras.
  for (const [name, value] of Object.entries(spec.extraHeaders ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = value;
  const operation: BatchOperation = { method: spec.method as BatchOperation['method'], path: spec.path, headers };
  if (spec.json !== undefined) operation.body = spec.json as object;
  if (place.contentId !== undefined) operation.contentId = place.contentId;
  if (place.changeSet !== undefined) operation.changeSet = place.changeSet;
  if (spec.idempotent !== undefined) operation.idempotent = spec.idempotent;
  return operation;
}

/** What createRow/updateRow/upsertRow would have returned for the same request. */
export function writeResultOfBatch(set: string, result: BatchResult): WriteResult {
  const row = result.body !== null && typeof result.body === 'object' && !Array.isArray(result.body) ? (result.body as Row) : undefined;
  const out: WriteResult = {};
  const id = result.entityId ?? idFromRow(set, row);
  if (id) out.id = id;
  if (result.entityUrl) out.entityUrl = result.entityUrl;
  if (row) out.row = row;
  const etag = result.headers['etag'] ?? (typeof row?.['@odata.etag'] === 'string' ? row['@odata.etag'] : undefined);
  if (etag) out.etag = etag;
  return out;
}
