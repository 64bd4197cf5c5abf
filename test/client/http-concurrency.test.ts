/** The AIMD limiter against the emulator's real service protection limits, and cancellation of every kind of wait. */
import { ConcurrencyLimiter } from '../../client/http/concurrency-limiter';
import { D365Error } from '../../client/http/errors';
import { TEST_LIMITS } from '../../emulator/limits/config';
import type { ClientEvent } from '../../client/http/types';
import { rejectionOf, startHttpTestEnv, useHttpTestEnv, type HttpTestEnv } from './http-kit';

describe('AIMD against the concurrency limit (4 concurrent per user, x-ms-dop-hint 2)', () => {
  let env: HttpTestEnv;
  beforeAll(async () => {
    // The test preset's concurrency and dop hint, with room in the execution-time budget for the slow requests below.
    env = await startHttpTestEnv({ limits: { ...TEST_LIMITS, maxExecutionMs: 60_000 } });
  });
  afterAll(() => env.stop());

  it('30 concurrent GETs all complete; the limiter halves on real 429s, takes the dop hint, then grows back', async () => {
    // Every request holds its server slot 300 ms, so the 8 started at once overlap at the server even when TLS handshakes are slow on a busy machine.
    env.emulator.faults.setRate(1, [{ kind: 'slow', delayMs: 300 }]);
    const limiterEvents: ClientEvent[] = [];
    const limiter = new ConcurrencyLimiter({ initial: 8, increaseAfter: 3, events: (e) => limiterEvents.push(e) });
    let inFlight = 0;
    let maxInFlightAfterFirstDecrease = 0;
    let decreased = false;
    const watch = (e: ClientEvent) => {
      if (e.type === 'request') inFlight++;
      if (e.type === 'response') inFlight--;
      if (e.type === 'concurrency' && /throttled/.test(e.reason)) decreased = true;
      if (decreased) maxInFlightAfterFirstDecrease = Math.max(maxInFlightAfterFirstDecrease, inFlight);
    };
    const watched = env.pipeline({
      concurrency: limiter,
      retry: { maxAttempts: 6, timeBudgetMs: 15_000, baseDelayMs: 20, maxDelayMs: 200 },
      events: (e) => {
        env.events.push(e);
        watch(e);
      },
    });
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => watched.send({ method: 'GET', url: `${env.api}accounts?$top=1&$select=name&n=${i}`, headers: {} })),
    );

    expect(responses.every((r) => r.status === 200)).toBe(true);
    const throttles = env.events.filter((e) => e.type === 'throttle');
    expect(throttles.length).toBeGreaterThanOrEqual(2);
    expect(throttles.every((t) => (t as { limit: string }).limit === 'dataverse-concurrency')).toBe(true);

    const reasons = limiterEvents.map((e) => (e as { limit: number; reason: string }));
    const firstDecrease = reasons.findIndex((e) => /throttled/.test(e.reason));
    const dopHint = reasons.findIndex((e) => /x-ms-dop-hint 2/.test(e.reason));
    const firstIncreaseAfterDecrease = reasons.findIndex((e, i) => i > firstDecrease && /\+1/.test(e.reason));
    expect(firstDecrease).toBeGreaterThanOrEqual(0);
    expect(reasons[firstDecrease].limit).toBe(4);
    expect(dopHint).toBeGreaterThanOrEqual(0);
    expect(firstIncreaseAfterDecrease).toBeGreaterThan(firstDecrease);
    // One burst of simultaneous 429s halves once, not once per 429 (they were all sent at the old limit).
    expect(reasons.filter((e) => /throttled/.test(e.reason))).toHaveLength(1);
    expect(limiter.stats()).toMatchObject({ dopHint: 2, max: 4, inFlight: 0, queued: 0 });
    expect(limiter.stats().limit).toBeGreaterThan(2);
    expect(maxInFlightAfterFirstDecrease).toBeLessThanOrEqual(4);
  });
});

describe('cancellation', () => {
  const env = useHttpTestEnv();

  it('an AbortSignal cancels a request waiting out a Retry-After at once', async () => {
    const controller = new AbortController();
    const pipeline = env.pipeline({
      events: (e) => {
        env.events.push(e);
        if (e.type === 'retry') setTimeout(() => controller.abort(), 100);
      },
    });
    env.emulator.faults.script([{ kind: '429-requests', retryAfterSeconds: 10 }]);
    const started = Date.now();
    const error = await rejectionOf(
      pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {}, signal: controller.signal, operation: 'list accounts' }),
    );
    expect(Date.now() - started).toBeLessThan(6000); // well short of the 10 s Retry-After it stopped waiting for
    expect(error).toBeInstanceOf(D365Error);
    expect(error).toMatchObject({ code: 'ABORTED', retryable: false });
    expect(error.message).toBe('list accounts: the request was cancelled by the caller');
    expect(env.events.filter((e) => e.type === 'request')).toHaveLength(1);
  });

  it('an AbortSignal removes a request from the limiter queue; the queue keeps FIFO order for the others', async () => {
    const limiter = new ConcurrencyLimiter({ initial: 1, max: 1 });
    const pipeline = env.pipeline({ concurrency: limiter });
    env.emulator.faults.script([{ kind: 'slow', delayMs: 300 }]);
    const order: string[] = [];
    const first = pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} }).then(() => order.push('first'));
    await new Promise((r) => setTimeout(r, 50));
    const controller = new AbortController();
    const cancelled = rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {}, signal: controller.signal }));
    const third = pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} }).then(() => order.push('third'));
    await new Promise((r) => setTimeout(r, 20));
    expect(limiter.stats()).toMatchObject({ inFlight: 1, queued: 2 });

    controller.abort();
    const error = await cancelled;
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(limiter.stats().queued).toBe(1);
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('an AbortSignal cancels a request on the wire', async () => {
    const pipeline = env.pipeline();
    env.emulator.faults.script([{ kind: 'slow', delayMs: 8000 }]);
    const started = Date.now();
    const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {}, signal: AbortSignal.timeout(100) }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(Date.now() - started).toBeLessThan(5000); // well short of the 8 s answer it stopped waiting for
    expect(env.events.filter((e) => e.type === 'retry')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 800));
  });
});

describe('ConcurrencyLimiter', () => {
  it('halves down to the minimum and adds one per run of clean responses up to the maximum', async () => {
    const limiter = new ConcurrencyLimiter({ initial: 4, max: 5, increaseAfter: 2 });
    for (const expected of [2, 1, 1]) {
      const slot = await limiter.acquire();
      limiter.release(slot, 'throttled');
      expect(limiter.stats().limit).toBe(expected);
    }
    for (let i = 0; i < 20; i++) limiter.release(await limiter.acquire(), 'ok');
    expect(limiter.stats().limit).toBe(5);
  });

  it('ignores a 429 from a slot granted before the last decrease', async () => {
    const limiter = new ConcurrencyLimiter({ initial: 8 });
    const slots = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    for (const slot of slots) limiter.release(slot, 'throttled');
    expect(limiter.stats().limit).toBe(4);
  });

  it('takes the first x-ms-dop-hint as the limit and twice it as the maximum', () => {
    const events: ClientEvent[] = [];
    const limiter = new ConcurrencyLimiter({ events: (e) => events.push(e) });
    expect(limiter.stats().limit).toBe(4);
    limiter.observeDopHint('10');
    expect(limiter.stats()).toMatchObject({ limit: 10, max: 20, dopHint: 10 });
    limiter.observeDopHint('garbage');
    expect(limiter.stats().limit).toBe(10);
    expect(events).toEqual([{ type: 'concurrency', limit: 10, reason: 'x-ms-dop-hint 10' }]);
  });
});
