/**
 * 502/503/504 and broken connections: retried with backoff, but only when repeating the request cannot apply it
 * twice. A create that met a 503 or a reset may already have been applied by the service; sending it again could
 * create a duplicate, so the caller is told the outcome is unknown instead.
 */
import { fullJitterBackoffMs } from './backoff';
import { D365Error } from './errors';
import { errorFromResponse } from './response-error';
import type { RetryStrategy } from './retry-policy';
import type { HttpRequest, HttpResponse } from './types';

const TRANSIENT_STATUSES = new Set([502, 503, 504]);

/** Failures where the request may have reached the service. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** Failures before a connection existed: nothing was sent, so even a create may be retried. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The caller's word wins; otherwise HTTP semantics, with PATCH safe only when conditional (a plain PATCH may upsert). */
export function isIdempotent(request: HttpRequest): boolean {
  if (request.idempotent !== undefined) return request.idempotent;
  switch (request.method) {
    case 'GET':
    case 'PUT':
    case 'DELETE':
      return true;
    case 'PATCH':
      return Boolean(request.headers['if-match'] || request.headers['if-none-match']);
    default:
      // POST: create, actions and $batch. A batch is only safe when its caller says so.
      return false;
  }
}

function networkCode(error: unknown): string | undefined {
  return error instanceof D365Error && error.retryable && error.status === undefined ? error.code : undefined;
}

function outcomeUnknown(request: HttpRequest, response: HttpResponse | undefined, error: unknown): D365Error {
  const label = request.operation ?? `${request.method} ${new URL(request.url).pathname}`;
  const what = response ? `the service answered HTTP ${response.status}` : `the connection failed (${networkCode(error)})`;
  return new D365Error(
    `${label}: the outcome is unknown: ${what} after the request was sent, so the service may or may not have applied it. ` +
      `It was not retried because sending a ${request.method} again could apply it twice. ` +
      'Check whether the change took effect (for example read the row back by an alternate key or a value you set) before sending it again, ' +
      'or mark the request idempotent if repeating it is harmless.',
    {
      status: response?.status,
      code: 'OutcomeUnknown',
      requestId: response?.headers['x-ms-service-request-id'] ?? request.headers['x-ms-client-request-id'],
      retryable: false,
      operation: request.operation,
      cause: error ?? (response ? errorFromResponse(response) : undefined),
    },
  );
}

export function transientRetryStrategy(): RetryStrategy {
  return {
    name: 'transient-retry',
    decide({ response, error }, { request, attempt, options, random }) {
      const status = response?.status;
      const code = networkCode(error);
      const transientStatus = status !== undefined && TRANSIENT_STATUSES.has(status);
      const notSent = code !== undefined && NOT_SENT_NETWORK_CODES.has(code);
      const transientNetwork = code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
      if (!transientStatus && !transientNetwork && !notSent) return undefined;
      if (!notSent && !isIdempotent(request)) return { retry: false, error: outcomeUnknown(request, response, error) };
      return {
        retry: true,
        delayMs: fullJitterBackoffMs(attempt, options, random),
        reason: transientStatus ? `HTTP ${status}` : `network ${code}`,
      };
    },
  };
}
