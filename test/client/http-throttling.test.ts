/** 429s from the emulator: waited out per Retry-After, classified per limit, safe to retry even for a create. */
import { D365Error } from '../../client/http/errors';
import { json, rejectionOf, useHttpTestEnv } from './http-kit';

const env = useHttpTestEnv();

describe.each([
  ['429-requests', 'dataverse-requests'],
  ['429-time', 'dataverse-execution-time'],
  ['429-concurrency', 'dataverse-concurrency'],
] as const)('%s', (kind, limit) => {
  it(`is retried after Retry-After and classified as ${limit}`, async () => {
    const pipeline = env.pipeline();
    env.emulator.faults.script([{ kind, retryAfterSeconds: 1 }]);
    const before = env.served();
    const started = Date.now();
    const response = await pipeline.send({ method: 'GET', url: `${env.api}accounts?$top=1&$select=name`, headers: {} });
    const elapsed = Date.now() - started;

    expect(response.status).toBe(200);
    expect(json(response).value).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(env.served() - before).toBe(2);
    const throttles = env.events.filter((e) => e.type === 'throttle');
    expect(throttles).toEqual([expect.objectContaining({ limit, retryAfterMs: 1000, method: 'GET' })]);
    const retries = env.events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, reason: `429 ${limit}` });
    expect((retries[0] as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(1000);
  });
});

it('waits a longer Retry-After in full', async () => {
  const pipeline = env.pipeline();
  env.emulator.faults.script([{ kind: '429-requests', retryAfterSeconds: 2 }]);
  const started = Date.now();
  await pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} });
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});

it('retries a create after a 429 (documented as not processed) and creates exactly one row', async () => {
  const pipeline = env.pipeline();
  const subject = `throttled create ${Date.now()}`;
  env.emulator.faults.script([{ kind: '429-requests', retryAfterSeconds: 1 }], { methods: ['POST'] });
  const before = env.served();
  const response = await pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject }), operation: 'create task' });
  expect(response.status).toBe(204);
  expect(response.headers['odata-entityid']).toMatch(/tasks\(/);
  expect(env.served() - before).toBe(2);

  const filter = encodeURIComponent(`subject eq '${subject}'`);
  const rows = await pipeline.send({ method: 'GET', url: `${env.api}tasks?$filter=${filter}&$select=subject`, headers: {} });
  expect(json(rows).value).toHaveLength(1);
});

it('gives up at once, with the limit and the wait, when Retry-After exceeds the time budget', async () => {
  const pipeline = env.pipeline({ retry: { maxAttempts: 5, timeBudgetMs: 3000, baseDelayMs: 10, maxDelayMs: 100 } });
  env.emulator.faults.script([{ kind: '429-time', retryAfterSeconds: 30 }]);
  const started = Date.now();
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {}, operation: 'list accounts' }));
  expect(Date.now() - started).toBeLessThan(10_000); // far below the 30 s Retry-After it refused to wait
  expect(error).toBeInstanceOf(D365Error);
  expect(error).toMatchObject({ status: 429, code: '0x80072321', limit: 'dataverse-execution-time', retryable: true, operation: 'list accounts' });
  expect(error.message).toMatch(/^list accounts: Combined execution time/);
  expect(error.message).toMatch(/asked to wait 30 s/);
  expect(error.message).toMatch(/exceed the retry time budget of 3 s/);
  expect(env.events.filter((e) => e.type === 'throttle')).toHaveLength(1);
});

it('stops after maxAttempts 429s and reports the last one', async () => {
  const pipeline = env.pipeline({ retry: { maxAttempts: 2, timeBudgetMs: 10_000, baseDelayMs: 10, maxDelayMs: 100 } });
  env.emulator.faults.script([
    { kind: '429-concurrency', retryAfterSeconds: 1 },
    { kind: '429-concurrency', retryAfterSeconds: 1 },
    { kind: '429-concurrency', retryAfterSeconds: 1 },
  ]);
  const before = env.served();
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {} }));
  expect(error).toMatchObject({ status: 429, limit: 'dataverse-concurrency' });
  expect(error.message).toMatch(/Gave up after 2 attempts/);
  expect(env.served() - before).toBe(2);
  expect(env.emulator.faults.stats().scriptPending).toBe(1);
});
