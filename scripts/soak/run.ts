/**
 * One soak: an emulator with injected faults, a real n8n with this package, the upsert workflow run once per chunk
 * of source rows, then the comparison. Bounded by SOAK_MAX_MINUTES: when the bound is reached the current chunk is
 * abandoned, nothing further is sent, and the report says so (and fails).
 */
import { startEmulator, type RunningEmulator } from '../../emulator';
import { parseFaultSpec, type FaultKind } from '../../emulator/faults';
import { APP_REGISTRATION_CREDENTIAL, emulatorCredentialData } from '../n8n/emulator-credential';
import { startN8n, type RunningN8n } from '../n8n/harness';
import { compareTarget, type Comparison } from './compare';
import { observeTraffic, type ObservedTraffic } from './observer';
import type { SoakOptions } from './options';
import { retryNodeName, soakWorkflow, UNRECOVERED_NODE } from './workflow';

export const FAULT_KINDS_INJECTED: FaultKind[] = ['429-requests', '429-time', '429-concurrency', '503', '502', 'reset', '401-revoked'];

export interface StageFigures {
  node: string;
  itemsIn: number;
  succeeded: number;
  failed: number;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'resultsDir'>;
  faultSpec: string;
  startedAt: string;
  elapsedMs: number;
  setupMs: number;
  syncMs: number;
  rowsSent: number;
  chunks: { done: number; total: number };
  /** Why the run stopped early, if it did. */
  stopped?: string;
  stages: StageFigures[];
  unrecoveredItems: number;
  /** Distinct errors of unrecovered items (at most 5). */
  unrecoveredErrors: string[];
  /** `$batch` requests the stages needed with no retry at all: ceil(items / batch size) per stage and chunk. */
  plannedBatches: number;
  comparison: Comparison;
  traffic: ObservedTraffic;
  faultsInjected: Partial<Record<FaultKind, number>>;
  faultDecisions: number;
  passed: boolean;
}

export type Progress = (line: string) => void;

export function faultSpecOf(options: SoakOptions): string {
  // Only Web API calls get faults: the token endpoint has its own failure modes and is not what this soak measures.
  return `rate=${options.faultRate}:${FAULT_KINDS_INJECTED.join(',')};seed=${options.seed};paths=/api/data`;
}

function deadlineRace<T>(work: Promise<T>, deadline: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function runSoak(options: SoakOptions, progress: Progress = () => undefined): Promise<SoakResult> {
  const t0 = Date.now();
  const deadline = t0 + options.maxMinutes * 60_000;
  const faultSpec = faultSpecOf(options);
  const stages: StageFigures[] = Array.from({ length: options.retryStages + 1 }, (_, s) => ({ node: retryNodeName(s), itemsIn: 0, succeeded: 0, failed: 0 }));
  let emulator: RunningEmulator | undefined;
  let n8n: RunningN8n | undefined;
  try {
    emulator = await startEmulator({ limits: options.limits, faults: faultSpec, sampleData: false, fno: false });
    const traffic = observeTraffic(emulator);
    if (options.firstBatchFaults) {
      emulator.faults.script(parseFaultSpec(`script=${options.firstBatchFaults}`).script ?? [], { paths: ['/api/data/v9.2/$batch'], methods: ['POST'] });
    }
    const scripted = options.firstBatchFaults ? `; first $batch requests: ${options.firstBatchFaults}` : '';
    progress(`emulator on ${emulator.dataverseUrl} (faults: ${faultSpec}${scripted}; limits: ${options.limits})`);
    n8n = await startN8n({ extraCaFile: emulator.caCertFile });
    const credential = await n8n.api.createCredential(APP_REGISTRATION_CREDENTIAL, emulatorCredentialData(emulator), 'Soak emulator');
    const workflow = soakWorkflow({ credential, batchSize: options.batchSize, retryStages: options.retryStages });
    const setupMs = Date.now() - t0;
    progress(`n8n ready in ${(setupMs / 1000).toFixed(1)} s; syncing ${options.rows} rows in chunks of ${options.chunkRows}`);

    const total = Math.ceil(options.rows / options.chunkRows);
    let rowsSent = 0;
    let done = 0;
    let unrecoveredItems = 0;
    const unrecoveredErrors = new Set<string>();
    let plannedBatches = 0;
    let stopped: string | undefined;
    const syncStart = Date.now();
    for (let start = 0; start < options.rows; start += options.chunkRows) {
      if (Date.now() >= deadline) {
        stopped = `time bound of ${options.maxMinutes} min reached before chunk ${done + 1} of ${total}`;
        break;
      }
      const count = Math.min(options.chunkRows, options.rows - start);
      const chunkStart = Date.now();
      rowsSent += count;
      const run = await deadlineRace(n8n.api.executeWorkflow(workflow, { seed: options.seed, start, count }), deadline);
      if (run === 'timeout') {
        stopped = `time bound of ${options.maxMinutes} min reached during chunk ${done + 1} of ${total}`;
        break;
      }
      if (run.status !== 'success') {
        stopped = `chunk ${done + 1} ended with status ${run.status}: ${JSON.stringify(run.error ?? {}).slice(0, 400)}`;
        break;
      }
      for (const stage of stages) {
        const outputs = run.runData[stage.node]?.[0]?.data?.main ?? [];
        stage.succeeded += outputs[0]?.length ?? 0;
        stage.failed += outputs[1]?.length ?? 0;
        const itemsIn = (outputs[0]?.length ?? 0) + (outputs[1]?.length ?? 0);
        stage.itemsIn += itemsIn;
        plannedBatches += Math.ceil(itemsIn / options.batchSize);
      }
      const unrecovered: any[] = run.runData[UNRECOVERED_NODE]?.[0]?.data?.main?.[0] ?? [];
      unrecoveredItems += unrecovered.length;
      for (const item of unrecovered) if (unrecoveredErrors.size < 5) unrecoveredErrors.add(`${item.json?.code ?? ''} ${String(item.json?.error ?? '')}`.trim().slice(0, 300));
      done++;
      const retried = stages.slice(1).reduce((n, s) => n + s.itemsIn, 0);
      progress(
        `chunk ${done}/${total}: rows ${start}..${start + count - 1} in ${((Date.now() - chunkStart) / 1000).toFixed(1)} s; ` +
          `so far ${retried} item re-sends by retry stages, ${unrecoveredItems} unrecovered, faults ${emulator.faults.stats().injected}`,
      );
    }
    const syncMs = Date.now() - syncStart;
    const comparison = compareTarget(emulator, options.seed, options.rows);
    const stats = emulator.faults.stats();
    const { resultsDir: _resultsDir, ...reported } = options;
    return {
      options: reported,
      faultSpec,
      startedAt: new Date(t0).toISOString(),
      elapsedMs: Date.now() - t0,
      setupMs,
      syncMs,
      rowsSent,
      chunks: { done, total },
      ...(stopped ? { stopped } : {}),
      stages,
      unrecoveredItems,
      unrecoveredErrors: [...unrecoveredErrors],
      plannedBatches,
      comparison,
      traffic: traffic.snapshot(),
      faultsInjected: stats.byKind,
      faultDecisions: stats.decisions,
      passed: !stopped && comparison.lost === 0 && comparison.doubled === 0 && comparison.wrong === 0 && comparison.unexpected === 0,
    };
  } finally {
    await n8n?.stop();
    await emulator?.stop();
  }
}
