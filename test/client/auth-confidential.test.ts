/**
 * App-only tokens from the emulator's Entra endpoint through client/auth: secret and certificate, the shared cache,
 * single-flight, invalidate, errors a user can act on without the secret in them, and no discovery traffic.
 */
import * as https from 'node:https';
import { inspect } from 'node:util';
import { clearSharedTokenCaches, createTokenProvider, type AuthLogEntry } from '../../client/auth';
import type { ClientEvent } from '../../client/http/types';
import { D365Error } from '../../client/http/errors';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { createCertificateAuthority, issueClientCertificate, type ClientCertificate } from '../../emulator/tls';
import { claimsOf, whoAmI } from '../helpers/emulator';
import { emulatorApp, recordingNetwork } from './auth-helpers';

describe('client/auth app-only against the emulator', () => {
  let emulator: RunningEmulator;
  let cert: ClientCertificate;

  beforeAll(async () => {
    cert = issueClientCertificate(createCertificateAuthority(), 'sandbox-integration');
    emulator = await startEmulator({ limits: 'off', clientCertificates: [cert.certPem] });
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => clearSharedTokenCaches());

  const origin = () => emulator.dataverseUrl.replace(/\/$/, '');

  function secretProvider(extra: { clientSecret?: string; events?: (e: ClientEvent) => void; log?: (e: AuthLogEntry) => void } = {}) {
    const network = recordingNetwork(emulator);
    const provider = createTokenProvider({
      kind: 'secret',
      ...emulatorApp(emulator),
      clientSecret: extra.clientSecret ?? emulator.clientSecret,
      networkClient: network.client,
      events: extra.events,
      log: extra.log,
      logLevel: 'verbose',
    });
    return { provider, requests: network.requests };
  }

  it('a client secret gets a token Dataverse accepts; the second call is served from the cache', async () => {
    const events: ClientEvent[] = [];
    const { provider, requests } = secretProvider({ events: (e) => events.push(e) });
    const first = await provider.getToken();
    expect(claimsOf(first.token)).toMatchObject({ aud: origin(), appid: emulator.clientId, appidacr: '1' });
    expect(first.expiresOnMs).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect((await whoAmI(emulator, first.token)).json.UserId).toBe(emulator.identity.applicationUserId);

    const second = await provider.getToken();
    expect(second.token).toBe(first.token);
    expect(requests).toHaveLength(1);
    expect(events).toEqual([{ type: 'refresh', resource: origin(), reason: 'initial' }]);
  });

  it('the only request is the token POST to the emulator: no discovery, nothing off the machine', async () => {
    const { provider, requests } = secretProvider();
    await provider.getToken();
    expect(requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)).toEqual([`POST ${emulator.authorityUrl}/oauth2/v2.0/token`]);
    for (const request of requests) expect(request.url.startsWith(`https://127.0.0.1:${emulator.port}/`)).toBe(true);
    const form = new URLSearchParams(requests[0].body);
    expect(form.get('scope')).toBe(`${origin()}/.default`);
    expect(form.get('grant_type')).toBe('client_credentials');
  });

  it('two providers for the same authority, client and resource share one token', async () => {
    const a = secretProvider();
    const b = secretProvider();
    const token = await a.provider.getToken();
    expect((await b.provider.getToken()).token).toBe(token.token);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
  });

  it('20 concurrent getToken calls make exactly one token request', async () => {
    const { provider, requests } = secretProvider();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => provider.getToken()));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it('invalidate() makes the next call fetch a new token, reported as unauthorized', async () => {
    const events: ClientEvent[] = [];
    const { provider, requests } = secretProvider({ events: (e) => events.push(e) });
    const first = await provider.getToken();
    provider.invalidate();
    const second = await provider.getToken();
    expect(second.token).not.toBe(first.token);
    expect(requests).toHaveLength(2);
    expect(events.map((e) => e.type === 'refresh' && e.reason)).toEqual(['initial', 'unauthorized']);
    expect((await whoAmI(emulator, second.token)).status).toBe(200);
  });

  it('a registered certificate (PEM key + certificate, x5c sent) gets a token Dataverse accepts', async () => {
    const network = recordingNetwork(emulator);
    const provider = createTokenProvider({
      kind: 'certificate',
      resource: `${emulator.dataverseUrl}api/data/v9.2/`,
      authorityUrl: emulator.authorityUrl,
      clientId: emulator.clientId,
      certificate: { privateKeyPem: cert.keyPem, certificatePem: cert.certPem },
      networkClient: network.client,
    });
    const { token } = await provider.getToken();
    expect(claimsOf(token)).toMatchObject({ aud: origin(), appidacr: '2' });
    expect((await whoAmI(emulator, token)).json.UserId).toBe(emulator.identity.applicationUserId);
    const form = new URLSearchParams(network.requests[0].body);
    const header = JSON.parse(Buffer.from(String(form.get('client_assertion')).split('.')[0], 'base64url').toString('utf8'));
    expect(header['x5t#S256']).toBe(Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url'));
    expect(header.x5c).toEqual([cert.x5c]);
    expect(form.get('client_secret')).toBeNull();
  });

  it('the SHA-1 thumbprint (x5t) form is accepted too', async () => {
    const provider = createTokenProvider({
      kind: 'certificate',
      ...emulatorApp(emulator),
      certificate: { privateKeyPem: `${cert.keyPem}\n${cert.certPem}`, thumbprintAlgorithm: 'sha1', sendX5c: false },
      ca: emulator.caCertPem,
    });
    expect(claimsOf((await provider.getToken()).token).appidacr).toBe('2');
  });

  it('an unregistered certificate fails with AADSTS700027 and a hint to upload it', async () => {
    const stranger = issueClientCertificate(createCertificateAuthority(), 'stranger');
    const provider = createTokenProvider({
      kind: 'certificate',
      ...emulatorApp(emulator),
      certificate: { privateKeyPem: stranger.keyPem, certificatePem: stranger.certPem },
      ca: emulator.caCertPem,
    });
    const error: D365Error = await provider.getToken().then(() => undefined as never, (e: D365Error) => e);
    expect(error).toBeInstanceOf(D365Error);
    expect(error.code).toBe('AADSTS700027');
    expect(error.message).toMatch(/certificate was not accepted.*Upload the certificate/);
    expect(inspect(error)).not.toContain(stranger.keyPem.split('\n')[1]);
  });

  it('a wrong secret fails with AADSTS7000215, an actionable message and no trace of the secret', async () => {
    const wrongSecret = 'Wr0ng~Secret.Value_1234567890abcdef';
    const logs: AuthLogEntry[] = [];
    const { provider } = secretProvider({ clientSecret: wrongSecret, log: (e) => logs.push(e) });
    const error: D365Error = await provider.getToken().then(() => undefined as never, (e: D365Error) => e);
    expect(error).toBeInstanceOf(D365Error);
    expect(error.code).toBe('AADSTS7000215');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/client secret is wrong or expired/);
    expect(error.requestId).toEqual(expect.any(String));
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 }), error.stack ?? '', JSON.stringify(logs)]) {
      expect(text).not.toContain(wrongSecret);
      expect(text).not.toContain(encodeURIComponent(wrongSecret));
    }
    expect(logs.length).toBeGreaterThan(0);
  });

  it('an unknown client id fails with AADSTS700016 naming client and tenant', async () => {
    const provider = createTokenProvider({
      kind: 'secret',
      resource: emulator.dataverseUrl,
      authorityUrl: emulator.authorityUrl,
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: emulator.clientSecret,
      ca: emulator.caCertPem,
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'AADSTS700016',
      message: expect.stringMatching(/11111111-2222-3333-4444-555555555555.*not found in tenant/),
    });
  });

  it('an unknown tenant fails with AADSTS90002', async () => {
    const provider = createTokenProvider({
      kind: 'secret',
      resource: emulator.dataverseUrl,
      authorityUrl: `https://127.0.0.1:${emulator.port}/99999999-0000-0000-0000-000000000000`,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      ca: emulator.caCertPem,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'AADSTS90002', message: expect.stringMatching(/tenant '99999999-/) });
  });

  it('an https.Agent trusting the emulator CA works; without the CA the failure names the trust problem', async () => {
    const agent = new https.Agent({ ca: emulator.caCertPem });
    const trusted = createTokenProvider({
      kind: 'secret',
      ...emulatorApp(emulator),
      clientSecret: emulator.clientSecret,
      httpsAgent: agent,
    });
    expect((await trusted.getToken()).token).toEqual(expect.any(String));
    agent.destroy();

    clearSharedTokenCaches();
    const untrusted = createTokenProvider({
      kind: 'secret',
      ...emulatorApp(emulator),
      clientSecret: emulator.clientSecret,
    });
    const error: D365Error = await untrusted.getToken().then(() => undefined as never, (e: D365Error) => e);
    expect(error).toBeInstanceOf(D365Error);
    expect(error.message).toMatch(/not trusted/);
    expect(error.message).not.toContain(emulator.clientSecret);
  });

  it('an aborted getToken rejects at once, and the shared fetch still serves the others', async () => {
    const { provider, requests } = secretProvider();
    const controller = new AbortController();
    const aborted = provider.getToken(controller.signal);
    const other = provider.getToken();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'Aborted' });
    expect((await other).token).toEqual(expect.any(String));
    expect(requests).toHaveLength(1);
  });
});
