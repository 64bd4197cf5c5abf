/**
 * `npm run soak`: a bounded, loopback-only soak of an idempotent upsert sync from n8n through the Dataverse node into
 * the emulator under injected faults, then a row-by-row comparison of source and target. Prints progress and a
 * report, writes it to bench/results/soak-<timestamp>.{md,json}, and exits 0 only on PASS (0 lost, 0 doubled,
 * 0 wrong).
 *
 * Environment: SOAK_ROWS (50000), SOAK_FAULT_RATE (0.1), SOAK_SEED (42), SOAK_MAX_MINUTES (30, hard bound),
 * SOAK_CHUNK_ROWS (5000 rows per execution), SOAK_BATCH_SIZE (100), SOAK_RETRY_STAGES (5),
 * SOAK_LIMITS (off | test | real), SOAK_RESULTS_DIR (bench/results).
 */
import * as path from 'node:path';
import { soakOptionsFromEnv } from './soak/options';
import { markdownReport, verdictLine, writeReport } from './soak/report';
import { runSoak } from './soak/run';

async function main(): Promise<number> {
  // From dist/scripts/soak.js or scripts/soak.ts, the package root is two levels up or one.
  const root = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '..', '..') : path.resolve(__dirname, '..');
  const options = soakOptionsFromEnv(process.env, path.join(root, 'bench', 'results'));
  const t0 = Date.now();
  const result = await runSoak(options, (line) => process.stdout.write(`[soak +${((Date.now() - t0) / 1000).toFixed(0)}s] ${line}\n`));
  const files = writeReport(result, options.resultsDir);
  process.stdout.write(`\n${markdownReport(result)}\nReport: ${files.markdownFile}\n        ${files.jsonFile}\n${verdictLine(result)}\n`);
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`soak failed to run: ${error?.message ?? error}\n`);
    process.stdout.write('VERDICT: FAIL: the soak could not run\n');
    process.exit(1);
  },
);
