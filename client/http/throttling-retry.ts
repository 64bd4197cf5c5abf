/**
 * 429 Too Many Requests: wait what Retry-After says, then retry. Dataverse and F&O document that a throttled
 * request was not processed, so even a create is safe to send again.
 */
import type { RetryStrategy } from './retry-policy';
import { parseServiceFault } from './response-error';
import { classifyThrottle, type ServiceKind } from './service-limits';

/** Spread over at most this much, so workers told the same Retry-After do not all return in the same millisecond. */
const MAX_JITTER_MS = 500;

/** When a 429 has no usable Retry-After: Microsoft's F&O sample waits 30 s; Dataverse's sample waits 2^retry s. */
const FNO_DEFAULT_WAIT_MS = 30_000;

/** Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function throttlingRetryStrategy(options: { service?: ServiceKind; now?: () => number } = {}): RetryStrategy {
  const now = options.now ?? Date.now;
  return {
    name: 'throttling-retry',
    decide({ response }, { request, attempt, random }) {
      if (response?.status !== 429) return undefined;
      const { code } = parseServiceFault(response.body, response.headers['content-type']);
      const limit = classifyThrottle(code, request.url, options.service);
      const fallbackMs = limit === 'fno-throttling' ? FNO_DEFAULT_WAIT_MS : 1000 * 2 ** attempt;
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], now()) ?? fallbackMs;
      const jitterMs = random() * Math.min(MAX_JITTER_MS, Math.max(50, retryAfterMs * 0.1));
      return { retry: true, delayMs: retryAfterMs + jitterMs, reason: `429 ${limit}`, throttle: { limit, retryAfterMs } };
    },
  };
}
