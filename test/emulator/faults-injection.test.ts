import {
  createFaultInjector,
  faultResponse,
  FaultSpecError,
  parseFaultSpec,
  seededRandom,
  type Fault,
  type FaultRequest,
} from '../../emulator/faults';
import { REAL_LIMITS, TEST_LIMITS, throttleResponse } from '../../emulator/limits';

const GET: FaultRequest = { method: 'GET', path: '/api/data/v9.2/accounts' };

describe('parseFaultSpec', () => {
  test('parses the documented example', () => {
    expect(parseFaultSpec('rate=0.1:429-requests,503,502,reset;seed=42;slow=200ms@0.05;paths=/api/data')).toEqual({
      rules: [
        { probability: 0.1, faults: [{ kind: '429-requests' }, { kind: '503' }, { kind: '502' }, { kind: 'reset', afterBytes: 16 }] },
        { probability: 0.05, faults: [{ kind: 'slow', delayMs: 200 }] },
      ],
      seed: 42,
      paths: ['/api/data'],
    });
  });

  test('arguments, percentages, filters and scripts', () => {
    expect(
      parseFaultSpec(' rate = 5% : 429-time(30s), reset(0), slow(2s), 401-revoked ; methods=post,PATCH; users=a,b; script=504,429-concurrency;'),
    ).toEqual({
      rules: [
        {
          probability: 0.05,
          faults: [
            { kind: '429-time', retryAfterSeconds: 30 },
            { kind: 'reset', afterBytes: 0 },
            { kind: 'slow', delayMs: 2000 },
            { kind: '401-revoked' },
          ],
        },
      ],
      methods: ['POST', 'PATCH'],
      userIds: ['a', 'b'],
      script: [{ kind: '504' }, { kind: '429-concurrency' }],
    });
    expect(parseFaultSpec('')).toEqual({ rules: [] });
  });

  test.each([
    ['rate=1.5:503', '1.5'],
    ['rate=0.1:500', '500'],
    ['rate=0.1', 'rate=0.1'],
    ['bogus=1', 'bogus'],
    ['rate0.1:503', 'rate0.1:503'],
    ['slow=200@0.1', '200'],
    ['slow=200ms', 'slow=200ms'],
    ['seed=abc', 'abc'],
    ['seed=1;seed=2', 'seed=2'],
    ['paths=api/data', 'api/data'],
    ['rate=0.1:reset(abc)', 'reset(abc)'],
    ['rate=0.1:503(5s)', '503(5s)'],
    ['rate=0.1:503,,502', '503,,502'],
    ['rate=', 'rate='],
  ])('rejects %s naming %s', (spec, token) => {
    let caught: unknown;
    try {
      parseFaultSpec(spec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FaultSpecError);
    expect((caught as FaultSpecError).token).toBe(token);
    expect((caught as Error).message).toContain(`"${token}"`);
  });
});

describe('createFaultInjector', () => {
  const decideMany = (spec: string, n: number) => {
    const injector = createFaultInjector(spec);
    return Array.from({ length: n }, () => injector.decide(GET)?.kind ?? '-');
  };

  test('same seed, same decisions; other seed, other decisions', () => {
    const spec = 'rate=0.3:503,502,reset;slow=10ms@0.2;seed=';
    expect(decideMany(spec + '7', 500)).toEqual(decideMany(spec + '7', 500));
    expect(decideMany(spec + '7', 500)).not.toEqual(decideMany(spec + '8', 500));
    const a = seededRandom(123);
    const b = seededRandom(123);
    const values = Array.from({ length: 100 }, () => a());
    expect(values).toEqual(Array.from({ length: 100 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  test('an unseeded injector reports the seed it picked, which replays the run', () => {
    const first = createFaultInjector('rate=0.5:503');
    const seed = first.stats().seed;
    expect(typeof seed).toBe('number');
    const replay = createFaultInjector(`rate=0.5:503;seed=${seed}`);
    for (let i = 0; i < 200; i++) expect(replay.decide(GET)).toEqual(first.decide(GET));
  });

  test('rate is honoured over 10,000 decisions and kinds are picked uniformly', () => {
    const injector = createFaultInjector('rate=0.1:429-requests,503,502,reset;seed=42');
    for (let i = 0; i < 10_000; i++) injector.decide(GET);
    const stats = injector.stats();
    expect(stats.decisions).toBe(10_000);
    expect(stats.injected).toBeGreaterThan(900);
    expect(stats.injected).toBeLessThan(1100);
    for (const kind of ['429-requests', '503', '502', 'reset'] as const) {
      expect(stats.byKind[kind]).toBeGreaterThan(180);
      expect(stats.byKind[kind]).toBeLessThan(320);
    }
  });

  test('filters restrict random faults', () => {
    const injector = createFaultInjector('rate=1:503;paths=/api/data;methods=POST;users=alice;seed=1');
    expect(injector.decide({ method: 'POST', path: '/api/data/v9.2/accounts', userId: 'alice' })).toEqual({ kind: '503' });
    expect(injector.decide({ method: 'GET', path: '/api/data/v9.2/accounts', userId: 'alice' })).toBeUndefined();
    expect(injector.decide({ method: 'POST', path: '/tenant/oauth2/v2.0/token', userId: 'alice' })).toBeUndefined();
    expect(injector.decide({ method: 'post', path: '/api/data/v9.2/accounts', userId: 'bob' })).toBeUndefined();
    expect(injector.decide({ method: 'post', path: '/api/data/v9.2/accounts' })).toBeUndefined();
  });

  test('scripted faults go to the next matching requests, in order, before random ones', () => {
    const injector = createFaultInjector({ rules: [], seed: 3 });
    const script: Fault[] = [{ kind: '503' }, { kind: 'reset', afterBytes: 5 }, { kind: '429-time', retryAfterSeconds: 2 }];
    injector.script(script.slice(0, 2), { methods: ['PATCH'] });
    injector.script(script.slice(2));
    expect(injector.stats().scriptPending).toBe(3);
    // The GET skips the PATCH-only entries and takes the unfiltered one.
    expect(injector.decide(GET)).toEqual(script[2]);
    expect(injector.decide({ method: 'PATCH', path: '/x' })).toEqual(script[0]);
    expect(injector.decide(GET)).toBeUndefined();
    expect(injector.decide({ method: 'PATCH', path: '/x' })).toEqual(script[1]);
    expect(injector.decide({ method: 'PATCH', path: '/x' })).toBeUndefined();
    expect(injector.stats()).toMatchObject({ injected: 3, scriptPending: 0, byKind: { '503': 1, reset: 1, '429-time': 1 } });

    const fromSpec = createFaultInjector('script=502,502;rate=0:503;seed=1');
    expect([fromSpec.decide(GET), fromSpec.decide(GET), fromSpec.decide(GET)]).toEqual([{ kind: '502' }, { kind: '502' }, undefined]);
  });

  test('setRate and clear change behaviour at runtime', () => {
    const injector = createFaultInjector('rate=0:503;seed=9');
    expect(injector.decide(GET)).toBeUndefined();
    injector.setRate(1);
    expect(injector.decide(GET)).toEqual({ kind: '503' });
    injector.setRate(1, [{ kind: 'slow', delayMs: 50 }]);
    expect(injector.decide(GET)).toEqual({ kind: 'slow', delayMs: 50 });
    injector.script([{ kind: '504' }]);
    injector.clear();
    expect(injector.decide(GET)).toBeUndefined();
    expect(() => injector.setRate(2, [{ kind: '503' }])).toThrow(RangeError);
    expect(() => injector.setRate(0.5, [])).toThrow(RangeError);
  });

  test('a caller-supplied random() drives the dice', () => {
    const draws = [0.49, 0.6, 0.5];
    const injector = createFaultInjector('rate=0.5:503,502', () => draws.shift() ?? 0);
    expect(injector.decide(GET)).toEqual({ kind: '502' }); // 0.49 < 0.5 hits, 0.6 picks the second fault
    expect(injector.decide(GET)).toBeUndefined(); // 0.5 misses
    expect(injector.stats().seed).toBeUndefined();
  });
});

describe('faultResponse', () => {
  test('429s share the limits module body and carry Retry-After', () => {
    const r = faultResponse({ kind: '429-requests' });
    expect(r).toEqual(throttleResponse('requests', REAL_LIMITS, 1));
    expect(r.headers['retry-after']).toBe('1');
    expect(String(r.body)).toBe(
      '{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 6000 over time window of 300 seconds."}}',
    );
    const time = faultResponse({ kind: '429-time', retryAfterSeconds: 30 });
    expect(time.status).toBe(429);
    expect(time.headers['retry-after']).toBe('30');
    expect(JSON.parse(String(time.body)).error.code).toBe('0x80072321');
    const concurrency = faultResponse({ kind: '429-concurrency' }, { limits: TEST_LIMITS });
    expect(JSON.parse(String(concurrency.body)).error).toEqual({
      code: '0x80072326',
      message: 'Number of concurrent requests exceeded the limit of 4.',
    });
  });

  test('5xx and revoked-token responses', () => {
    const unavailable = faultResponse({ kind: '503' });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['content-type']).toBe('application/json; odata.metadata=minimal');
    expect(JSON.parse(String(unavailable.body)).error.code).toBe('');
    for (const kind of ['502', '504'] as const) {
      const r = faultResponse({ kind });
      expect(r.status).toBe(Number(kind));
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(String(r.body)).toContain(kind);
    }
    const revoked = faultResponse({ kind: '401-revoked' }, { authorizationUri: 'https://127.0.0.1:8443/t/oauth2/authorize' });
    expect(revoked.status).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe(
      'Bearer authorization_uri="https://127.0.0.1:8443/t/oauth2/authorize", error="invalid_token", error_description="The access token has been revoked"',
    );
  });
});
