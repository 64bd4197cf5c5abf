/**
 * Gives every attempt a deadline (the transport enforces it) and stops a send the caller has cancelled before it
 * does any more work. The deadline is per attempt, not per send: the retry time budget bounds the whole.
 */
import { throwIfAborted } from './abort';
import type { Policy } from './types';

/** Long enough for a large $batch or an aggregate FetchXML; short enough that a silently dead connection is noticed. */
export const DEFAULT_TIMEOUT_MS = 120_000;

export function timeoutPolicy(defaultTimeoutMs: number = DEFAULT_TIMEOUT_MS): Policy {
  return {
    name: 'timeout',
    send(request, next) {
      throwIfAborted(request);
      return next(request.timeoutMs === undefined ? { ...request, timeoutMs: defaultTimeoutMs } : request);
    },
  };
}
