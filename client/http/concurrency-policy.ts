/**
 * Holds a limiter slot for exactly one attempt on the wire: backoff sleeps and token fetches happen outside it, so a
 * request waiting out a Retry-After does not block the others.
 */
import type { ConcurrencyLimiter, SlotOutcome } from './concurrency-limiter';
import { parseRetryAfterMs } from './throttling-retry';
import type { HttpRequest, Policy } from './types';

export function concurrencyPolicy(limiter: ConcurrencyLimiter): Policy {
  return {
    name: 'concurrency',
    async send(request, next) {
      await limiter.waitForResume(request.signal);
      const slot = await limiter.acquire(request.signal);
      let outcome: SlotOutcome = 'failed';
      try {
        const response = await next(request);
        limiter.observeDopHint(response.headers['x-ms-dop-hint']);
        limiter.observeBudget(response.headers['x-ms-ratelimit-burst-remaining-xrm-requests'], requestWeight(request));
        outcome = response.status === 429 ? 'throttled' : response.status >= 500 ? 'failed' : 'ok';
        if (response.status === 429) {
          const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
          if (retryAfterMs !== undefined) limiter.pauseUntil(Date.now() + retryAfterMs);
        }
        return response;
      } finally {
        limiter.release(slot, outcome);
      }
    },
  };
}

const BATCH_PART = 'application/http';

/** Requests a call counts for against the service limits: each part of a $batch counts. */
function requestWeight(request: HttpRequest): number {
  if (!/\/\$batch(\?|$)/.test(request.url) || request.body === undefined) return 1;
  const body = typeof request.body === 'string' ? request.body : request.body.toString('latin1');
  let count = 0;
  for (let at = body.indexOf(BATCH_PART); at >= 0; at = body.indexOf(BATCH_PART, at + BATCH_PART.length)) count++;
  return Math.max(1, count);
}
