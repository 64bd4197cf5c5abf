/**
 * @azure/msal-node 7.2.1 against the assembled emulator (startEmulator): tokens from its Entra endpoint, for a
 * client secret and a client certificate, are accepted by the Web API; bad tokens get 401 with a Bearer challenge
 * and a reason; an app without an application user gets 403.
 */
import type { AuthenticationResult, ConfidentialClientApplication, Configuration } from '@azure/msal-node';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { createCertificateAuthority, issueClientCertificate, type ClientCertificate } from '../../emulator/tls';
import { claimsOf, httpsRequest, whoAmI, type HttpResult } from '../helpers/emulator';
import { msalApp } from '../helpers/msal';

function msal(emulator: RunningEmulator, auth: Omit<Configuration['auth'], 'authority' | 'clientId'>) {
  return msalApp(emulator, { clientId: emulator.clientId, authority: emulator.authorityUrl, knownAuthorities: [`127.0.0.1:${emulator.port}`], ...auth });
}

async function acquire(app: ConfidentialClientApplication, scope: string): Promise<AuthenticationResult> {
  const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
  if (!result) throw new Error('MSAL returned no token');
  return result;
}

/** A 401 as Dataverse sends it: Bearer challenge naming this emulator's authority, JSON reason, no token echo. */
function expectUnauthorized(emulator: RunningEmulator, res: HttpResult, reason: RegExp, token?: string) {
  expect(res.status).toBe(401);
  const challenge = String(res.headers['www-authenticate']);
  expect(challenge.startsWith(`Bearer authorization_uri=${emulator.authorityUrl}/oauth2/authorize`)).toBe(true);
  expect(challenge).toContain(`resource_id=https://127.0.0.1:${emulator.port}`);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.json).toEqual({ error: { code: expect.any(String), message: expect.stringMatching(reason) } });
  if (token) {
    for (const part of token.split('.')) expect(res.text).not.toContain(part);
  }
}

describe('MSAL against the assembled emulator', () => {
  let emulator: RunningEmulator;
  let cert: ClientCertificate;

  beforeAll(async () => {
    const ca = createCertificateAuthority();
    cert = issueClientCertificate(ca, 'sandbox-integration');
    emulator = await startEmulator({ limits: 'off', clientCertificates: [cert.certPem] });
  });
  afterAll(() => emulator?.stop());

  const scope = () => `${emulator.dataverseUrl}.default`;

  it('a client secret token from MSAL calls WhoAmI as the application user', async () => {
    const { app, networkClient } = msal(emulator, { clientSecret: emulator.clientSecret });
    const result = await acquire(app, scope());
    expect(result.fromCache).toBe(false);
    expect(networkClient.paths()).toEqual([
      `GET /${emulator.tenantId}/v2.0/.well-known/openid-configuration`,
      `POST /${emulator.tenantId}/oauth2/v2.0/token`,
    ]);
    expect(claimsOf(result.accessToken)).toMatchObject({
      aud: `https://127.0.0.1:${emulator.port}`,
      appid: emulator.clientId,
      appidacr: '1',
      oid: emulator.identity.applicationUserId,
    });

    const res = await whoAmI(emulator, result.accessToken);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      UserId: emulator.identity.applicationUserId,
      BusinessUnitId: emulator.identity.businessUnitId,
      OrganizationId: emulator.identity.organizationId,
    });
    // The second acquisition comes from MSAL's cache and still works.
    const cached = await acquire(app, scope());
    expect(cached.fromCache).toBe(true);
    expect((await whoAmI(emulator, cached.accessToken)).status).toBe(200);
  });

  it('a client certificate token from MSAL calls WhoAmI as the same application user', async () => {
    const { app } = msal(emulator, {
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem, x5c: cert.certPem },
    });
    const result = await acquire(app, scope());
    expect(claimsOf(result.accessToken)).toMatchObject({ appid: emulator.clientId, appidacr: '2' });
    const res = await whoAmI(emulator, result.accessToken);
    expect(res.status).toBe(200);
    expect(res.json.UserId).toBe(emulator.identity.applicationUserId);
  });

  it('an unregistered certificate gets no token', async () => {
    const stranger = issueClientCertificate(createCertificateAuthority(), 'stranger');
    const { app } = msal(emulator, {
      clientCertificate: { thumbprintSha256: stranger.thumbprintSha256, privateKey: stranger.keyPem, x5c: stranger.certPem },
    });
    await expect(acquire(app, scope())).rejects.toMatchObject({ errorCode: 'invalid_client' });
  });

  it('a token for another resource is refused with 401 (wrong audience)', async () => {
    const { app } = msal(emulator, { clientSecret: emulator.clientSecret });
    const other = await acquire(app, 'https://other.example/.default');
    expect(claimsOf(other.accessToken).aud).toBe('https://other.example');
    expectUnauthorized(emulator, await whoAmI(emulator, other.accessToken), /wrong audience 'https:\/\/other\.example'/, other.accessToken);
  });

  it('a tampered token is refused with 401 (bad signature)', async () => {
    const { app } = msal(emulator, { clientSecret: emulator.clientSecret });
    const good = (await acquire(app, scope())).accessToken;
    const [header, payload, signature] = good.split('.');
    const claims = claimsOf(good);
    const forged = Buffer.from(JSON.stringify({ ...claims, oid: emulator.identity.user.id })).toString('base64url');
    const tampered = `${header}.${forged}.${signature}`;
    expectUnauthorized(emulator, await whoAmI(emulator, tampered), /bad signature/, tampered);
    // Flipping one signature character is refused as well.
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expectUnauthorized(emulator, await whoAmI(emulator, flipped), /bad signature/, flipped);
    // The original still works: refusal is about the token, not the caller.
    expect((await whoAmI(emulator, good)).status).toBe(200);
  });

  it('a request without a token, or with a non-JWT, is refused with 401', async () => {
    expectUnauthorized(emulator, await whoAmI(emulator), /no bearer token/);
    expectUnauthorized(emulator, await whoAmI(emulator, 'not-a-jwt-secret-value'), /malformed/, 'not-a-jwt-secret-value');
    const basic = await httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/WhoAmI`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expectUnauthorized(emulator, basic, /no bearer token/);
  });
  it('(last: removes the application user) a valid token of an app without an application user gets 403', async () => {
    const { app } = msal(emulator, { clientSecret: emulator.clientSecret });
    const token = (await acquire(app, `${emulator.dataverseUrl}.default`)).accessToken;
    expect((await whoAmI(emulator, token)).status).toBe(200);
    expect(emulator.service.store.delete('systemuser', emulator.identity.applicationUserId)).toBe(true);
    const res = await whoAmI(emulator, token);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.json.error.code).toBe('0x80072560');
    expect(res.json.error.message).toContain(emulator.identity.applicationUserId);
    expect(res.json.error.message).toMatch(/not a member of the organization/);
    expect(res.text).not.toContain(token.split('.')[2]);
  });
});

describe('token lifetime', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ limits: 'off', tokenLifetimeSeconds: 1 });
  });
  afterAll(() => emulator?.stop());

  it('an expired token is refused with 401 (expired)', async () => {
    const { app } = msal(emulator, { clientSecret: emulator.clientSecret });
    const result = await acquire(app, `${emulator.dataverseUrl}.default`);
    const claims = claimsOf(result.accessToken);
    expect((claims.exp as number) - (claims.iat as number)).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expectUnauthorized(emulator, await whoAmI(emulator, result.accessToken), /expired/, result.accessToken);
  });
});
