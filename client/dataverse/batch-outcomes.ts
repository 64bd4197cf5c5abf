/** Builds the BatchResult of one operation for each thing that can happen to it, with an error a user can act on. */
import { D365Error } from '../http/errors';
import type { BatchPartResponse } from './batch-response';
import type { BatchOperation, BatchOutcome, BatchResult } from './batch-types';

const GUID_AT_END = /\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)\s*$/i;

export function describe(index: number, op: BatchOperation): string {
  return `Batch operation #${index} (${op.method} ${op.path.length > 120 ? `${op.path.slice(0, 120)}…` : op.path})`;
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
}

/** `{"error":{"code","message"}}` as Dataverse writes it; other bodies give their text. */
export function serviceFault(body: unknown): { code?: string; message?: string } {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error && typeof error === 'object') {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return {
        code: typeof code === 'string' && code !== '' ? code : undefined,
        message: typeof message === 'string' && message.trim() !== '' ? message.trim() : undefined,
      };
    }
  }
  if (typeof body === 'string' && body.trim() !== '') return { message: body.trim().slice(0, 600) };
  return {};
}

export function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['req_id'] ?? headers['x-ms-service-request-id'] ?? headers['request-id'];
}

function operationError(index: number, op: BatchOperation, part: BatchPartResponse): D365Error {
  const fault = serviceFault(part.body);
  const code = fault.code ? `, code ${fault.code}` : '';
  return new D365Error(`${describe(index, op)} failed: ${fault.message ?? 'no error details'} (HTTP ${part.status}${code}).`, {
    status: part.status,
    code: fault.code,
    requestId: requestIdOf(part.headers),
    retryable: isRetryableStatus(part.status),
    operation: `${op.method} ${op.path}`,
    batchIndex: index,
  });
}

/** The result of an operation that has its own answer in the response. */
export function answered(index: number, op: BatchOperation, part: BatchPartResponse): BatchResult {
  const entityUrl = part.headers['odata-entityid'] ?? (op.method === 'POST' ? part.headers['location'] : undefined);
  const entityId = entityUrl ? GUID_AT_END.exec(entityUrl)?.[1] : undefined;
  const failed = part.status >= 400;
  return {
    index,
    ...(op.contentId !== undefined ? { contentId: op.contentId } : {}),
    outcome: failed ? 'failed' : 'succeeded',
    status: part.status,
    headers: part.headers,
    body: part.body,
    ...(!failed && entityUrl ? { entityUrl } : {}),
    ...(!failed && entityId ? { entityId: entityId.toLowerCase() } : {}),
    ...(failed ? { error: operationError(index, op, part) } : {}),
  };
}

/** A result with no answer of its own: rolled back, not executed, unknown, or applied but left out of the answer. */
export function unanswered(index: number, op: BatchOperation, outcome: BatchOutcome, reason?: string, cause?: D365Error): BatchResult {
  const error = reason
    ? new D365Error(`${describe(index, op)}: ${reason}`, {
        status: cause?.status,
        code: cause?.code,
        requestId: cause?.requestId,
        // Nothing of it was applied, so sending it again is safe unless the cause says it cannot help.
        retryable: cause?.retryable ?? (outcome === 'notExecuted' || outcome === 'rolledBack'),
        operation: `${op.method} ${op.path}`,
        batchIndex: index,
        ...(cause ? { cause } : {}),
      })
    : undefined;
  return {
    index,
    ...(op.contentId !== undefined ? { contentId: op.contentId } : {}),
    outcome,
    status: 0,
    headers: {},
    ...(error ? { error } : {}),
  };
}
