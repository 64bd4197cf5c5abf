import type { EmulatorResponse } from '../http/types';
import { defaultDopHint, resolveLimits, type LimitsConfig, type LimitsPreset } from './config';
import { groupThousands, throttleResponse, type ThrottleKind } from './errors';
import { SlidingWindow } from './sliding-window';

export interface Admission {
  ok: true;
  /** Budget headers to add to the response of the admitted request. */
  headers: Record<string, string>;
  /** Ends the request; executionMs defaults to the wall time since begin(). Calling it twice is harmless. */
  release(executionMs?: number): void;
}

export interface Rejection {
  ok: false;
  kind: ThrottleKind;
  /** Complete 429 to send as is. */
  response: EmulatorResponse;
}

export interface UsageSnapshot {
  requests: number;
  executionMs: number;
  inFlight: number;
  remainingRequests: number;
  remainingExecutionMs: number;
}

export interface ServiceProtection {
  /** undefined when limits are off. */
  readonly limits: LimitsConfig | undefined;
  /** weight: requests this one counts for (a $batch counts each of its parts). */
  begin(userId: string, weight?: number): Admission | Rejection;
  snapshot(userId: string): UsageSnapshot;
}

/**
 * Header formats follow what live environments send: burst remaining as a plain integer
 * ("5999"); time remaining in SECONDS with thousands separators and two decimals ("1,199.46"),
 * which is why clients must not parse it as an integer. x-ms-dop-hint is static per config.
 */
export function formatTimeRemaining(remainingMs: number): string {
  return groupThousands((Math.max(0, remainingMs) / 1000).toFixed(2));
}

interface UserState {
  window: SlidingWindow;
  inFlight: number;
}

/**
 * Checks run in the order concurrency (fails immediately), request count, execution time; rejected
 * requests consume no budget. Execution time is booked when a request is released.
 */
export function createServiceProtection(
  preset: LimitsPreset | LimitsConfig,
  clock: () => number = Date.now,
): ServiceProtection {
  const limits = resolveLimits(preset);
  if (!limits) return unlimited();
  const users = new Map<string, UserState>();
  const dopHint = String(defaultDopHint(limits));

  const stateOf = (userId: string): UserState => {
    let state = users.get(userId);
    if (!state) {
      state = { window: SlidingWindow.forWindow(limits.windowSeconds), inFlight: 0 };
      users.set(userId, state);
    }
    return state;
  };

  const reject = (kind: ThrottleKind, retryAfterMs: number): Rejection => ({
    ok: false,
    kind,
    response: throttleResponse(kind, limits, retryAfterMs / 1000),
  });

  return {
    limits,
    begin(userId, weight = 1) {
      const state = stateOf(userId);
      const now = clock();
      const used = state.window.totals(now);
      if (state.inFlight >= limits.maxConcurrent) return reject('concurrency', 1000);
      // A $batch counts its inner requests; one larger than the whole budget is still admitted when the window is empty.
      const cost = Math.min(Math.max(1, weight), limits.maxRequests);
      if (used.requests + cost > limits.maxRequests) {
        return reject('requests', state.window.msUntilRequestsAtMost(now, limits.maxRequests - cost));
      }
      if (used.executionMs >= limits.maxExecutionMs) {
        return reject('execution-time', state.window.msUntilExecutionBelow(now, limits.maxExecutionMs));
      }
      state.window.addRequest(now, cost);
      state.inFlight += 1;
      const startedAt = now;
      let released = false;
      return {
        ok: true,
        headers: {
          'x-ms-ratelimit-burst-remaining-xrm-requests': String(limits.maxRequests - used.requests - cost),
          'x-ms-ratelimit-time-remaining-xrm-requests': formatTimeRemaining(limits.maxExecutionMs - used.executionMs),
          'x-ms-dop-hint': dopHint,
        },
        release(executionMs) {
          if (released) return;
          released = true;
          state.inFlight -= 1;
          const end = clock();
          const ms = executionMs ?? end - startedAt;
          if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`executionMs must be a non-negative number, got ${ms}`);
          state.window.addExecution(end, ms);
        },
      };
    },
    snapshot(userId) {
      const state = users.get(userId);
      const used = state ? state.window.totals(clock()) : { requests: 0, executionMs: 0 };
      return {
        requests: used.requests,
        executionMs: used.executionMs,
        inFlight: state?.inFlight ?? 0,
        remainingRequests: Math.max(0, limits.maxRequests - used.requests),
        remainingExecutionMs: Math.max(0, limits.maxExecutionMs - used.executionMs),
      };
    },
  };
}

function unlimited(): ServiceProtection {
  const admission: Admission = { ok: true, headers: {}, release: () => undefined };
  return {
    limits: undefined,
    begin: () => admission,
    snapshot: () => ({
      requests: 0,
      executionMs: 0,
      inFlight: 0,
      remainingRequests: Infinity,
      remainingExecutionMs: Infinity,
    }),
  };
}
