export type ThrottleFaultKind = '429-requests' | '429-time' | '429-concurrency';
export type StatusFaultKind = ThrottleFaultKind | '502' | '503' | '504' | '401-revoked';
export type FaultKind = StatusFaultKind | 'reset' | 'slow';

export const FAULT_KINDS: readonly FaultKind[] = [
  '429-requests',
  '429-time',
  '429-concurrency',
  '502',
  '503',
  '504',
  '401-revoked',
  'reset',
  'slow',
];

/** A fault the server answers with a complete response (see faultResponse). */
export type StatusFault =
  | { kind: ThrottleFaultKind; retryAfterSeconds?: number }
  | { kind: '502' | '503' | '504' | '401-revoked' };

/** The server writes headers and `afterBytes` bytes of the body, then destroys the socket. */
export interface ResetFault {
  kind: 'reset';
  afterBytes: number;
}

/** The server waits `delayMs` and then handles the request normally. */
export interface SlowFault {
  kind: 'slow';
  delayMs: number;
}

export type Fault = StatusFault | ResetFault | SlowFault;

export const DEFAULT_RESET_AFTER_BYTES = 16;
export const DEFAULT_SLOW_MS = 1000;
export const DEFAULT_THROTTLE_RETRY_AFTER_SECONDS = 1;

export interface FaultRule {
  /** Chance in [0, 1] that a matching request gets one of `faults` (picked uniformly). */
  probability: number;
  faults: Fault[];
}

/** Which requests faults apply to; an omitted list matches everything. */
export interface FaultFilter {
  /** Path prefixes, e.g. '/api/data'. */
  paths?: string[];
  /** Upper-case HTTP methods. */
  methods?: string[];
  userIds?: string[];
}

export interface FaultConfig extends FaultFilter {
  /** Evaluated in order per request; the first rule whose dice hit wins. */
  rules: FaultRule[];
  /** PRNG seed; omitted means a random seed, reported by stats() so a run can be replayed. */
  seed?: number;
  /** Faults for the next matching requests, in order, before any random rule. */
  script?: Fault[];
}

export interface FaultRequest {
  method: string;
  path: string;
  userId?: string;
}

export function isStatusFault(fault: Fault): fault is StatusFault {
  return fault.kind !== 'reset' && fault.kind !== 'slow';
}
