/**
 * Service protection limits, evaluated per user over a sliding window
 * (reference: dataverse-web-api.md section 4.1).
 */
export interface LimitsConfig {
  /** Length of the sliding window, in whole seconds (quoted in the 429 messages). */
  windowSeconds: number;
  /** Requests allowed per user within the window. */
  maxRequests: number;
  /** Combined execution time (ms) allowed per user within the window. */
  maxExecutionMs: number;
  /** Requests a user may have in flight at once; exceeding it fails immediately. */
  maxConcurrent: number;
  /** Value sent as x-ms-dop-hint; defaults to half the concurrency limit (see defaultDopHint). */
  dopHint?: number;
}

export type LimitsPreset = 'real' | 'test' | 'off';

/** Production numbers from Microsoft's api-limits page. dopHint 48 is a value seen on a live environment. */
export const REAL_LIMITS: Readonly<LimitsConfig> = Object.freeze({
  windowSeconds: 300,
  maxRequests: 6000,
  maxExecutionMs: 1_200_000,
  maxConcurrent: 52,
  dopHint: 48,
});

/**
 * Scaled down so a test reaches each limit within seconds, while a bulk load of tens of thousands of rows still
 * finishes in minutes (every request inside a $batch counts, so the ceiling is 200 operations/s). dopHint 2 is below maxConcurrent so a
 * client that follows the hint never trips the concurrency limit, while one that ignores it does.
 */
export const TEST_LIMITS: Readonly<LimitsConfig> = Object.freeze({
  windowSeconds: 5,
  maxRequests: 1000,
  maxExecutionMs: 3_000,
  maxConcurrent: 4,
  dopHint: 2,
});

/** Half the concurrency limit leaves headroom for other clients of the same user (real services send 4–50). */
export function defaultDopHint(limits: LimitsConfig): number {
  return limits.dopHint ?? Math.max(1, Math.floor(limits.maxConcurrent / 2));
}

/** Returns undefined for 'off'; throws on nonsensical numbers so a bad CLI flag fails at startup. */
export function resolveLimits(preset: LimitsPreset | LimitsConfig): LimitsConfig | undefined {
  if (preset === 'off') return undefined;
  if (preset === 'real') return { ...REAL_LIMITS };
  if (preset === 'test') return { ...TEST_LIMITS };
  if (typeof preset !== 'object' || preset === null) throw new Error(`Unknown limits preset: ${String(preset)}`);
  const checks: Array<[keyof LimitsConfig, boolean]> = [
    ['windowSeconds', Number.isInteger(preset.windowSeconds) && preset.windowSeconds > 0],
    ['maxRequests', Number.isInteger(preset.maxRequests) && preset.maxRequests >= 0],
    ['maxExecutionMs', Number.isFinite(preset.maxExecutionMs) && preset.maxExecutionMs >= 0],
    ['maxConcurrent', Number.isInteger(preset.maxConcurrent) && preset.maxConcurrent >= 0],
    ['dopHint', preset.dopHint === undefined || (Number.isInteger(preset.dopHint) && preset.dopHint > 0)],
  ];
  for (const [name, ok] of checks) {
    if (!ok) throw new Error(`Invalid limits config: ${name}=${String(preset[name])}`);
  }
  return { ...preset };
}
