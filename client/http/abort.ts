/**
 * Cancellation shared by every place a request can wait: backoff sleeps, the concurrency queue, the socket. A caller
 * who aborts expects the whole send to stop at once, not after the current Retry-After runs out.
 */
import { D365Error } from './errors';
import type { HttpRequest } from './types';

export const ABORTED_CODE = 'ABORTED';

export function abortedError(request: Pick<HttpRequest, 'method' | 'operation'>, signal?: AbortSignal): D365Error {
  const label = request.operation ?? request.method;
  return new D365Error(`${label}: the request was cancelled by the caller`, {
    code: ABORTED_CODE,
    retryable: false,
    operation: request.operation,
    cause: signal?.reason,
  });
}

export function throwIfAborted(request: HttpRequest): void {
  if (request.signal?.aborted) throw abortedError(request, request.signal);
}

/** Resolves after `ms`, or rejects as soon as the request's signal aborts; leaves no timer or listener behind. */
export function sleep(ms: number, request: HttpRequest): Promise<void> {
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(abortedError(request, signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(request, signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
