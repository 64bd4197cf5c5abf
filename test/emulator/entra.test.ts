import * as crypto from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AuthenticationResult, Configuration } from '@azure/msal-node';
import { createEntra, type Entra } from '../../emulator/entra';
import type { EmulatorHandler } from '../../emulator/http/types';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAuthority,
  type ClientCertificate,
} from '../../emulator/tls';
import { claimsOf, flatHeaders, httpsRequest } from '../helpers/emulator';
import { msalApp } from '../helpers/msal';

const TENANT = '4c1a3e5b-8f7d-4e2a-9b6c-0d1e2f3a4b5c';
const ENV = 'https://contoso.crm.dynamics.com';
const SECRET_APP = '11111111-1111-4111-8111-111111111111';
const CERT_APP = '22222222-2222-4222-8222-222222222222';
const WEB_APP = '33333333-3333-4333-8333-333333333333';
const PUBLIC_APP = '44444444-4444-4444-8444-444444444444';
const SECRET = 'q~Emulator.Secret-Value_123';
const WEB_SECRET = 'web~Secret';
const ALICE = { id: 'aaaaaaaa-0000-4000-8000-00000000000a', userPrincipalName: 'alice@contoso.onmicrosoft.com', displayName: 'Alice Admin' };
const BOB = { id: 'bbbbbbbb-0000-4000-8000-00000000000b', userPrincipalName: 'bob@contoso.onmicrosoft.com', displayName: 'Bob Builder' };
const APP_USER = 'cccccccc-0000-4000-8000-00000000000c';

interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Minimal stand-in for the real emulator server: buffers the body and hands an EmulatorRequest to the handler. */
async function startHttpsServer(tls: { certPem: string; keyPem: string }, handler: () => EmulatorHandler, log: string[]) {
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const port = (server.address() as AddressInfo).port;
      const url = new URL(req.url ?? '/', `https://127.0.0.1:${port}`);
      log.push(`${req.method} ${url.pathname}`);
      handler()({ method: req.method ?? 'GET', url, headers: req.headers, body: Buffer.concat(chunks) })
        .then((response) => {
          if (!response) {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(response.status, response.headers).end(response.body);
        })
        .catch((error: Error) => res.writeHead(500).end(error.stack));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function request(method: string, url: string, ca: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
  const res = await httpsRequest({ caCertPem: ca }, method, url, { headers, body });
  return { status: res.status, headers: flatHeaders(res.headers), body: res.text };
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

function pkcePair() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

describe('Entra ID emulator over HTTPS', () => {
  let ca: CertificateAuthority;
  let clientCert: ClientCertificate;
  let strangerCert: ClientCertificate;
  let server: https.Server;
  let baseUrl: string;
  let host: string;
  let entra: Entra;
  let clockOffsetMs = 0;
  const serverLog: string[] = [];

  const form = (values: Record<string, string>) => new URLSearchParams(values).toString();
  const post = (path: string, values: Record<string, string>, headers: Record<string, string> = {}) =>
    request('POST', `${baseUrl}${path}`, ca.caCertPem, { 'content-type': 'application/x-www-form-urlencoded', ...headers }, form(values));
  const getJson = async (path: string) => {
    const result = await request('GET', `${baseUrl}${path}`, ca.caCertPem);
    return { status: result.status, json: JSON.parse(result.body) as Record<string, any> };
  };
  const tokenPath = `/${TENANT}/oauth2/v2.0/token`;

  const msal = (auth: Configuration['auth']) => msalApp(ca, { authority: `${baseUrl}/${TENANT}`, knownAuthorities: [host], ...auth });

  async function authorize(params: Record<string, string>) {
    const result = await request('GET', `${baseUrl}/${TENANT}/oauth2/v2.0/authorize?${form(params)}`, ca.caCertPem);
    return { ...result, location: result.headers.location ? new URL(result.headers.location) : undefined };
  }

  beforeAll(async () => {
    ca = createCertificateAuthority();
    clientCert = issueClientCertificate(ca, 'contoso-dataverse-integration');
    strangerCert = issueClientCertificate(ca, 'not-registered');
    server = await startHttpsServer(issueServerCertificate(ca), () => entra.handle, serverLog);
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    baseUrl = `https://${host}`;
    entra = createEntra({
      baseUrl,
      tenantId: TENANT,
      apps: [
        { clientId: SECRET_APP, displayName: 'Secret app', secrets: ['old-secret', SECRET], certificates: [], applicationUserId: APP_USER },
        { clientId: CERT_APP, displayName: 'Certificate app', secrets: [], certificates: [clientCert.certPem] },
        { clientId: WEB_APP, secrets: [WEB_SECRET], certificates: [], redirectUris: ['http://localhost/callback', 'https://app.contoso.com/signin'] },
        { clientId: PUBLIC_APP, secrets: [], certificates: [] },
      ],
      users: [ALICE, BOB],
      tokenLifetimeSeconds: 3600,
      now: () => Date.now() + clockOffsetMs,
    });
  });

  afterEach(() => {
    clockOffsetMs = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe('discovery', () => {
    it('serves v2 and v1 OpenID configuration, instance discovery and the signing JWKS', async () => {
      const v2 = await getJson(`/${TENANT}/v2.0/.well-known/openid-configuration`);
      expect(v2.status).toBe(200);
      expect(v2.json).toMatchObject({
        issuer: `${baseUrl}/${TENANT}/v2.0`,
        token_endpoint: `${baseUrl}/${TENANT}/oauth2/v2.0/token`,
        authorization_endpoint: `${baseUrl}/${TENANT}/oauth2/v2.0/authorize`,
        jwks_uri: `${baseUrl}/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `${baseUrl}/${TENANT}/oauth2/v2.0/logout`,
        response_types_supported: expect.arrayContaining(['code']),
      });
      const common = await getJson('/common/v2.0/.well-known/openid-configuration');
      expect(common.json.issuer).toBe(`${baseUrl}/{tenantid}/v2.0`);
      const v1 = await getJson(`/${TENANT}/.well-known/openid-configuration`);
      expect(v1.json).toMatchObject({ issuer: `https://sts.windows.net/${TENANT}/`, jwks_uri: `${baseUrl}/${TENANT}/discovery/keys` });

      const instance = await getJson(`/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${baseUrl}/${TENANT}/oauth2/v2.0/authorize`)}`);
      expect(instance.json).toEqual({
        tenant_discovery_endpoint: `${baseUrl}/${TENANT}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });

      const keys = await getJson(`/${TENANT}/discovery/v2.0/keys`);
      expect(keys.json).toEqual(entra.signingJwks);
      const [key] = keys.json.keys as Record<string, any>[];
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', kid: expect.any(String), x5t: key.kid, n: expect.any(String), e: 'AQAB' });
      const published = new crypto.X509Certificate(Buffer.from(key.x5c[0], 'base64'));
      expect(crypto.createHash('sha1').update(published.raw).digest('base64url')).toBe(key.x5t);
      expect(published.publicKey.export({ format: 'jwk' })).toMatchObject({ n: key.n, e: key.e });
    });

    it('rejects an unknown tenant with AADSTS90002 and leaves other paths to other handlers', async () => {
      const unknown = await getJson('/00000000-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration');
      expect(unknown.status).toBe(400);
      expect(unknown.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
      const token = await post('/contoso.example/oauth2/v2.0/token', { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: SECRET, scope: `${ENV}/.default` });
      expect(JSON.parse(token.body)).toMatchObject({ error: 'invalid_request', error_codes: [90002] });

      const passThrough = await entra.handle({ method: 'GET', url: new URL(`${baseUrl}/api/data/v9.2/WhoAmI`), headers: {}, body: Buffer.alloc(0) });
      expect(passThrough).toBeUndefined();
      const wrongMethod = await request('GET', `${baseUrl}${tokenPath}`, ca.caCertPem);
      expect(wrongMethod.status).toBe(405);
      expect(JSON.parse(wrongMethod.body).error_codes).toEqual([900561]);
    });
  });

  describe('client credentials with MSAL', () => {
    it('issues an app-only token for a client secret and serves the second call from the MSAL cache', async () => {
      const { app, networkClient } = msal({ clientId: SECRET_APP, clientSecret: SECRET });
      serverLog.length = 0;
      const first = (await app.acquireTokenByClientCredential({ scopes: [`${ENV}/.default`] })) as AuthenticationResult;
      expect(first.fromCache).toBe(false);
      expect(first.tokenType).toBe('Bearer');
      // Only the two requests documented in the reference, both to the emulator.
      expect(serverLog).toEqual([`GET /${TENANT}/v2.0/.well-known/openid-configuration`, `POST ${tokenPath}`]);
      expect(networkClient.urls.every((url) => url.includes(` ${baseUrl}/`))).toBe(true);

      const claims = claimsOf(first.accessToken);
      expect(claims).toMatchObject({
        aud: ENV,
        iss: `https://sts.windows.net/${TENANT}/`,
        appid: SECRET_APP,
        azp: SECRET_APP,
        appidacr: '1',
        tid: TENANT,
        oid: APP_USER,
        sub: APP_USER,
        idtyp: 'app',
        ver: '1.0',
      });
      expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
      expect(claims.uti).toEqual(expect.any(String));
      expect(headerOf(first.accessToken)).toMatchObject({ alg: 'RS256', kid: entra.signingJwks.keys[0].kid, x5t: entra.signingJwks.keys[0].kid });
      expect(entra.verifyAccessToken(first.accessToken, ENV)).toMatchObject({ ok: true, claims: { appid: SECRET_APP } });

      const second = (await app.acquireTokenByClientCredential({ scopes: [`${ENV}/.default`] })) as AuthenticationResult;
      expect(second.fromCache).toBe(true);
      expect(second.accessToken).toBe(first.accessToken);
      expect(serverLog).toHaveLength(2);
    });

    it.each([
      ['SHA-256 thumbprint (PS256, x5t#S256)', 'thumbprintSha256', 'PS256', 'x5t#S256'],
      ['SHA-1 thumbprint (RS256, x5t)', 'thumbprint', 'RS256', 'x5t'],
    ])('issues a token for a certificate with a %s', async (_label, thumbprintField, alg, headerName) => {
      const { app } = msal({
        clientId: CERT_APP,
        clientCertificate: {
          [thumbprintField]: thumbprintField === 'thumbprint' ? clientCert.thumbprintSha1 : clientCert.thumbprintSha256,
          privateKey: clientCert.keyPem,
          x5c: clientCert.certPem,
        },
      });
      const seen: string[] = [];
      const original = entra.handle;
      const spy = jest.spyOn(entra, 'handle').mockImplementation(async (req) => {
        const assertion = new URLSearchParams(req.body.toString()).get('client_assertion');
        if (assertion) seen.push(JSON.stringify(headerOf(assertion)));
        return original(req);
      });
      try {
        const result = (await app.acquireTokenByClientCredential({ scopes: [`${ENV}/.default`] })) as AuthenticationResult;
        expect(claimsOf(result.accessToken)).toMatchObject({ aud: ENV, appid: CERT_APP, appidacr: '2', idtyp: 'app' });
        expect(entra.verifyAccessToken(result.accessToken, `${ENV}/`).ok).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(seen).toHaveLength(1);
      expect(JSON.parse(seen[0])).toMatchObject({ alg, [headerName]: expect.any(String), x5c: [clientCert.x5c] });
    });

    it('rejects a wrong secret with AADSTS7000215 without echoing it', async () => {
      const { app } = msal({ clientId: SECRET_APP, clientSecret: 'wrong-secret-value' });
      await expect(app.acquireTokenByClientCredential({ scopes: [`${ENV}/.default`] })).rejects.toMatchObject({
        errorCode: 'invalid_client',
        errorMessage: expect.stringContaining('AADSTS7000215'),
      });
      const raw = await post(tokenPath, { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: 'wrong-secret-value', scope: `${ENV}/.default` });
      expect(raw.status).toBe(401);
      expect(raw.body).not.toContain('wrong-secret-value');
      expect(raw.body).not.toContain(SECRET);
      const body = JSON.parse(raw.body);
      expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215], trace_id: expect.any(String), correlation_id: expect.any(String) });
      expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
      expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    });

    it('rejects an unknown client with AADSTS700016', async () => {
      const { app } = msal({ clientId: '99999999-9999-4999-8999-999999999999', clientSecret: SECRET });
      await expect(app.acquireTokenByClientCredential({ scopes: [`${ENV}/.default`] })).rejects.toMatchObject({
        errorCode: 'unauthorized_client',
        errorMessage: expect.stringContaining('AADSTS700016'),
      });
    });

    it('validates scope and parameters the way Entra does', async () => {
      const base = { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: SECRET };
      const codeOf = async (values: Record<string, string>, path = tokenPath) => {
        const result = await post(path, values);
        return { status: result.status, ...(JSON.parse(result.body) as { error?: string; error_codes?: number[]; access_token?: string }) };
      };
      expect(await codeOf({ ...base })).toMatchObject({ status: 400, error: 'invalid_request', error_codes: [900144] });
      expect(await codeOf({ ...base, scope: `${ENV}/user_impersonation` })).toMatchObject({ error: 'invalid_scope', error_codes: [70011] });
      expect(await codeOf({ ...base, scope: `${ENV}/.default offline_access` })).toMatchObject({ error: 'invalid_scope', error_codes: [70011] });
      expect(await codeOf({ ...base, scope: 'https://contoso.crm.dynamics.com/api/data/.default' })).toMatchObject({ error: 'invalid_resource' });
      expect(await codeOf({ ...base, scope: `${ENV}/.default`, grant_type: 'password' })).toMatchObject({ error: 'unsupported_grant_type', error_codes: [70003] });
      expect(await codeOf({ grant_type: 'client_credentials', scope: `${ENV}/.default` })).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
      expect(await codeOf({ grant_type: 'client_credentials', client_id: SECRET_APP, scope: `${ENV}/.default` })).toMatchObject({ status: 401, error: 'invalid_client', error_codes: [7000216] });
      expect(await codeOf({ ...base, scope: `${ENV}/.default` }, '/common/oauth2/v2.0/token')).toMatchObject({ error: 'invalid_request', error_codes: [50059] });

      // A trailing slash on the environment URL (scope "...//.default") still yields the bare origin as audience.
      const slashed = await codeOf({ ...base, scope: `${ENV}//.default` });
      expect(claimsOf(slashed.access_token ?? '').aud).toBe(ENV);
      // client_secret_basic and the v1 endpoint (resource instead of scope) work too.
      const basic = await post(tokenPath, { grant_type: 'client_credentials', scope: `${ENV}/.default` }, {
        authorization: `Basic ${Buffer.from(`${SECRET_APP}:${encodeURIComponent(SECRET)}`).toString('base64')}`,
      });
      expect(basic.status).toBe(200);
      const v1 = JSON.parse((await post(`/${TENANT}/oauth2/token`, { ...base, resource: `${ENV}/` })).body);
      expect(v1).toMatchObject({ token_type: 'Bearer', resource: ENV, expires_in: '3600', expires_on: expect.stringMatching(/^\d+$/) });
    });

    it('rejects bad client assertions with the matching AADSTS codes', async () => {
      const sign = (cert: ClientCertificate, claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
        const now = Math.floor(Date.now() / 1000);
        const head = { alg: 'RS256', typ: 'JWT', x5t: Buffer.from(cert.thumbprintSha1, 'hex').toString('base64url'), ...header };
        const body = { aud: `${baseUrl}${tokenPath}`, iss: CERT_APP, sub: CERT_APP, jti: crypto.randomUUID(), nbf: now, exp: now + 600, ...claims };
        const input = `${Buffer.from(JSON.stringify(head)).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
        return `${input}.${crypto.sign('sha256', Buffer.from(input), cert.keyPem).toString('base64url')}`;
      };
      const attempt = async (assertion: string) => {
        const result = await post(tokenPath, {
          grant_type: 'client_credentials',
          client_id: CERT_APP,
          scope: `${ENV}/.default`,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        });
        return { status: result.status, ...(JSON.parse(result.body) as { error?: string; error_codes?: number[]; error_description?: string }) };
      };

      expect((await attempt(sign(clientCert, {}))).status).toBe(200);
      expect(await attempt(sign(strangerCert, {}))).toMatchObject({ status: 401, error: 'invalid_client', error_codes: [700027] });
      // Registered thumbprint, but signed with another key.
      const forged = sign(strangerCert, {}, { x5t: Buffer.from(clientCert.thumbprintSha1, 'hex').toString('base64url') });
      const forgedResult = await attempt(forged);
      expect(forgedResult).toMatchObject({ error: 'invalid_client', error_codes: [700027] });
      expect(forgedResult.error_description).toContain('signature value did not match');
      const now = Math.floor(Date.now() / 1000);
      expect(await attempt(sign(clientCert, { exp: now - 10, nbf: now - 700 }))).toMatchObject({ error_codes: [700024] });
      expect(await attempt(sign(clientCert, { nbf: now + 120 }))).toMatchObject({ error_codes: [700024] });
      expect(await attempt(sign(clientCert, { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' }))).toMatchObject({ error_codes: [50027] });
      expect(await attempt(sign(clientCert, { iss: SECRET_APP }))).toMatchObject({ error_codes: [700021] });
      expect(await attempt(sign(clientCert, { jti: undefined }))).toMatchObject({ error_codes: [50027] });
      expect(await attempt('not-a-jwt')).toMatchObject({ error: 'invalid_client', error_codes: [50027] });
      // x5c alone identifies the key when no thumbprint header is sent.
      expect((await attempt(sign(clientCert, {}, { x5t: undefined, x5c: [clientCert.x5c] }))).status).toBe(200);
      expect(await attempt(sign(clientCert, {}, { x5t: undefined }))).toMatchObject({ error_codes: [5002723] });
    });
  });

  describe('verifyAccessToken', () => {
    async function appToken(): Promise<string> {
      const result = await post(tokenPath, { grant_type: 'client_credentials', client_id: SECRET_APP, client_secret: SECRET, scope: `${ENV}/.default` });
      return (JSON.parse(result.body) as { access_token: string }).access_token;
    }

    it('accepts the audience with or without a trailing slash and with any host case', async () => {
      const token = await appToken();
      expect(entra.verifyAccessToken(token, ENV).ok).toBe(true);
      expect(entra.verifyAccessToken(token, 'https://CONTOSO.crm.dynamics.com/').ok).toBe(true);
    });

    it('refuses a wrong audience, an expired, a tampered, a malformed and a foreign token, never quoting it', async () => {
      const token = await appToken();
      const failures = [
        [entra.verifyAccessToken(token, 'https://fabrikam.crm.dynamics.com'), 'wrong_audience', /wrong audience/],
        [entra.verifyAccessToken('abc.def', ENV), 'malformed', /malformed/],
      ] as const;
      for (const [result, reason, description] of failures) {
        expect(result).toMatchObject({ ok: false, error: 'invalid_token', reason, description: expect.stringMatching(description) });
      }

      const [head, payload, signature] = token.split('.');
      const index = Math.floor(payload.length / 2);
      const flipped = payload[index] === 'A' ? 'B' : 'A';
      const tampered = [head, payload.slice(0, index) + flipped + payload.slice(index + 1), signature].join('.');
      const tamperedResult = entra.verifyAccessToken(tampered, ENV);
      expect(tamperedResult).toMatchObject({ ok: false, reason: 'bad_signature', description: expect.stringMatching(/bad signature/) });
      const forgedPayload = Buffer.from(JSON.stringify({ ...claimsOf(token), appid: 'someone-else' })).toString('base64url');
      expect(entra.verifyAccessToken([head, forgedPayload, signature].join('.'), ENV)).toMatchObject({ ok: false, reason: 'bad_signature', description: expect.stringMatching(/bad signature/) });

      // Same claims, signed by another emulator instance's key.
      const other = createEntra({ baseUrl, tenantId: TENANT, apps: [{ clientId: SECRET_APP, secrets: [SECRET], certificates: [] }], users: [] });
      expect(entra.verifyAccessToken(other.issueAppToken(SECRET_APP, ENV), ENV)).toMatchObject({ ok: false, reason: 'bad_signature' });

      const expMs = (claimsOf(token).exp as number) * 1000;
      clockOffsetMs = expMs - Date.now(); // exactly at exp: no clock skew allowance
      const expired = entra.verifyAccessToken(token, ENV);
      expect(expired).toMatchObject({ ok: false, reason: 'expired', description: expect.stringMatching(/expired/) });
      clockOffsetMs = expMs - Date.now() - 500;
      expect(entra.verifyAccessToken(token, ENV).ok).toBe(true);

      for (const result of [...failures.map(([r]) => r), tamperedResult, expired]) {
        if (!result.ok) expect(result.description).not.toContain(token.split('.')[2].slice(0, 20));
      }
    });

    it('honours short token lifetimes from the configuration', async () => {
      const shortLived = createEntra({ baseUrl, tenantId: TENANT, apps: [{ clientId: SECRET_APP, secrets: [SECRET] }], users: [], tokenLifetimeSeconds: 1 });
      const token = shortLived.issueAppToken(SECRET_APP, ENV);
      expect(shortLived.verifyAccessToken(token, ENV).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(shortLived.verifyAccessToken(token, ENV)).toMatchObject({ ok: false, reason: 'expired' });
    });

    it('refuses tokens issued before a revocation and accepts new ones', async () => {
      const before = await appToken();
      entra.revokeTokensFor(SECRET_APP);
      expect(entra.verifyAccessToken(before, ENV)).toMatchObject({ ok: false, reason: 'revoked', description: expect.stringMatching(/revoked/) });
      const after = await appToken(); // usually within the same second as the revocation
      expect(entra.verifyAccessToken(after, ENV).ok).toBe(true);

      // Order, not the clock, decides: a frozen clock still separates tokens minted before and after.
      const frozen = createEntra({ baseUrl, tenantId: TENANT, apps: [{ clientId: SECRET_APP, secrets: [SECRET] }], users: [], now: () => 1_800_000_000_000 });
      const old = frozen.issueAppToken(SECRET_APP, ENV);
      frozen.revokeTokensFor(frozen.applicationUserIdFor(SECRET_APP));
      expect(frozen.verifyAccessToken(old, ENV)).toMatchObject({ ok: false, reason: 'revoked' });
      expect(frozen.verifyAccessToken(frozen.issueAppToken(SECRET_APP, ENV), ENV).ok).toBe(true);
    });
  });

  describe('authorization code with PKCE and refresh tokens', () => {
    it('signs the first user in, redirects with code and state, and MSAL redeems the code and the refresh token', async () => {
      const { verifier, challenge } = pkcePair();
      const redirectUri = 'http://localhost:53123/callback'; // registered as http://localhost/callback: loopback port is free
      const response = await authorize({
        client_id: WEB_APP,
        response_type: 'code',
        redirect_uri: redirectUri,
        response_mode: 'query',
        scope: `${ENV}/user_impersonation openid profile offline_access`,
        state: 'state-123',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      expect(response.status).toBe(302);
      expect(response.location?.origin + (response.location?.pathname ?? '')).toBe(redirectUri);
      expect(response.location?.searchParams.get('state')).toBe('state-123');
      const code = response.location?.searchParams.get('code') ?? '';
      expect(code).not.toBe('');

      const { app } = msal({ clientId: WEB_APP, clientSecret: WEB_SECRET });
      const result = await app.acquireTokenByCode({ code, redirectUri, scopes: [`${ENV}/user_impersonation`], codeVerifier: verifier });
      const claims = claimsOf(result.accessToken);
      expect(claims).toMatchObject({
        aud: ENV,
        iss: `https://sts.windows.net/${TENANT}/`,
        appid: WEB_APP,
        oid: ALICE.id,
        upn: ALICE.userPrincipalName,
        name: ALICE.displayName,
        scp: 'user_impersonation',
        idtyp: 'user',
        tid: TENANT,
      });
      expect(result.account).toMatchObject({ homeAccountId: `${ALICE.id}.${TENANT}`, username: ALICE.userPrincipalName, tenantId: TENANT });
      expect(result.idTokenClaims).toMatchObject({ aud: WEB_APP, tid: TENANT, preferred_username: ALICE.userPrincipalName });
      expect(entra.verifyAccessToken(result.accessToken, ENV).ok).toBe(true);

      const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
      const refreshToken = Object.values(cache.RefreshToken)[0].secret;
      const { app: fresh } = msal({ clientId: WEB_APP, clientSecret: WEB_SECRET });
      clockOffsetMs = 10_000;
      const refreshed = (await fresh.acquireTokenByRefreshToken({ refreshToken, scopes: [`${ENV}/user_impersonation`] })) as AuthenticationResult;
      expect(refreshed.accessToken).not.toBe(result.accessToken);
      expect(claimsOf(refreshed.accessToken)).toMatchObject({ oid: ALICE.id, scp: 'user_impersonation', aud: ENV });

      // The code is single-use.
      const replay = await post(tokenPath, { grant_type: 'authorization_code', client_id: WEB_APP, client_secret: WEB_SECRET, code, redirect_uri: redirectUri, code_verifier: verifier });
      expect(JSON.parse(replay.body)).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
    });

    it('checks the PKCE verifier (S256 and plain) and the redirect URI, and rotates refresh tokens', async () => {
      const redirectUri = 'http://127.0.0.1:41000/auth';
      const start = async (extra: Record<string, string>, scope = `${ENV}/.default offline_access`) => {
        const response = await authorize({ client_id: PUBLIC_APP, response_type: 'code', redirect_uri: redirectUri, scope, ...extra });
        return response.location?.searchParams.get('code') ?? '';
      };
      const redeem = async (code: string, extra: Record<string, string>) =>
        JSON.parse((await post(`/organizations/oauth2/v2.0/token`, { grant_type: 'authorization_code', client_id: PUBLIC_APP, code, redirect_uri: redirectUri, ...extra })).body);

      const s256 = pkcePair();
      const wrongVerifier = await redeem(await start({ code_challenge: s256.challenge, code_challenge_method: 'S256' }), { code_verifier: pkcePair().verifier });
      expect(wrongVerifier).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
      const missingVerifier = await redeem(await start({ code_challenge: s256.challenge, code_challenge_method: 'S256' }), {});
      expect(missingVerifier).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
      const wrongRedirect = JSON.parse(
        (await post(tokenPath, { grant_type: 'authorization_code', client_id: PUBLIC_APP, code: await start({}), redirect_uri: 'http://127.0.0.1:41000/other' })).body,
      );
      expect(wrongRedirect).toMatchObject({ error: 'invalid_grant', error_codes: [500112] });
      expect(await redeem('made-up-code', {})).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });

      const plain = pkcePair().verifier;
      const tokens = await redeem(await start({ code_challenge: plain, code_challenge_method: 'plain', login_hint: BOB.userPrincipalName }), { code_verifier: plain, client_info: '1' });
      expect(tokens).toMatchObject({ token_type: 'Bearer', scope: `${ENV}/user_impersonation offline_access`, expires_in: 3600, refresh_token: expect.any(String) });
      expect(tokens.id_token).toBeUndefined(); // no openid scope requested
      expect(JSON.parse(Buffer.from(tokens.client_info, 'base64url').toString())).toEqual({ uid: BOB.id, utid: TENANT });
      expect(claimsOf(tokens.access_token)).toMatchObject({ upn: BOB.userPrincipalName, appidacr: '0' });

      const refresh = (refreshToken: string) =>
        post(tokenPath, { grant_type: 'refresh_token', client_id: PUBLIC_APP, refresh_token: refreshToken, scope: `${ENV}/user_impersonation openid` }).then((r) => JSON.parse(r.body));
      const rotated = await refresh(tokens.refresh_token);
      expect(rotated.refresh_token).toEqual(expect.any(String));
      expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
      expect(rotated.id_token).toEqual(expect.any(String));
      expect(claimsOf(rotated.id_token)).toMatchObject({ aud: PUBLIC_APP, preferred_username: BOB.userPrincipalName, ver: '2.0' });

      clockOffsetMs = 91 * 86400_000;
      expect(await refresh(rotated.refresh_token)).toMatchObject({ error: 'invalid_grant', error_codes: [700082] });
      clockOffsetMs = 0;

      entra.revokeTokensFor(BOB.userPrincipalName);
      expect(await refresh(rotated.refresh_token)).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
      expect(entra.verifyAccessToken(rotated.access_token, ENV)).toMatchObject({ ok: false, reason: 'revoked' });
    });

    it('does not issue a refresh token without offline_access', async () => {
      const response = await authorize({ client_id: PUBLIC_APP, response_type: 'code', redirect_uri: 'http://localhost:1/cb', scope: `${ENV}/user_impersonation openid` });
      const code = response.location?.searchParams.get('code') ?? '';
      const tokens = JSON.parse((await post(tokenPath, { grant_type: 'authorization_code', client_id: PUBLIC_APP, code, redirect_uri: 'http://localhost:1/cb' })).body);
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(tokens.id_token).toEqual(expect.any(String));
      expect(tokens.refresh_token).toBeUndefined();
    });

    it('supports fragment and form_post response modes and the v1 endpoints (resource instead of scope)', async () => {
      const common = { client_id: PUBLIC_APP, response_type: 'code', redirect_uri: 'http://localhost:7/cb', scope: `${ENV}/user_impersonation`, state: 'xyz' };
      const fragment = await authorize({ ...common, response_mode: 'fragment' });
      expect(new URLSearchParams(fragment.location?.hash.slice(1)).get('state')).toBe('xyz');
      const formPost = await authorize({ ...common, response_mode: 'form_post' });
      expect(formPost.status).toBe(200);
      expect(formPost.body).toMatch(/<form method="POST" name="hiddenform" action="http:\/\/localhost:7\/cb">.*name="code"/);

      const v1 = await request('GET', `${baseUrl}/${TENANT}/oauth2/authorize?${form({ client_id: PUBLIC_APP, response_type: 'code', redirect_uri: 'http://localhost:7/cb', resource: ENV })}`, ca.caCertPem);
      const code = new URL(v1.headers.location).searchParams.get('code') ?? '';
      const tokens = JSON.parse((await post(`/${TENANT}/oauth2/token`, { grant_type: 'authorization_code', client_id: PUBLIC_APP, code, redirect_uri: 'http://localhost:7/cb' })).body);
      expect(tokens).toMatchObject({ resource: ENV, scope: 'user_impersonation', refresh_token: expect.any(String), expires_in: '3600' });
      expect(claimsOf(tokens.access_token)).toMatchObject({ aud: ENV, upn: ALICE.userPrincipalName });
    });

    it('never redirects to an unregistered URI and redirects other errors with state', async () => {
      const unregistered = await authorize({ client_id: WEB_APP, response_type: 'code', redirect_uri: 'https://evil.example/cb', scope: `${ENV}/user_impersonation` });
      expect(unregistered.status).toBe(400);
      expect(unregistered.location).toBeUndefined();
      expect(JSON.parse(unregistered.body)).toMatchObject({ error_codes: [50011] });
      const notLoopback = await authorize({ client_id: PUBLIC_APP, response_type: 'code', redirect_uri: 'https://app.example/cb', scope: `${ENV}/user_impersonation` });
      expect(notLoopback.status).toBe(400);
      const unknownClient = await authorize({ client_id: '99999999-9999-4999-8999-999999999999', response_type: 'code', redirect_uri: 'http://localhost/cb', scope: 'openid' });
      expect(JSON.parse(unknownClient.body)).toMatchObject({ error_codes: [700016] });

      const badScope = await authorize({ client_id: WEB_APP, response_type: 'code', redirect_uri: 'https://app.contoso.com/signin', scope: 'openid', state: 's1' });
      expect(badScope.status).toBe(302);
      expect(Object.fromEntries(badScope.location?.searchParams ?? [])).toMatchObject({ error: 'invalid_scope', state: 's1', error_description: expect.stringMatching(/^AADSTS70011/) });
      const badType = await authorize({ client_id: WEB_APP, response_type: 'token', redirect_uri: 'https://app.contoso.com/signin', scope: `${ENV}/user_impersonation` });
      expect(badType.location?.searchParams.get('error')).toBe('unsupported_response_type');
    });
  });
});
