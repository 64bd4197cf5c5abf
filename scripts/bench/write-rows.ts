/**
 * Child process of the write benchmark: creates N rows through $batch with this package's client (adaptive
 * concurrency, Retry-After honoured) and prints {created, failed, ms, requests, throttled} as one JSON line.
 */
import * as fs from 'node:fs';
import { connectDataverse, type ClientEvent } from '../../client';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main() {
  const total = Number(env('BENCH_ROWS'));
  // Small batches: each exhausted window costs one 429 (the probe), so the throttled share is about one request per
  // Retry-After second over the requests sent in it; 4 operations per request keep the client's own cost per row low.
  const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 4);
  let requests = 0;
  let throttled = 0;
  const throttledBy: Record<string, number> = {};
  const client = connectDataverse({
    environmentUrl: env('BENCH_URL'),
    credentials: { kind: 'secret', clientId: env('BENCH_CLIENT_ID'), clientSecret: env('BENCH_SECRET'), authorityUrl: env('BENCH_AUTHORITY') },
    ca: fs.readFileSync(env('BENCH_CA_FILE')),
    events: (e: ClientEvent) => {
      if (e.type === 'response') requests++;
      if (e.type === 'throttle') {
        throttled++;
        throttledBy[e.limit] = (throttledBy[e.limit] ?? 0) + 1;
      }
    },
  });
  const operations = Array.from({ length: total }, (_, i) => ({
    method: 'POST' as const,
    path: 'accounts',
    body: { name: `Bench write ${String(i).padStart(6, '0')}` },
  }));
  const started = process.hrtime.bigint();
  const results = await client.executeBatch(operations, { maxOperationsPerBatch: batchSize, concurrency: 8, continueOnError: true });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  client.close();
  const created = results.filter((r) => r.outcome === 'succeeded').length;
  process.stdout.write(`${JSON.stringify({ created, failed: total - created, ms, requests, throttled, throttledBy, batchSize })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
