/**
 * executeBatch: checks the operations, splits them into `$batch` requests, sends them and returns one result per
 * operation, in input order, saying what happened to it. Problems in the input throw before anything is sent;
 * everything that happens after sending is reported in the results, because by then part of the work may be applied.
 */
import { D365Error } from '../http/errors';
import type { HttpRequest } from '../http/types';
import { buildBatchRequest, BuiltBatchRequest } from './batch-builder';
import { unanswered } from './batch-outcomes';
import { BatchGroup, planBatch } from './batch-plan';
import { mapBatchResponse } from './batch-results';
import { DEFAULT_MAX_OPERATIONS_PER_BATCH, runChunks, splitBatch } from './batch-split';
import type { BatchOperation, BatchOptions, BatchResult, BatchSend, BatchTarget } from './batch-types';

/**
 * Sending it twice cannot apply it twice: the caller's word, else reads, PUT, DELETE, and a PATCH guarded by If-Match /
 * If-None-Match.
 */
function isIdempotent(op: BatchOperation): boolean {
  if (op.idempotent !== undefined) return op.idempotent;
  if (op.method === 'GET' || op.method === 'PUT' || op.method === 'DELETE') return true;
  const names = Object.keys(op.headers ?? {}).map((name) => name.toLowerCase());
  return op.method === 'PATCH' && (names.includes('if-match') || names.includes('if-none-match'));
}

function chunkRequest(built: BuiltBatchRequest, chunk: BatchGroup[], operations: BatchOperation[], options: BatchOptions): HttpRequest {
  const planned = chunk.flatMap((g) => g.operations);
  return {
    method: 'POST',
    url: built.url,
    headers: built.headers,
    body: built.body,
    // The pipeline may resend an idempotent request after a network error; a batch with a create must not be.
    idempotent: planned.every((p) => isIdempotent(operations[p.index])),
    operation: `$batch (${planned.length} operation${planned.length === 1 ? '' : 's'})`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

async function sendChunk(send: BatchSend, request: HttpRequest, chunk: BatchGroup[], operations: BatchOperation[]): Promise<BatchResult[]> {
  try {
    return mapBatchResponse(operations, chunk, await send(request));
  } catch (e) {
    const error = e instanceof D365Error ? e : new D365Error(`${request.operation}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    // A 4xx other than 400 means Dataverse refused the request before running any of it. A 400 may be the answer of
    // a batch that stopped part-way, and a network failure or 5xx may come after the work was done.
    const status = error.status ?? 0;
    const refused = status > 400 && status < 500 && status !== 408;
    const reason = refused ? `not executed: the $batch request was refused (${error.message})` : `unknown: the $batch request failed (${error.message}); it may or may not have been applied.`;
    return chunk.flatMap((g) => g.operations.map((p) => unanswered(p.index, operations[p.index], refused ? 'notExecuted' : 'unknown', reason, error)));
  }
}

export async function executeBatch(
  send: BatchSend,
  target: BatchTarget,
  operations: BatchOperation[],
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const chunks = splitBatch(planBatch(operations), options.maxOperationsPerBatch ?? DEFAULT_MAX_OPERATIONS_PER_BATCH);
  // Every request is written before the first is sent, so a problem in a late one cannot leave early ones applied.
  const requests = chunks.map((chunk) => chunkRequest(buildBatchRequest(operations, chunk, target, options), chunk, operations, options));
  const results: BatchResult[] = new Array(operations.length);
  let stoppedBy: BatchResult | undefined;
  const started = await runChunks(
    chunks,
    options.concurrency ?? 1,
    async (chunk, position) => {
      const chunkResults = await sendChunk(send, requests[position], chunk, operations);
      for (const result of chunkResults) results[result.index] = result;
      if (!options.continueOnError) stoppedBy ??= chunkResults.find((r) => r.outcome !== 'succeeded');
    },
    () => stoppedBy !== undefined || options.signal?.aborted === true,
  );
  const reason = stoppedBy
    ? `not executed: an earlier $batch request stopped at operation #${stoppedBy.index} (${stoppedBy.outcome}); continueOnError runs the rest.`
    : 'not executed: cancelled by the caller.';
  chunks.forEach((chunk, position) => {
    if (started[position]) return;
    for (const planned of chunk.flatMap((g) => g.operations)) {
      results[planned.index] = unanswered(planned.index, operations[planned.index], 'notExecuted', reason, stoppedBy?.error);
    }
  });
  return results;
}
