#!/usr/bin/env node
/**
 * npm run bench: the client's benchmarks, each against the emulator on loopback and each client in a process of
 * its own, printed side by side as ratios with the machine they ran on.
 *
 *   read:  every row of a 200,000-row table, this client vs DynamicsWebApi (rows/s, peak RSS)
 *   write: 50,000 creates through $batch under the `test` service protection limits, as a fraction of the
 *          ceiling those limits allow, with throttled requests and rows lost or doubled counted
 *   node:  10,000 creates through the Dataverse node in a real n8n 2.41.1 vs the bare client (overhead)
 *   generator: OpenAPI 3 of every entity set, this connector generator vs odata-openapi 0.29.0 (time, peak RSS,
 *          output size) on the Dataverse v8.2 and Graph v1.0 $metadata and synthetic Dataverse and F&O documents
 *
 * The report (markdown table + JSON) is printed and written to bench/results/<date>[-<parts>].md and .json
 * (BENCH_RESULTS_DIR elsewhere, BENCH_RESULTS_DIR=- not at all), with the machine and its load when the run began.
 *
 * Sizes can be lowered for a quick look: BENCH_READ_ROWS, BENCH_WRITE_ROWS, BENCH_NODE_ITEMS,
 * BENCH_GENERATOR_INPUTS=dataverse-v8.2,graph-v1.0,synthetic-dataverse,synthetic-fno (BENCH_GENERATOR_TIMEOUT_S bounds
 * each conversion, default 600); BENCH_ONLY=read,node runs a subset.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../emulator';
import { TEST_LIMITS } from '../emulator/limits';
import { LOOKUP_TABLES } from '../emulator/store/table-store';
import { generatorBenchmark, generatorTable, parseGeneratorInputs } from './bench/generator';
import { nodeOverheadBenchmark } from './bench/node-overhead';

const READ_ROWS = Number(process.env.BENCH_READ_ROWS ?? 200_000);
const WRITE_ROWS = Number(process.env.BENCH_WRITE_ROWS ?? 50_000);
const NODE_ITEMS = Number(process.env.BENCH_NODE_ITEMS ?? 10_000);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'read,write,node,generator').split(',').map((s) => s.trim()));

function child<T>(script: string, args: string[], emulator: RunningEmulator, extraEnv: Record<string, string> = {}): Promise<T> {
  const env = {
    ...process.env,
    BENCH_URL: emulator.dataverseUrl,
    BENCH_AUTHORITY: emulator.authorityUrl,
    BENCH_CLIENT_ID: emulator.clientId,
    BENCH_SECRET: emulator.clientSecret,
    BENCH_CA_FILE: emulator.caCertFile,
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(__dirname, 'bench', script), ...args], { env, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

function seedAccounts(emulator: RunningEmulator, count: number) {
  const store = emulator.service.store;
  for (let i = 0; i < count; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    store.put('account', id, {
      accountid: id, name: `Read bench ${i}`, accountnumber: `RB-${i}`, revenue: i * 10.5, statecode: 0, [LOOKUP_TABLES]: {},
    });
  }
}

interface ReadRun { rows: number; ms: number; maxRssMB: number }

async function readBenchmark() {
  const emulator = await startEmulator({ limits: 'off', sampleData: false });
  try {
    seedAccounts(emulator, READ_ROWS);
    const runs: Record<string, ReadRun[]> = { client: [], dynamicsWebApi: [] };
    // Alternating runs, best of two each, so neither client profits from a warmer machine.
    for (let round = 0; round < 2; round++) {
      runs.client.push(await child<ReadRun>('read-rows.js', ['client'], emulator));
      runs.dynamicsWebApi.push(await child<ReadRun>('read-rows.js', ['dynamics-web-api'], emulator, { NODE_EXTRA_CA_CERTS: emulator.caCertFile }));
    }
    const best = (list: ReadRun[]) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
    const ours = best(runs.client);
    const peer = best(runs.dynamicsWebApi);
    for (const r of [...runs.client, ...runs.dynamicsWebApi]) if (r.rows !== READ_ROWS) throw new Error(`a reader saw ${r.rows} of ${READ_ROWS} rows`);
    return {
      rows: READ_ROWS,
      client: { rowsPerSecond: Math.round(READ_ROWS / (ours.ms / 1000)), peakRssMB: Math.round(ours.maxRssMB) },
      dynamicsWebApi: { rowsPerSecond: Math.round(READ_ROWS / (peer.ms / 1000)), peakRssMB: Math.round(peer.maxRssMB) },
      speedRatio: Number((peer.ms / ours.ms).toFixed(2)),
      memoryRatio: Number((ours.maxRssMB / peer.maxRssMB).toFixed(2)),
    };
  } finally {
    await emulator.stop();
  }
}

async function writeBenchmark() {
  const emulator = await startEmulator({ limits: 'test', sampleData: false });
  try {
    const run = await child<{ created: number; failed: number; ms: number; requests: number; throttled: number; throttledBy: Record<string, number>; batchSize: number }>(
      'write-rows.js', [], emulator, { BENCH_ROWS: String(WRITE_ROWS) },
    );
    const names = [...emulator.service.store.rows('account').values()].map((r) => String(r.name));
    const distinct = new Set(names);
    const ceiling = TEST_LIMITS.maxRequests / TEST_LIMITS.windowSeconds;
    const rowsPerSecond = distinct.size / (run.ms / 1000);
    return {
      rows: WRITE_ROWS,
      batchSize: run.batchSize,
      rowsPerSecond: Math.round(rowsPerSecond),
      ceilingRowsPerSecond: ceiling,
      fractionOfCeiling: Number((rowsPerSecond / ceiling).toFixed(3)),
      requests: run.requests,
      throttledRequests: run.throttled,
      throttledBy: run.throttledBy,
      throttledPercent: Number(((100 * run.throttled) / Math.max(1, run.requests)).toFixed(2)),
      rowsLost: WRITE_ROWS - distinct.size,
      rowsDoubled: names.length - distinct.size,
      reportedFailed: run.failed,
    };
  } finally {
    await emulator.stop();
  }
}

async function nodeBenchmark() {
  const emulator = await startEmulator({ limits: 'off', sampleData: false });
  try {
    return await nodeOverheadBenchmark(emulator, NODE_ITEMS, (rows, extraEnv) =>
      child<{ created: number; ms: number }>('write-rows.js', [], emulator, { BENCH_ROWS: String(rows), ...extraEnv }),
    );
  } finally {
    await emulator.stop();
  }
}

function readTable(read: Awaited<ReturnType<typeof readBenchmark>>): string[] {
  return [
    `| Read ${read.rows} rows | rows/s | peak RSS MB |`,
    '|---|---|---|',
    `| this client | ${read.client.rowsPerSecond} | ${read.client.peakRssMB} |`,
    `| DynamicsWebApi | ${read.dynamicsWebApi.rowsPerSecond} | ${read.dynamicsWebApi.peakRssMB} |`,
    `| ratio (client / DynamicsWebApi) | ${read.speedRatio} | ${read.memoryRatio} |`,
    '',
  ];
}

function writeTable(write: Awaited<ReturnType<typeof writeBenchmark>>): string[] {
  return [
    `| Write ${write.rows} rows, test limits | value |`,
    '|---|---|',
    `| rows/s (batches of ${write.batchSize}) | ${write.rowsPerSecond} |`,
    `| fraction of the ${write.ceilingRowsPerSecond} rows/s ceiling | ${write.fractionOfCeiling} |`,
    `| throttled requests | ${write.throttledRequests} of ${write.requests} (${write.throttledPercent}%) |`,
    `| rows lost / doubled | ${write.rowsLost} / ${write.rowsDoubled} |`,
    '',
  ];
}

function nodeTable(node: Awaited<ReturnType<typeof nodeBenchmark>>): string[] {
  return [
    `| Create ${node.items} rows, batches of ${node.batchSize} | ms |`,
    '|---|---|',
    `| bare client (mean of two runs) | ${node.clientMs} |`,
    `| Dataverse node in n8n 2.41.1, Map Automatically (mean of two runs) | ${node.nodeMs} (overhead ${(node.overhead * 100).toFixed(1)}%) |`,
    `| the same with one {{ $json.name }} expression per item | ${node.nodeWithExpressionMs} (overhead ${(node.overheadWithExpression * 100).toFixed(1)}%) |`,
    '',
  ];
}

/** Where the report goes: one file pair per day and subset, so a partial run never overwrites the full one. */
function reportPaths(started: Date): { md: string; json: string } | undefined {
  const dir = process.env.BENCH_RESULTS_DIR ?? path.resolve(__dirname, '..', '..', 'bench', 'results');
  if (dir === '-') return undefined;
  const all = ['read', 'write', 'node', 'generator'];
  const parts = all.filter((p) => ONLY.has(p));
  const suffix = parts.length === all.length ? '' : `-${parts.join('-')}`;
  const base = path.join(dir, `${started.toISOString().slice(0, 10)}${suffix}`);
  return { md: `${base}.md`, json: `${base}.json` };
}

async function main() {
  const started = new Date();
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const lines = [
    `# Benchmarks, ${started.toISOString()}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; load average at start ${machine.loadAverageAtStart.join(' / ')}`,
    '',
  ];
  const report: Record<string, unknown> = { started: started.toISOString(), machine };
  if (ONLY.has('read')) {
    process.stderr.write(`bench: reading ${READ_ROWS} rows with each client...\n`);
    const read = await readBenchmark();
    report.read = read;
    lines.push(...readTable(read));
  }
  if (ONLY.has('write')) {
    process.stderr.write(`bench: writing ${WRITE_ROWS} rows under the test limits...\n`);
    const write = await writeBenchmark();
    report.write = write;
    lines.push(...writeTable(write));
  }
  if (ONLY.has('node')) {
    process.stderr.write(`bench: ${NODE_ITEMS} items through the Dataverse node in real n8n and through the bare client...\n`);
    const node = await nodeBenchmark();
    report.node = node;
    lines.push(...nodeTable(node));
  }
  if (ONLY.has('generator')) {
    process.stderr.write('bench: OpenAPI 3 of every entity set, this generator vs odata-openapi...\n');
    const generator = await generatorBenchmark({
      projectRoot: path.resolve(__dirname, '..', '..'),
      inputs: parseGeneratorInputs(process.env.BENCH_GENERATOR_INPUTS),
      timeoutSeconds: Number(process.env.BENCH_GENERATOR_TIMEOUT_S ?? 600),
      runs: Number(process.env.BENCH_GENERATOR_RUNS ?? 1),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    report.generator = generator;
    lines.push(...generatorTable(generator));
  }
  report.finished = new Date().toISOString();
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(report)}\n`);
  const files = reportPaths(started);
  if (files) {
    fs.mkdirSync(path.dirname(files.md), { recursive: true });
    fs.writeFileSync(files.md, `${lines.join('\n')}\n`);
    fs.writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`bench: report written to ${path.relative(process.cwd(), files.md)} and .json\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
