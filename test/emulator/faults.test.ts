/**
 * Fault injection through the assembled emulator over HTTPS: the per-test API (faults.script) and the --faults spec
 * string given to startEmulator.
 */
import * as https from 'node:https';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { FaultSpecError } from '../../emulator/faults';
import { appToken, httpsRequest, useWebApi } from '../helpers/emulator';

interface RawOutcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  received: number;
  error?: NodeJS.ErrnoException;
}

/** Like httpsRequest, but reports a connection dropped before or during the body instead of hanging or throwing. */
function rawRequest(emulator: RunningEmulator, method: string, url: string, headers: Record<string, string>, body?: string): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const outcome: RawOutcome = { received: 0 };
    const done = (error?: NodeJS.ErrnoException) => {
      if (error && !outcome.error) outcome.error = error;
      resolve(outcome);
    };
    const req = https.request(url, { method, headers, ca: emulator.caCertPem, agent: false }, (res) => {
      outcome.status = res.statusCode;
      outcome.headers = res.headers;
      res.on('data', (c: Buffer) => (outcome.received += c.length));
      res.on('aborted', () => done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      res.on('error', done);
      res.on('end', () => (res.complete ? done() : done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))));
    });
    req.on('error', done);
    req.end(body);
  });
}

describe('faults.script through the Web API', () => {
  const web = useWebApi();
  afterEach(() => web.emulator.faults.clear());

  it('answers each scripted 429 kind with its code, message and Retry-After, then serves normally', async () => {
    web.emulator.faults.script([
      { kind: '429-requests', retryAfterSeconds: 7 },
      { kind: '429-time', retryAfterSeconds: 30 },
      { kind: '429-concurrency' },
    ]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await web.call('GET', 'WhoAmI'));
    // limits are off here, so the messages quote the production numbers.
    expect(answers.slice(0, 3).map((r) => [r.status, r.headers['retry-after'], r.json.error.code, r.json.error.message])).toEqual([
      [429, '7', '0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.'],
      [
        429,
        '30',
        '0x80072321',
        'Combined execution time of incoming requests exceeded limit of 1,200,000  milliseconds over time window of 300 seconds. ' +
          'Decrease number of concurrent requests or reduce the duration of requests and try again later.',
      ],
      [429, '1', '0x80072326', 'Number of concurrent requests exceeded the limit of 52.'],
    ]);
    for (const r of answers.slice(0, 3)) expect(String(r.headers['content-type'])).toMatch(/^application\/json; odata\.metadata=minimal/);
    expect(answers[3].status).toBe(200);
    expect(web.emulator.faults.stats()).toMatchObject({ scriptPending: 0, byKind: { '429-requests': 1, '429-time': 1, '429-concurrency': 1 } });
  });

  it('answers 503 with a Dataverse JSON error, 502 and 504 with gateway HTML pages', async () => {
    web.emulator.faults.script([{ kind: '503' }, { kind: '502' }, { kind: '504' }]);
    const r503 = await web.call('GET', 'accounts?$select=name');
    const r502 = await web.call('GET', 'accounts?$select=name');
    const r504 = await web.call('POST', 'accounts', { body: { name: 'never created (504)' } });
    expect(r503.status).toBe(503);
    expect(r503.json).toEqual({ error: { code: '', message: 'The service is temporarily unavailable. Please try again later.' } });
    expect(r502.status).toBe(502);
    expect(String(r502.headers['content-type'])).toMatch(/^text\/html/);
    expect(r502.text).toContain('<title>502 Bad Gateway</title>');
    expect(r504.status).toBe(504);
    expect(r504.text).toContain('<title>504 Gateway Timeout</title>');
    // A status fault answers instead of the handler: the POST did not create the row.
    const check = await web.call('GET', `accounts?$select=name&$filter=name eq 'never created (504)'`.replace(/ /g, '%20'));
    expect(check.status).toBe(200);
    expect(check.json.value).toEqual([]);
  });

  it('reset: the client sees the connection drop mid-body, and the next request works', async () => {
    const auth = { authorization: `Bearer ${web.token}`, accept: 'application/json' };
    const url = `${web.api}accounts?$select=name`;
    const intact = await rawRequest(web.emulator, 'GET', url, auth);
    expect(intact.status).toBe(200);
    expect(intact.error).toBeUndefined();
    expect(intact.received).toBeGreaterThan(100);

    web.emulator.faults.script([{ kind: 'reset', afterBytes: 10 }]);
    const cut = await rawRequest(web.emulator, 'GET', url, auth);
    expect(cut.status).toBe(200);
    expect(Number(cut.headers!['content-length'])).toBe(intact.received);
    expect(cut.received).toBeLessThanOrEqual(10);
    expect(cut.error).toBeDefined();
    expect(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE']).toContain(cut.error!.code);

    const next = await rawRequest(web.emulator, 'GET', url, auth);
    expect(next).toMatchObject({ status: 200, received: intact.received });
    expect(next.error).toBeUndefined();
  });

  it('reset on a write (204, no body): the connection drops before any answer, yet the row was created', async () => {
    web.emulator.faults.script([{ kind: 'reset', afterBytes: 0 }]);
    const name = `reset-write-${Date.now()}`;
    const cut = await rawRequest(
      web.emulator,
      'POST',
      `${web.api}accounts`,
      { authorization: `Bearer ${web.token}`, 'content-type': 'application/json' },
      JSON.stringify({ name }),
    );
    expect(cut.status).toBeUndefined();
    expect(cut.error?.code).toBe('ECONNRESET');
    const check = await web.call('GET', `accounts?$select=name&$filter=name%20eq%20'${name}'`);
    expect(check.status).toBe(200);
    expect(check.json.value.map((r: { name: string }) => r.name)).toEqual([name]);
  });

  it('401-revoked answers 401 and revokes the token: later calls with it get 401, a new token works', async () => {
    // Last in this block: it revokes web.token.
    web.emulator.faults.script([{ kind: '401-revoked' }]);
    const first = await web.call('GET', 'WhoAmI');
    expect(first.status).toBe(401);
    expect(String(first.headers['www-authenticate'])).toMatch(/^Bearer authorization_uri="[^"]+\/oauth2\/authorize", error="invalid_token"/);
    expect(web.emulator.faults.stats().scriptPending).toBe(0);

    const again = await web.call('GET', 'WhoAmI');
    expect(again.status).toBe(401);
    expect(again.json.error.message).toMatch(/revoked/);
    expect(again.text).not.toContain(web.token.split('.')[2]);

    const fresh = await appToken(web.emulator);
    const ok = await httpsRequest(web.emulator, 'GET', `${web.api}WhoAmI`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(ok.status).toBe(200);
  });
});

describe('fault spec given to startEmulator', () => {
  it("'rate=1:503;paths=/api/data' fails every Web API call while the token endpoint keeps working", async () => {
    const emulator = await startEmulator({ limits: 'off', faults: 'rate=1:503;paths=/api/data;seed=7' });
    try {
      const token = await appToken(emulator);
      const discovery = await httpsRequest(emulator, 'GET', `${emulator.authorityUrl}/v2.0/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      for (const path of ['WhoAmI', 'accounts', '$metadata']) {
        const res = await httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect([path, res.status, res.json?.error?.code]).toEqual([path, 503, '']);
      }
      expect(emulator.faults.stats()).toMatchObject({ seed: 7, injected: 3, byKind: { '503': 3 } });
      // Cleared per test: the same emulator serves again.
      emulator.faults.clear();
      const ok = await httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });

  it("'script=429-requests(12s)' with limits:'test' quotes the test limits", async () => {
    const emulator = await startEmulator({ limits: 'test', faults: 'script=429-requests(12s)' });
    try {
      const token = await appToken(emulator);
      const res = await httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('12');
      expect(res.json).toEqual({ error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 1000 over time window of 5 seconds.' } });
    } finally {
      await emulator.stop();
    }
  });

  it('an invalid spec throws FaultSpecError naming the bad token', async () => {
    for (const [spec, token] of [
      ['rate=1:418', '418'],
      ['rate=1.5:503', '1.5'],
      ['bogus=1', 'bogus'],
      ['slow=fast@0.1', 'fast'],
    ]) {
      const attempt = startEmulator({ faults: spec });
      await expect(attempt).rejects.toBeInstanceOf(FaultSpecError);
      await expect(attempt).rejects.toMatchObject({ token, message: expect.stringContaining(`"${token}"`) });
    }
  });
});
