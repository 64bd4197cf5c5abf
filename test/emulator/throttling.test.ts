/**
 * Service protection limits of the assembled emulator under limits:'test' (TEST_LIMITS: 1,000 requests / 5 s window,
 * 4 concurrent), driven over loopback HTTPS until it answers 429, then waited out. Most of the request budget is
 * spent by one $batch (each of its parts counts), the rest by single requests whose budget header counts down.
 */
import { TEST_LIMITS } from '../../emulator/limits';
import { useWebApi, type HttpResult } from '../helpers/emulator';
import { batchBody } from '../helpers/multipart';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectThrottle(res: HttpResult, code: string, message: string) {
  expect(res.status).toBe(429);
  const retryAfter = String(res.headers['retry-after']);
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(TEST_LIMITS.windowSeconds);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.json).toEqual({ error: { code, message } });
  return Number(retryAfter);
}

describe('request limit (limits: test)', () => {
  const web = useWebApi({ limits: 'test' });

  it('counts down the burst header, answers 429 0x80072322 when the budget is spent, and recovers after Retry-After', async () => {
    const singles = 20;
    const remaining: number[] = [];
    let throttled: HttpResult | undefined;
    const started = Date.now();
    const parts = Array.from({ length: TEST_LIMITS.maxRequests - singles }, () => ({ request: 'GET WhoAmI' }));
    const batch = await web.call('POST', '$batch', { headers: { 'content-type': 'multipart/mixed; boundary=b1' }, body: batchBody('b1', parts) });
    expect(batch.status).toBe(200);
    expect(batch.headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe(String(singles));
    for (let i = 0; i < 3 * singles && !throttled; i++) {
      const res = await web.call('GET', 'WhoAmI');
      if (res.status === 429) throttled = res;
      else {
        expect(res.status).toBe(200);
        remaining.push(Number(res.headers['x-ms-ratelimit-burst-remaining-xrm-requests']));
        expect(res.headers['x-ms-dop-hint']).toBe(String(TEST_LIMITS.dopHint));
        expect(String(res.headers['x-ms-ratelimit-time-remaining-xrm-requests'])).toMatch(/^[\d,]+\.\d\d$/);
      }
    }
    // The loop must finish inside one window for the count to be exact.
    expect(Date.now() - started).toBeLessThan(TEST_LIMITS.windowSeconds * 1000);
    expect(throttled).toBeDefined();
    expect(remaining).toHaveLength(singles);
    expect(remaining).toEqual(Array.from({ length: singles }, (_, i) => singles - 1 - i));
    const retryAfter = expectThrottle(
      throttled!,
      '0x80072322',
      'Number of requests exceeded the limit of 1000 over time window of 5 seconds.',
    );

    console.info(`throttling: ${remaining.length} × 200 then 429 on request ${remaining.length + 1}, Retry-After ${retryAfter} s`);
    // Still throttled right away: a rejected request does not consume budget, nor does it reset the wait.
    expect((await web.call('GET', 'WhoAmI')).status).toBe(429);

    await sleep(retryAfter * 1000 + 250);
    const recovered = await web.call('GET', 'WhoAmI');
    expect(recovered.status).toBe(200);
    expect(recovered.json.UserId).toBe(web.emulator.identity.applicationUserId);
    expect(Number(recovered.headers['x-ms-ratelimit-burst-remaining-xrm-requests'])).toBeGreaterThanOrEqual(0);
  });
});

describe('concurrency limit (limits: test)', () => {
  const web = useWebApi({ limits: 'test' });

  it('answers 429 0x80072326 to requests beyond maxConcurrent while slow ones are in flight, then serves again', async () => {
    const burst = TEST_LIMITS.maxConcurrent * 2;
    web.emulator.faults.script(Array.from({ length: burst }, () => ({ kind: 'slow' as const, delayMs: 600 })));
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: burst }, () => web.call('GET', 'WhoAmI')));
    const elapsed = Date.now() - started;

    const ok = results.filter((r) => r.status === 200);
    const rejected = results.filter((r) => r.status === 429);
    expect(ok.length + rejected.length).toBe(burst);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length).toBeLessThanOrEqual(TEST_LIMITS.maxConcurrent);
    expect(rejected.length).toBeGreaterThanOrEqual(burst - TEST_LIMITS.maxConcurrent);
    for (const r of rejected) {
      expectThrottle(r, '0x80072326', 'Number of concurrent requests exceeded the limit of 4.');
    }
    // The admitted ones really were slow (held their slot), the whole burst was not serialised.
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(600 * burst);
    expect(web.emulator.faults.stats().scriptPending).toBe(0);
    console.info(`concurrency: ${burst} at once -> ${ok.length} × 200, ${rejected.length} × 429 0x80072326 in ${elapsed} ms`);

    // Concurrency frees as soon as requests finish: no window to wait out.
    const after = await Promise.all(Array.from({ length: TEST_LIMITS.maxConcurrent }, () => web.call('GET', 'WhoAmI')));
    expect(after.map((r) => r.status)).toEqual(Array(TEST_LIMITS.maxConcurrent).fill(200));
  });
});
