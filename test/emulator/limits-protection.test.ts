import {
  createServiceProtection,
  REAL_LIMITS,
  TEST_LIMITS,
  throttleMessage,
  type Admission,
  type Rejection,
} from '../../emulator/limits';

function fakeClock(start = 0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t), advance: (ms: number) => (now += ms) };
}

function admitted(result: Admission | Rejection): Admission {
  if (!result.ok) throw new Error(`expected admission, got 429 ${String(result.response.body)}`);
  return result;
}

function rejected(result: Admission | Rejection): Rejection {
  if (result.ok) throw new Error('expected a 429');
  return result;
}

function errorOf(rejection: Rejection): { code: string; message: string } {
  return JSON.parse(String(rejection.response.body)).error;
}

describe('service protection limits', () => {
  test('the test preset is small and explicit', () => {
    expect(TEST_LIMITS).toEqual({ windowSeconds: 5, maxRequests: 1000, maxExecutionMs: 3000, maxConcurrent: 4, dopHint: 2 });
    expect(REAL_LIMITS).toEqual({ windowSeconds: 300, maxRequests: 6000, maxExecutionMs: 1_200_000, maxConcurrent: 52, dopHint: 48 });
  });

  test('budget headers decrease with every admitted request', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    const seen: Array<Record<string, string>> = [];
    for (let i = 0; i < 3; i++) {
      const a = admitted(limits.begin('user-1'));
      seen.push(a.headers);
      a.release(250);
    }
    expect(seen.map((h) => h['x-ms-ratelimit-burst-remaining-xrm-requests'])).toEqual(['999', '998', '997']);
    expect(seen.map((h) => h['x-ms-ratelimit-time-remaining-xrm-requests'])).toEqual(['3.00', '2.75', '2.50']);
    expect(seen.every((h) => h['x-ms-dop-hint'] === '2')).toBe(true);
  });

  test('time remaining uses the live format: seconds, thousands separators, two decimals', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('real', clock.now);
    admitted(limits.begin('u')).release(540);
    const headers = admitted(limits.begin('u')).headers;
    expect(headers['x-ms-ratelimit-time-remaining-xrm-requests']).toBe('1,199.46');
    expect(headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('5998');
    expect(headers['x-ms-dop-hint']).toBe('48');
  });

  test('request limit: exact 429, Retry-After from the window, recovery', () => {
    const clock = fakeClock(1_000_000);
    const limits = createServiceProtection('test', clock.now);
    for (let i = 0; i < 1000; i++) admitted(limits.begin('u')).release(0);
    clock.advance(2000);
    const r = rejected(limits.begin('u'));
    expect(r.kind).toBe('requests');
    expect(r.response.status).toBe(429);
    expect(r.response.headers['content-type']).toBe('application/json; odata.metadata=minimal');
    expect(r.response.headers['retry-after']).toBe('3');
    expect(r.response.body).toBe(
      '{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 1000 over time window of 5 seconds."}}',
    );
    expect(limits.snapshot('u')).toMatchObject({ requests: 1000, remainingRequests: 0, inFlight: 0 });
    clock.advance(2999);
    expect(rejected(limits.begin('u')).response.headers['retry-after']).toBe('1');
    clock.advance(1);
    expect(admitted(limits.begin('u')).headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('999');
  });

  test('the window slides: only the oldest requests have to expire', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    for (let i = 0; i < 500; i++) admitted(limits.begin('u')).release(0);
    clock.set(2500);
    for (let i = 0; i < 500; i++) admitted(limits.begin('u')).release(0);
    clock.set(4200);
    expect(rejected(limits.begin('u')).response.headers['retry-after']).toBe('1');
    clock.set(5000);
    expect(admitted(limits.begin('u')).headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('499');
  });

  test('real preset: the 6,001st request in 300 s is refused with the production message', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('real', clock.now);
    const started = Date.now();
    for (let i = 0; i < 6000; i++) {
      clock.advance(10);
      admitted(limits.begin('app-user')).release(1);
    }
    expect(Date.now() - started).toBeLessThan(10_000); // bounds a quadratic window, generous for a loaded machine
    const r = rejected(limits.begin('app-user'));
    expect(errorOf(r)).toEqual({
      code: '0x80072322',
      message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
    });
    // First requests were at 10 ms (bucket 0), which leaves the window at 300 s; now is 60 s.
    expect(r.response.headers['retry-after']).toBe('240');
  });

  test('execution time limit with explicit durations', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    for (let i = 0; i < 3; i++) admitted(limits.begin('u')).release(1000);
    clock.set(1000);
    const r = rejected(limits.begin('u'));
    expect(r.kind).toBe('execution-time');
    expect(r.response.headers['retry-after']).toBe('4');
    expect(errorOf(r)).toEqual({
      code: '0x80072321',
      message:
        'Combined execution time of incoming requests exceeded limit of 3,000  milliseconds over time window of 5 seconds. ' +
        'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
    });
    clock.set(5000);
    expect(admitted(limits.begin('u')).headers['x-ms-ratelimit-time-remaining-xrm-requests']).toBe('3.00');
  });

  test('execution time defaults to wall time between begin and release', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    const a = admitted(limits.begin('u'));
    clock.advance(3200);
    a.release();
    a.release(); // idempotent
    expect(limits.snapshot('u')).toMatchObject({ executionMs: 3200, remainingExecutionMs: 0, inFlight: 0 });
    const r = rejected(limits.begin('u'));
    expect(r.response.headers['retry-after']).toBe('5');
  });

  test('production execution-time message has the two spaces and grouped number', () => {
    expect(throttleMessage('execution-time', REAL_LIMITS)).toBe(
      'Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. ' +
        'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
    );
    expect(throttleMessage('concurrency', REAL_LIMITS)).toBe('Number of concurrent requests exceeded the limit of 52.');
  });

  test('concurrency limit fails immediately and frees on release', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    const inFlight = [1, 2, 3, 4].map(() => admitted(limits.begin('u')));
    const r = rejected(limits.begin('u'));
    expect(r.kind).toBe('concurrency');
    expect(r.response.headers['retry-after']).toBe('1');
    expect(errorOf(r)).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 4.' });
    // Refused requests consume no budget.
    expect(limits.snapshot('u').requests).toBe(4);
    admitted(limits.begin('other-user')).release(0);
    inFlight[0].release(0);
    admitted(limits.begin('u'));
  });

  test('custom config and "off"', () => {
    const clock = fakeClock();
    const custom = createServiceProtection({ windowSeconds: 10, maxRequests: 1, maxExecutionMs: 100, maxConcurrent: 8 }, clock.now);
    expect(admitted(custom.begin('u')).headers['x-ms-dop-hint']).toBe('4');
    expect(errorOf(rejected(custom.begin('u'))).message).toBe(
      'Number of requests exceeded the limit of 1 over time window of 10 seconds.',
    );
    const off = createServiceProtection('off', clock.now);
    for (let i = 0; i < 1000; i++) expect(off.begin('u').ok).toBe(true);
    expect(() => createServiceProtection({ ...TEST_LIMITS, windowSeconds: 0 })).toThrow('windowSeconds');
  });
});

describe('a $batch counts each of its requests', () => {
  test('a weighted request uses that many requests of the budget and is refused when it does not fit', () => {
    const clock = fakeClock();
    const limits = createServiceProtection('test', clock.now);
    const a = admitted(limits.begin('user-1', 990));
    expect(a.headers['x-ms-ratelimit-burst-remaining-xrm-requests']).toBe('10');
    a.release(1);
    const r = rejected(limits.begin('user-1', 11));
    expect(errorOf(r).code).toBe('0x80072322');
    admitted(limits.begin('user-1', 10)).release(1);
    clock.advance(5_000);
    admitted(limits.begin('user-1', 1000)).release(1);
  });
});
