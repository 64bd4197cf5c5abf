/**
 * Holds a limiter slot for exactly one attempt on the wire: backoff sleeps and token fetches happen outside it, so a
 * request waiting out a Retry-After does not block the others.
 */
import type { ConcurrencyLimiter, LimiterSlot, SlotOutcome } from './concurrency-limiter';
import { parseServiceFault } from './response-error';
import { dataverseLimitForCode } from './service-limits';
import { parseRetryAfterMs } from './throttling-retry';
import type { HttpRequest, Policy } from './types';

export function concurrencyPolicy(limiter: ConcurrencyLimiter): Policy {
  return {
    name: 'concurrency',
    async send(request, next) {
      const slot = await acquireUnpaused(limiter, request);
      let outcome: SlotOutcome = 'failed';
      try {
        const response = await next(request);
        limiter.observeDopHint(response.headers['x-ms-dop-hint']);
        limiter.observeBudget(response.headers['x-ms-ratelimit-burst-remaining-xrm-requests'], requestWeight(request));
        outcome = response.status === 429 ? throttleOutcome(response.body, response.headers['content-type']) : response.status >= 500 ? 'failed' : 'ok';
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

/** A request that queued for a slot before a 429 paused the connection must not go out when the slot frees. */
async function acquireUnpaused(limiter: ConcurrencyLimiter, request: HttpRequest): Promise<LimiterSlot> {
  for (;;) {
    await limiter.waitForResume(request.signal);
    const slot = await limiter.acquire(request.signal);
    if (!limiter.isPaused()) return slot;
    limiter.release(slot, 'failed');
  }
}

/**
 * Fewer requests in flight relieve the concurrency and execution-time limits, not the request-count one: that is a
 * rate, which the Retry-After pause already respects. Halving on it would only starve the connection afterwards.
 */
function throttleOutcome(body: Buffer, contentType?: string): SlotOutcome {
  const limit = dataverseLimitForCode(parseServiceFault(body, contentType).code);
  return limit === 'dataverse-requests' ? 'rateLimited' : 'throttled';
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
