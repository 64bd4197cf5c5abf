/**
 * Generator benchmark (npm run bench, section `generator`): this package's OpenAPI 3 conversion of every entity set
 * (parseCsdlStream + writeOpenApi3, streamed) against odata-openapi 0.29.0 on the same inputs, each run in a process
 * of its own (generator-child.js) measuring wall time and peak RSS (process.resourceUsage().maxRSS), best of
 * BENCH_GENERATOR_RUNS (default 1). Both write compact JSON (odata-openapi's CLI default), so output sizes compare. Inputs: the real Dataverse v8.2 $metadata, Microsoft Graph v1.0 (unzipped to a temp file), a synthetic
 * Dataverse document (2,000 types × 60 properties, ~30 MB) and a synthetic F&O one (3,000 entities).
 * BENCH_GENERATOR_INPUTS=dataverse-v8.2,graph-v1.0,synthetic-dataverse,synthetic-fno restricts them;
 * BENCH_GENERATOR_TIMEOUT_S (default 600) bounds each run; a run over it is reported as a timeout.
 *
 * Memory is reported as measured (peak RSS of the whole process) and, beside it, above the peak RSS of the same
 * child started with nothing to do (Node, V8 and the modules loaded: some 40 MB that neither tool can go below),
 * measured in the same run. The first is what a machine must have; the second compares what each conversion adds.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { writeSyntheticDataverseCsdl, writeSyntheticFnoCsdl } from './synthetic-csdl';

export const GENERATOR_INPUTS = ['dataverse-v8.2', 'graph-v1.0', 'synthetic-dataverse', 'synthetic-fno'] as const;
export type GeneratorInput = (typeof GENERATOR_INPUTS)[number];

export type RunResult =
  | { status: 'ok'; ms: number; maxRssMB: number; outputBytes: number }
  | { status: 'timeout'; afterSeconds: number }
  | { status: 'failed'; error: string };

export interface InputResult {
  input: GeneratorInput;
  file?: string;
  bytes?: number;
  skipped?: string;
  ours?: RunResult;
  odataOpenapi?: RunResult;
  /** odata-openapi time / ours (above 1: ours is faster). */
  speedRatio?: number;
  /** ours peak RSS / odata-openapi's (below 1: ours uses less). */
  memoryRatio?: number;
  /** Peak RSS of the benchmark child doing nothing, measured just before this input's runs. */
  baselineRssMB?: number;
  /** (ours peak RSS − baseline) / (odata-openapi's − baseline). */
  memoryAboveBaselineRatio?: number;
}

export interface GeneratorBenchOptions {
  projectRoot: string;
  inputs?: GeneratorInput[];
  timeoutSeconds?: number;
  runs?: number;
  log?: (line: string) => void;
}

function runChild(tool: 'ours' | 'odata-openapi' | 'baseline', input: string, output: string, timeoutSeconds: number): Promise<RunResult> {
  const child = path.join(__dirname, 'generator-child.js');
  // The same generous heap for both, so neither fails for a default limit the other happens to fit in.
  const args = ['--max-old-space-size=8192', child, tool, input, output];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) resolve({ status: 'timeout', afterSeconds: timeoutSeconds });
      else if (err) resolve({ status: 'failed', error: (stderr || err.message).trim().split('\n').slice(0, 3).join(' ').slice(0, 300) });
      else resolve({ status: 'ok', ...JSON.parse(stdout.trim().split('\n').pop()!) });
      if (tool !== 'baseline') fs.rm(output, { force: true }, () => undefined);
    });
  });
}

async function prepare(input: GeneratorInput, projectRoot: string, tmp: string, log: (l: string) => void): Promise<{ file?: string; skipped?: string }> {
  const shared = path.resolve(projectRoot, '..', 'shared', 'fixtures', 'metadata');
  switch (input) {
    case 'dataverse-v8.2': {
      const file = path.join(shared, 'dataverse', 'crm-v8.2-schema.xml');
      return fs.existsSync(file) ? { file } : { skipped: `${file} is missing` };
    }
    case 'graph-v1.0': {
      const gz = path.join(shared, 'other', 'msgraph-v1.0-Prod.csdl.xml.gz');
      if (!fs.existsSync(gz)) return { skipped: `${gz} is missing` };
      const file = path.join(tmp, 'msgraph-v1.0.xml');
      await pipeline(fs.createReadStream(gz), zlib.createGunzip(), fs.createWriteStream(file));
      return { file };
    }
    case 'synthetic-dataverse': {
      const file = path.join(tmp, 'synthetic-dataverse.xml');
      log('bench: writing the synthetic Dataverse $metadata (2,000 types × 60 properties)...');
      await writeSyntheticDataverseCsdl(file, { entityTypes: 2000, propertiesPerType: 60, seed: 1 });
      return { file };
    }
    case 'synthetic-fno': {
      const file = path.join(tmp, 'synthetic-fno.xml');
      log('bench: writing the synthetic F&O $metadata (3,000 entities)...');
      await writeSyntheticFnoCsdl(file, { entityTypes: 3000, seed: 1 });
      return { file };
    }
  }
}

function best(runs: RunResult[]): RunResult {
  const ok = runs.filter((r): r is Extract<RunResult, { status: 'ok' }> => r.status === 'ok');
  return ok.length ? ok.reduce((a, b) => (b.ms < a.ms ? b : a)) : runs[0];
}

export function parseGeneratorInputs(value: string | undefined): GeneratorInput[] {
  if (!value) return [...GENERATOR_INPUTS];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(GENERATOR_INPUTS as readonly string[]).includes(n)) throw new Error(`BENCH_GENERATOR_INPUTS: unknown input '${n}' (known: ${GENERATOR_INPUTS.join(', ')})`);
  return names as GeneratorInput[];
}

export async function generatorBenchmark(options: GeneratorBenchOptions): Promise<{ inputs: InputResult[] }> {
  const log = options.log ?? (() => undefined);
  const timeout = options.timeoutSeconds ?? 600;
  const runs = Math.max(1, options.runs ?? 1);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-generator-'));
  const results: InputResult[] = [];
  try {
    for (const input of options.inputs ?? GENERATOR_INPUTS) {
      const { file, skipped } = await prepare(input, options.projectRoot, tmp, log);
      if (!file) {
        log(`bench: generator: skipping ${input}: ${skipped}`);
        results.push({ input, skipped });
        continue;
      }
      const bytes = fs.statSync(file).size;
      const baseline = await runChild('baseline', '', '', timeout);
      const oursRuns: RunResult[] = [];
      const peerRuns: RunResult[] = [];
      // Alternating, so neither profits from a warmer machine.
      for (let r = 0; r < runs; r++) {
        log(`bench: generator: ${input} (${(bytes / 2 ** 20).toFixed(1)} MB) with this generator...`);
        oursRuns.push(await runChild('ours', file, path.join(tmp, 'ours.json'), timeout));
        log(`bench: generator: ${input} with odata-openapi (timeout ${timeout} s)...`);
        peerRuns.push(await runChild('odata-openapi', file, path.join(tmp, 'odata-openapi.json'), timeout));
      }
      const ours = best(oursRuns);
      const odataOpenapi = best(peerRuns);
      const result: InputResult = { input, file: path.basename(file), bytes, ours, odataOpenapi };
      if (ours.status === 'ok' && odataOpenapi.status === 'ok') {
        result.speedRatio = Number((odataOpenapi.ms / ours.ms).toFixed(2));
        result.memoryRatio = Number((ours.maxRssMB / odataOpenapi.maxRssMB).toFixed(2));
        if (baseline.status === 'ok') {
          result.baselineRssMB = Number(baseline.maxRssMB.toFixed(1));
          result.memoryAboveBaselineRatio = Number(((ours.maxRssMB - baseline.maxRssMB) / (odataOpenapi.maxRssMB - baseline.maxRssMB)).toFixed(2));
        }
      }
      results.push(result);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { inputs: results };
}

function cell(r: RunResult | undefined): string {
  if (!r) return '– | – | –';
  if (r.status === 'timeout') return `timeout (> ${r.afterSeconds} s) | – | –`;
  if (r.status === 'failed') return `failed: ${r.error.replace(/\|/g, '/').slice(0, 120)} | – | –`;
  return `${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.maxRssMB)} MB | ${(r.outputBytes / 2 ** 20).toFixed(2)} MB`;
}

export function generatorTable(report: { inputs: InputResult[] }): string[] {
  const lines = [
    '| OpenAPI 3 of every entity set | input size | this generator: time | peak RSS | output | odata-openapi 0.29.0: time | peak RSS | output | speed ratio (odata-openapi / ours) | memory ratio (ours / odata-openapi) | empty child peak RSS | memory ratio above it |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.inputs) {
    if (r.skipped) {
      lines.push(`| ${r.input} | skipped: ${r.skipped} | | | | | | | | | | |`);
      continue;
    }
    const baseline = r.baselineRssMB === undefined ? '–' : `${Math.round(r.baselineRssMB)} MB`;
    lines.push(
      `| ${r.input} | ${((r.bytes ?? 0) / 2 ** 20).toFixed(1)} MB | ${cell(r.ours)} | ${cell(r.odataOpenapi)} | ${r.speedRatio ?? '–'} | ${r.memoryRatio ?? '–'} | ${baseline} | ${r.memoryAboveBaselineRatio ?? '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

/** `node dist/scripts/bench/generator.js`: this section alone (same environment variables as npm run bench). */
if (require.main === module) {
  const projectRoot = path.resolve(__dirname, '..', '..', '..');
  generatorBenchmark({
    projectRoot,
    inputs: parseGeneratorInputs(process.env.BENCH_GENERATOR_INPUTS),
    timeoutSeconds: Number(process.env.BENCH_GENERATOR_TIMEOUT_S ?? 600),
    runs: Number(process.env.BENCH_GENERATOR_RUNS ?? 1),
    log: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (report) => process.stdout.write(`${generatorTable(report).join('\n')}\n${JSON.stringify(report)}\n`),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
