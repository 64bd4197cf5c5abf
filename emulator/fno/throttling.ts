/**
 * F&O throttling: the user-based service protection limits (same numbers as Dataverse's, F&O's own wording with
 * its "exeeded" typo) and priority-based throttling, where a simulated resource utilisation throttles Low priority
 * integrations first, then Medium, then High. Both answer 429 with Retry-After in seconds.
 */
import { createServiceProtection, type LimitsConfig, type LimitsPreset, type ThrottleKind } from '../limits';
import type { EmulatorResponse } from '../http/types';
import { fnoErrorResponse } from './errors';

export type FnoPriority = 'Low' | 'Medium' | 'High';

/** Utilisation from which each priority is throttled (an emulator choice: F&O does not publish its thresholds). */
export const PRIORITY_THRESHOLDS: Readonly<Record<FnoPriority, number>> = Object.freeze({ Low: 0.7, Medium: 0.85, High: 0.95 });

const THROTTLING_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataThrottlingException';
export const RESOURCE_MESSAGE = 'This request could not be processed at this time due to system experiencing high resource utilization.';

export interface FnoThrottlingOptions {
  limits: LimitsPreset | LimitsConfig;
  /** Priority per Entra client id or user object id (Throttling priority mapping); unmapped callers are Medium. */
  priorities?: Record<string, FnoPriority>;
  /** Retry-After of priority-based 429s (default 30 s, the wait Microsoft's sample uses). */
  retryAfterSeconds?: number;
  now: () => number;
}

export interface FnoThrottling {
  /** The service protection numbers in force (undefined when limits are off). */
  readonly limits: LimitsConfig | undefined;
  /** Admits a request or answers the 429; `release` ends an admitted request. */
  begin(caller: { userId: string; clientId?: string }): { ok: true; release(): void } | { ok: false; response: EmulatorResponse };
  /** Simulated resource utilisation in [0, 1]. */
  setUtilization(load: number): void;
  setPriority(clientOrUserId: string, priority: FnoPriority): void;
}

export function throttleMessage(kind: ThrottleKind, limits: LimitsConfig): string {
  switch (kind) {
    case 'requests':
      return `Number of requests exeeded the limit of ${limits.maxRequests} over the time window of ${limits.windowSeconds} seconds.`;
    case 'execution-time':
      return (
        `Combined execution time of incoming requests exceeded limit of ${Math.round(limits.maxExecutionMs / 1000)} seconds over time window of ` +
        `${limits.windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`
      );
    case 'concurrency':
      return `Number of concurrent requests exceeded the limit of ${limits.maxConcurrent}.`;
  }
}

function tooMany(message: string, retryAfterSeconds: number): EmulatorResponse {
  return fnoErrorResponse(429, message, THROTTLING_EXCEPTION, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) }, message);
}

export function createFnoThrottling(options: FnoThrottlingOptions): FnoThrottling {
  const protection = createServiceProtection(options.limits, options.now);
  const priorities = new Map(Object.entries(options.priorities ?? {}));
  let utilization = 0;
  const retryAfter = options.retryAfterSeconds ?? 30;
  return {
    limits: protection.limits,
    begin({ userId, clientId }) {
      const priority = (clientId && priorities.get(clientId)) || priorities.get(userId) || 'Medium';
      if (utilization >= PRIORITY_THRESHOLDS[priority]) return { ok: false, response: tooMany(RESOURCE_MESSAGE, retryAfter) };
      const admission = protection.begin(userId);
      if (!admission.ok) {
        return { ok: false, response: tooMany(throttleMessage(admission.kind, protection.limits!), Number(admission.response.headers['retry-after'] ?? 1)) };
      }
      return { ok: true, release: () => admission.release() };
    },
    setUtilization(load) {
      if (!(load >= 0 && load <= 1)) throw new RangeError(`utilization must be in [0, 1], got ${load}`);
      utilization = load;
    },
    setPriority(id, priority) {
      if (!(priority in PRIORITY_THRESHOLDS)) throw new RangeError(`priority must be Low, Medium or High, got ${String(priority)}`);
      priorities.set(id, priority);
    },
  };
}
