/** The limiter's two service-wide signals: a Retry-After pauses the whole connection; a spent budget caps sends. */
import { ConcurrencyLimiter } from '../../client/http';

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

test('a nearly spent request budget lets only as many requests out as it still admits', async () => {
  const limiter = new ConcurrencyLimiter({ initial: 4 });
  limiter.observeBudget('25', 10);
  const first = await limiter.acquire();
  const second = await limiter.acquire();
  let third = false;
  const pending = limiter.acquire().then((slot) => {
    third = true;
    return slot;
  });
  await new Promise((r) => setImmediate(r));
  expect(third).toBe(false);
  limiter.observeBudget('1,000', 10);
  const slot = await pending;
  expect(third).toBe(true);
  for (const s of [first, second, slot]) limiter.release(s, 'ok');
  limiter.observeBudget(undefined, 10);
  expect(limiter.stats().inFlight).toBe(0);
});
