/**
 * Holds a limiter slot for exactly one attempt on the wire: backoff sleeps and token fetches happen outside it, so a
 * request waiting out a Retry-After does not block the others.
 */
import type { ConcurrencyLimiter, SlotOutcome } from './concurrency-limiter';
import type { Policy } from './types';

export function concurrencyPolicy(limiter: ConcurrencyLimiter): Policy {
  return {
    name: 'concurrency',
    async send(request, next) {
      const slot = await limiter.acquire(request.signal);
      let outcome: SlotOutcome = 'failed';
      try {
        const response = await next(request);
        limiter.observeDopHint(response.headers['x-ms-dop-hint']);
        outcome = response.status === 429 ? 'throttled' : response.status >= 500 ? 'failed' : 'ok';
        return response;
      } finally {
        limiter.release(slot, outcome);
      }
    },
  };
}
