/**
 * Exponential backoff with full jitter (a uniformly random wait between 0 and the exponential step). Without the
 * randomness, every client that failed together retries together and fails together again.
 */
import type { RetryOptions } from './retry-policy';

export function fullJitterBackoffMs(attempt: number, options: RetryOptions, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return random() * step;
}
