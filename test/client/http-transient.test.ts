/**
 * 502/503/504, connection resets and timeouts: retried for requests that are safe to repeat, never for a create
 * that may already have been applied; bounded by attempts and by time.
 */
import { D365Error } from '../../client/http/errors';
import { json, rejectionOf, useHttpTestEnv } from './http-kit';

const env = useHttpTestEnv();

async function countTasks(subject: string): Promise<number> {
  const filter = encodeURIComponent(`subject eq '${subject}'`);
  const response = await env.pipeline().send({ method: 'GET', url: `${env.api}tasks?$filter=${filter}&$select=subject`, headers: {} });
  return json(response).value.length;
}

// First in the file: the emulator's slow timer outlives the attempt, and the later tests give it time to finish.
it('times out a slow attempt and retries a GET', async () => {
  const pipeline = env.pipeline({ timeoutMs: 300 });
  env.emulator.faults.script([{ kind: 'slow', delayMs: 4000 }]);
  const started = Date.now();
  const response = await pipeline.send({ method: 'GET', url: `${env.api}accounts?$top=1`, headers: {} });
  expect(response.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(3500); // the retry answered before the slow first attempt would have
  expect(env.events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'network ETIMEDOUT' });
});

it.each(['502', '503', '504'] as const)('retries a GET after %s', async (kind) => {
  const pipeline = env.pipeline();
  env.emulator.faults.script([{ kind }, { kind }]);
  const before = env.served();
  const response = await pipeline.send({ method: 'GET', url: `${env.api}accounts?$top=2`, headers: {} });
  expect(response.status).toBe(200);
  expect(json(response).value).toHaveLength(2);
  expect(env.served() - before).toBe(3);
  expect(env.events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual([`HTTP ${kind}`, `HTTP ${kind}`]);
});

it('retries a GET whose connection is reset mid-body', async () => {
  const pipeline = env.pipeline();
  env.emulator.faults.script([{ kind: 'reset', afterBytes: 10 }]);
  const before = env.served();
  const response = await pipeline.send({ method: 'GET', url: `${env.api}accounts?$top=3`, headers: {} });
  expect(json(response).value).toHaveLength(3);
  expect(env.served() - before).toBe(2);
  expect(env.events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'network ECONNRESET' });
});

it('does not retry a create after a 503: exactly one request reached the service, outcome unknown', async () => {
  const pipeline = env.pipeline();
  const subject = `create after 503 ${Date.now()}`;
  env.emulator.faults.script([{ kind: '503' }], { methods: ['POST'] });
  const before = env.served();
  const error = await rejectionOf(
    pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject }), operation: 'create task' }),
  );
  expect(env.served() - before).toBe(1);
  expect(error).toBeInstanceOf(D365Error);
  expect(error).toMatchObject({ status: 503, code: 'OutcomeUnknown', retryable: false, operation: 'create task' });
  expect(error.message).toMatch(/^create task: the outcome is unknown: the service answered HTTP 503/);
  expect(error.message).toMatch(/Check whether the change took effect/);
  expect(env.events.filter((e) => e.type === 'retry')).toHaveLength(0);
  expect(await countTasks(subject)).toBe(0);
});

it('does not retry a create after a reset, which had in fact been applied (the reason not to retry)', async () => {
  const pipeline = env.pipeline();
  const subject = `create after reset ${Date.now()}`;
  env.emulator.faults.script([{ kind: 'reset', afterBytes: 0 }], { methods: ['POST'] });
  const before = env.served();
  const error = await rejectionOf(
    pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject }) }),
  );
  expect(env.served() - before).toBe(1);
  expect(error).toMatchObject({ code: 'OutcomeUnknown', retryable: false });
  expect(error.message).toMatch(/the connection failed \(ECONNRESET\) after the request was sent/);
  expect(await countTasks(subject)).toBe(1);
});

it('retries a POST the caller marked idempotent', async () => {
  const pipeline = env.pipeline();
  env.emulator.faults.script([{ kind: '503' }], { methods: ['POST'] });
  const subject = `idempotent post ${Date.now()}`;
  const response = await pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject }), idempotent: true });
  expect(response.status).toBe(204);
  expect(await countTasks(subject)).toBe(1);
});

it('retries a conditional PATCH (If-Match) after a 502', async () => {
  const pipeline = env.pipeline();
  const created = await pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject: 'patch me' }) });
  const rowUrl = created.headers['odata-entityid'];
  env.emulator.faults.script([{ kind: '502' }], { methods: ['PATCH'] });
  const response = await pipeline.send({ method: 'PATCH', url: rowUrl, headers: { 'if-match': '*' }, body: JSON.stringify({ subject: 'patched' }) });
  expect(response.status).toBe(204);
  expect(env.events.filter((e) => e.type === 'retry')).toHaveLength(1);
});

it('bounds attempts: maxAttempts 3 against ten 503s sends exactly 3 requests', async () => {
  const pipeline = env.pipeline({ retry: { maxAttempts: 3, timeBudgetMs: 10_000, baseDelayMs: 10, maxDelayMs: 50 } });
  env.emulator.faults.script(Array.from({ length: 10 }, () => ({ kind: '503' as const })));
  const before = env.served();
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {} }));
  expect(env.served() - before).toBe(3);
  expect(error).toMatchObject({ status: 503, retryable: true });
  expect(error.message).toMatch(/Gave up after 3 attempts/);
});

it('bounds time: no retry starts when its wait would end past the time budget', async () => {
  // random() = 1 makes every full-jitter wait the whole step: 400 ms, so attempts at ~0, ~400, ~800 ms, then stop.
  const pipeline = env.pipeline({ retry: { maxAttempts: 50, timeBudgetMs: 1000, baseDelayMs: 400, maxDelayMs: 400 }, random: () => 1 });
  env.emulator.faults.script(Array.from({ length: 50 }, () => ({ kind: '504' as const })));
  const before = env.served();
  const started = Date.now();
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {} }));
  const elapsed = Date.now() - started;
  expect(env.served() - before).toBe(3);
  expect(elapsed).toBeGreaterThanOrEqual(800);
  expect(elapsed).toBeLessThan(5000); // three attempts, then it stopped (a fourth would have started at ~1.2 s)
  expect(error).toMatchObject({ status: 504 });
  expect(error.message).toMatch(/exceed the retry time budget of 1 s/);
});

it('shares one budget between 429s and 503s in the same send', async () => {
  const pipeline = env.pipeline({ retry: { maxAttempts: 3, timeBudgetMs: 10_000, baseDelayMs: 10, maxDelayMs: 50 } });
  env.emulator.faults.script([{ kind: '503' }, { kind: '429-requests', retryAfterSeconds: 1 }, { kind: '503' }, { kind: '503' }]);
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {} }));
  expect(error.message).toMatch(/Gave up after 3 attempts/);
  expect(env.emulator.faults.stats().scriptPending).toBe(1);
});
