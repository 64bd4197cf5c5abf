/** Soak options from the environment, checked up front so a typo fails with a message instead of a half run. */
export interface SoakOptions {
  rows: number;
  faultRate: number;
  seed: number;
  maxMinutes: number;
  /** Rows per n8n execution (one webhook call each). */
  chunkRows: number;
  /** The node's Batch Size: operations per `$batch` request. */
  batchSize: number;
  /** Retry stages after the first upsert (each re-sends only the items that failed before). */
  retryStages: number;
  /** Service protection limits of the emulator on top of the injected faults. */
  limits: 'real' | 'test' | 'off';
  /**
   * Faults for the first `$batch` requests, in order, before the random ones (e.g. "reset,502,503"), so that a short
   * run is sure to take the recovery path.
   */
  firstBatchFaults: string;
  /** Where the report files go. */
  resultsDir: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  return Number(raw);
}

export function soakOptionsFromEnv(env: NodeJS.ProcessEnv, defaultResultsDir: string): SoakOptions {
  const rawRate = env.SOAK_FAULT_RATE?.trim();
  const faultRate = rawRate ? Number(rawRate) : 0.1;
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(rawRate ?? '0.1') || !(faultRate >= 0 && faultRate <= 1)) {
    throw new Error(`SOAK_FAULT_RATE must be a probability from 0 to 1 (e.g. 0.1), got "${rawRate}".`);
  }
  const limits = (env.SOAK_LIMITS?.trim() || 'off') as SoakOptions['limits'];
  if (!['real', 'test', 'off'].includes(limits)) throw new Error(`SOAK_LIMITS must be real, test or off, got "${limits}".`);
  const rows = integer(env, 'SOAK_ROWS', 50_000, 1, 1_000_000);
  return {
    rows,
    faultRate,
    seed: integer(env, 'SOAK_SEED', 42, 0, 0xffffffff),
    maxMinutes: integer(env, 'SOAK_MAX_MINUTES', 30, 1, 24 * 60),
    chunkRows: integer(env, 'SOAK_CHUNK_ROWS', 5_000, 1, 20_000),
    batchSize: integer(env, 'SOAK_BATCH_SIZE', 100, 2, 1000),
    retryStages: integer(env, 'SOAK_RETRY_STAGES', 5, 0, 20),
    limits,
    firstBatchFaults: env.SOAK_FIRST_BATCH_FAULTS?.trim() ?? '',
    resultsDir: env.SOAK_RESULTS_DIR?.trim() || defaultResultsDir,
  };
}
