/** Bearer tokens: one fresh-token retry after a 401, a clear error after the second, and never sent off-origin. */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServerCertificate } from '../../emulator/tls';
import type { TokenProvider } from '../../client/auth/types';
import { D365Error } from '../../client/http/errors';
import { assertSameOrigin } from '../../client/http/host-pinning';
import { json, rejectionOf, useHttpTestEnv } from './http-kit';

const env = useHttpTestEnv();

describe('401', () => {
  it('after a revoked token (401-revoked fault): invalidates, fetches a fresh token and retries exactly once', async () => {
    const pipeline = env.pipeline();
    await pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} });
    const { fetches, invalidations } = env.tokens;
    env.emulator.faults.script([{ kind: '401-revoked' }]);
    const before = env.served();

    const response = await pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} });
    expect(json(response).UserId).toBeTruthy();
    expect(env.tokens.invalidations - invalidations).toBe(1);
    expect(env.tokens.fetches - fetches).toBe(1);
    expect(env.served() - before).toBe(2);
    expect(env.events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ reason: expect.stringContaining('401') })]);
  });

  it('after Entra revoked every token of the app: one retry with a new token succeeds', async () => {
    const pipeline = env.pipeline();
    await pipeline.send({ method: 'GET', url: `${env.api}WhoAmI`, headers: {} });
    const { fetches, invalidations } = env.tokens;
    env.emulator.entra.revokeTokensFor(env.emulator.clientId);
    env.events.length = 0;

    const response = await pipeline.send({ method: 'POST', url: `${env.api}tasks`, headers: {}, body: JSON.stringify({ subject: 'after revocation' }) });
    expect(response.status).toBe(204);
    expect(env.tokens.invalidations - invalidations).toBe(1);
    expect(env.tokens.fetches - fetches).toBe(1);
    expect(env.events.filter((e) => e.type === 'request')).toHaveLength(2);
  });

  it('a second 401 is a D365Error naming the likely causes and the authority; no third attempt', async () => {
    const good = (await env.tokens.getToken()).token;
    const forged = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
    let invalidations = 0;
    const badTokens: TokenProvider = {
      getToken: async () => ({ token: forged, expiresOnMs: Date.now() + 3_600_000 }),
      invalidate: () => void invalidations++,
    };
    const pipeline = env.pipeline({ tokenProvider: badTokens });
    const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${env.api}accounts`, headers: {}, operation: 'list accounts' }));

    expect(error).toBeInstanceOf(D365Error);
    expect(error).toMatchObject({ status: 401, retryable: false, operation: 'list accounts' });
    expect(error.message).toMatch(/^list accounts: the environment refused the access token \(HTTP 401\) again/);
    expect(error.message).toMatch(/expired or was revoked/);
    expect(error.message).toContain(`request the scope ${env.emulator.dataverseUrl}.default`);
    expect(error.message).toMatch(/no application user/);
    expect(error.message).toContain(`${env.emulator.authorityUrl}/oauth2/authorize`);
    expect(invalidations).toBe(1);
    expect(env.events.filter((e) => e.type === 'request')).toHaveLength(2);
  });
});

describe('host pinning', () => {
  let other: https.Server;
  let otherOrigin: string;
  let otherCa: string;
  const hits: string[] = [];

  beforeAll(async () => {
    const ca = createCertificateAuthority();
    const cert = issueServerCertificate(ca);
    otherCa = ca.caCertPem;
    other = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      hits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `https://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => other.close(() => resolve())));
  beforeEach(() => {
    hits.length = 0;
  });

  it('the other server is reachable and trusted by the same transport settings (so zero hits below means refused)', async () => {
    const direct = env.pipeline({ environmentUrl: `${otherOrigin}/`, tokenProvider: undefined, ca: `${env.emulator.caCertPem}\n${otherCa}` });
    const response = await direct.send({ method: 'GET', url: `${otherOrigin}/probe`, headers: {} });
    expect(response.status).toBe(200);
    expect(hits).toEqual(['GET /probe auth=no']);
  });

  it('refuses a request to another origin before fetching a token or opening a socket', async () => {
    const pipeline = env.pipeline({ ca: `${env.emulator.caCertPem}\n${otherCa}` });
    const fetches = env.tokens.fetches;
    const environmentOrigin = env.emulator.dataverseUrl.replace(/\/$/, '');
    const nextLink = `${otherOrigin}/api/data/v9.2/accounts?$skiptoken=abc`;

    const error = await rejectionOf(pipeline.send({ method: 'GET', url: nextLink, headers: {} }));
    expect(error).toBeInstanceOf(D365Error);
    expect(error.message).toBe(`refusing to send the credentials to ${otherOrigin}: it is not the configured environment ${environmentOrigin}`);
    expect(error.retryable).toBe(false);
    expect(hits).toHaveLength(0);
    expect(env.tokens.fetches).toBe(fetches);
    expect(env.events).toHaveLength(0);
  });

  it('refuses the same host and port over http, and another port of the same host', async () => {
    const pipeline = env.pipeline();
    const port = env.emulator.port;
    await expect(pipeline.send({ method: 'GET', url: `http://127.0.0.1:${port}/api/data/v9.2/accounts`, headers: {} })).rejects.toThrow(
      /refusing to send the credentials to http:\/\/127\.0\.0\.1:/,
    );
    await expect(pipeline.send({ method: 'GET', url: otherOrigin, headers: {} })).rejects.toThrow(/refusing to send the credentials/);
    expect(hits).toHaveLength(0);
  });

  it('compares host names case-insensitively and ignores paths, queries and default ports', async () => {
    const upper = env.pipeline({ environmentUrl: `https://LOCALHOST:${env.emulator.port}/` });
    const response = await upper.send({ method: 'GET', url: `https://localhost:${env.emulator.port}/api/data/v9.2/WhoAmI`, headers: {} });
    expect(response.status).toBe(200);

    expect(() => assertSameOrigin('https://Contoso.CRM.dynamics.com:443/api/data/v9.2/accounts?$top=1', 'https://contoso.crm.dynamics.com')).not.toThrow();
    expect(() => assertSameOrigin('https://contoso.crm.dynamics.com.evil.example/api', 'https://contoso.crm.dynamics.com/')).toThrow(
      'refusing to send the credentials to https://contoso.crm.dynamics.com.evil.example: it is not the configured environment https://contoso.crm.dynamics.com',
    );
    expect(() => assertSameOrigin('https://user@contoso.crm.dynamics.com:8443/', 'https://contoso.crm.dynamics.com/')).toThrow(/refusing/);
    expect(() => assertSameOrigin('/api/data/v9.2/accounts', 'https://contoso.crm.dynamics.com/')).toThrow(/not an absolute URL/);
  });
});
