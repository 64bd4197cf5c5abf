/** The limiter's two service-wide signals: a Retry-After pauses the whole connection; a spent budget caps sends. */
import { ConcurrencyLimiter } from '../../client/http';
import { concurrencyPolicy } from '../../client/http/concurrency-policy';
import type { HttpRequest, HttpResponse } from '../../client/http/types';

test('a Retry-After pause holds every new request of the connection until it ends', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 4 });
  const started = Date.now();
  limiter.pauseUntil(started + 300);
  await Promise.all([limiter.waitForResume(), limiter.waitForResume()]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  const aborted = new AbortController();
  limiter.pauseUntil(Date.now() + 10_000);
  const waiting = limiter.waitForResume(aborted.signal);
  aborted.abort();
  await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
});

test('near the end of the request budget one request goes at a time; a fresh budget lets the rest follow', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 4 });
  limiter.observeBudget('79', 10);
  await limiter.acquire();
  let second = false;
  const pending = limiter.acquire().then((slot) => {
    second = true;
    return slot;
  });
  await new Promise((r) => setImmediate(r));
  expect(second).toBe(false);
  limiter.observeBudget('1,000', 10);
  await pending;
  expect(second).toBe(true);
  expect((await Promise.all([limiter.acquire(), limiter.acquire()])).length).toBe(2);
  expect(limiter.stats().inFlight).toBe(4);
});

test('a 429 for the request count keeps the concurrency limit and sends one probe after the pause', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 4 });
  limiter.observeBudget('500', 1);
  const slots = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
  limiter.release(slots[0], 'rateLimited');
  expect(limiter.stats().limit).toBe(4);
  limiter.release(slots[1], 'ok');
  limiter.release(slots[2], 'ok');
  const probe = await limiter.acquire();
  let next = false;
  void limiter.acquire().then(() => (next = true));
  await new Promise((r) => setImmediate(r));
  expect(next).toBe(false);
  limiter.observeBudget('400', 1);
  await new Promise((r) => setImmediate(r));
  expect(next).toBe(true);
  limiter.release(probe, 'ok');
});

test('without budget headers a success lifts the one-at-a-time cap a 429 set', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 3 });
  limiter.release(await limiter.acquire(), 'rateLimited');
  const probe = await limiter.acquire();
  let next = false;
  void limiter.acquire().then(() => (next = true));
  await new Promise((r) => setImmediate(r));
  expect(next).toBe(false);
  limiter.release(probe, 'ok');
  await new Promise((r) => setImmediate(r));
  expect(next).toBe(true);
});

test('a request queued for a slot before a 429 paused the connection waits out the pause', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 1 });
  const policy = concurrencyPolicy(limiter);
  const sentAt: number[] = [];
  let calls = 0;
  const next = async (request: HttpRequest): Promise<HttpResponse> => {
    sentAt.push(Date.now());
    if (calls++ === 0) {
      await new Promise((r) => setTimeout(r, 20));
      return { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' }, body: Buffer.from('{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit"}}'), request };
    }
    return { status: 200, headers: {}, body: Buffer.alloc(0), request };
  };
  const request = (): HttpRequest => ({ method: 'GET', url: 'https://contoso.crm.dynamics.com/api/data/v9.2/WhoAmI', headers: {} });
  const started = Date.now();
  const [first, second] = await Promise.all([policy.send(request(), next), policy.send(request(), next)]);
  expect([first.status, second.status]).toEqual([429, 200]);
  expect(sentAt[1] - started).toBeGreaterThanOrEqual(990);
  expect(limiter.stats().limit).toBe(1);
});
