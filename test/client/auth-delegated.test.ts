/**
 * Delegated access: an authorization code from the emulator's authorize endpoint (PKCE), redeemed for a refresh
 * token, then refreshed by client/auth with the rotated refresh token kept and reported; and tokens from a callback.
 */
import * as crypto from 'node:crypto';
import { createTokenProvider } from '../../client/auth';
import type { ClientEvent } from '../../client/http/types';
import { D365Error } from '../../client/http/errors';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { claimsOf, httpsRequest, whoAmI } from '../helpers/emulator';
import { emulatorApp, recordingNetwork } from './auth-helpers';

const REDIRECT_URI = 'http://127.0.0.1/cb';

describe('client/auth delegated access against the emulator', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ limits: 'off' });
  });
  afterAll(() => emulator?.stop());

  const origin = () => emulator.dataverseUrl.replace(/\/$/, '');
  const scope = () => `${origin()}/user_impersonation offline_access`;

  /** The browser leg: the emulator signs the sample user in and redirects with a code at once. */
  async function signIn(): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      client_id: emulator.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: scope(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'xyz',
    });
    const authorize = await httpsRequest(emulator, 'GET', `${emulator.authorityUrl}/oauth2/v2.0/authorize?${query}`);
    expect(authorize.status).toBe(302);
    const location = new URL(String(authorize.headers.location));
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code');
    expect(code).toEqual(expect.any(String));

    const redeem = await httpsRequest(emulator, 'POST', `${emulator.authorityUrl}/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: emulator.clientId,
        code: String(code),
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
        scope: scope(),
      }).toString(),
    });
    expect(redeem.status).toBe(200);
    return { accessToken: redeem.json.access_token, refreshToken: redeem.json.refresh_token, expiresIn: redeem.json.expires_in };
  }

  it('refreshes with the refresh token, keeps the rotated one and reports it', async () => {
    const session = await signIn();
    const network = recordingNetwork(emulator);
    const rotated: string[] = [];
    const events: ClientEvent[] = [];
    const provider = createTokenProvider({
      kind: 'delegated',
      ...emulatorApp(emulator),
      refreshToken: session.refreshToken,
      networkClient: network.client,
      onRefreshTokenChanged: (token) => {
        rotated.push(token);
      },
      events: (e) => events.push(e),
    });

    const first = await provider.getToken();
    expect(first.token).not.toBe(session.accessToken);
    expect(claimsOf(first.token)).toMatchObject({ aud: origin(), scp: 'user_impersonation', oid: emulator.identity.user.id });
    expect((await whoAmI(emulator, first.token)).json.UserId).toBe(emulator.identity.user.id);

    expect(network.requests).toHaveLength(1);
    const form = new URLSearchParams(network.requests[0].body);
    expect(network.requests[0].url).toBe(`${emulator.authorityUrl}/oauth2/v2.0/token`);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe(session.refreshToken);
    expect(form.get('client_id')).toBe(emulator.clientId);
    expect(form.get('scope')).toBe(scope());

    expect(rotated).toHaveLength(1);
    expect(rotated[0]).not.toBe(session.refreshToken);
    expect(provider.currentRefreshToken()).toBe(rotated[0]);
    expect(JSON.stringify(provider)).not.toContain(rotated[0]);

    // Cached until invalidated; the next refresh uses the rotated token and rotates again.
    expect((await provider.getToken()).token).toBe(first.token);
    provider.invalidate();
    const second = await provider.getToken();
    expect(second.token).not.toBe(first.token);
    expect(new URLSearchParams(network.requests[1].body).get('refresh_token')).toBe(rotated[0]);
    expect(rotated).toHaveLength(2);
    expect(events.map((e) => e.type === 'refresh' && e.reason)).toEqual(['initial', 'unauthorized']);
  });

  it('serves a handed-over access token until its margin, without a request', async () => {
    const session = await signIn();
    const network = recordingNetwork(emulator);
    const provider = createTokenProvider({
      kind: 'delegated',
      ...emulatorApp(emulator),
      refreshToken: session.refreshToken,
      accessToken: session.accessToken,
      expiresOnMs: Date.now() + session.expiresIn * 1000,
      networkClient: network.client,
    });
    expect((await provider.getToken()).token).toBe(session.accessToken);
    expect(network.requests).toHaveLength(0);
  });

  it('a revoked refresh token fails with advice to sign in again, without echoing the token', async () => {
    const session = await signIn();
    const provider = createTokenProvider({
      kind: 'delegated',
      ...emulatorApp(emulator),
      refreshToken: session.refreshToken,
      ca: emulator.caCertPem,
    });
    emulator.entra.revokeTokensFor(emulator.identity.user.id);
    const error: D365Error = await provider.getToken().then(() => undefined as never, (e: D365Error) => e);
    expect(error).toBeInstanceOf(D365Error);
    expect(error.code).toBe('AADSTS50173');
    expect(error.message).toMatch(/Sign in again/);
    expect(JSON.stringify(error) + error.message).not.toContain(session.refreshToken);
  });

  it('a web app sends its client secret; a wrong one fails with AADSTS7000215 and neither secret nor token is echoed', async () => {
    const session = await signIn();
    const make = (clientSecret: string) =>
      createTokenProvider({
        kind: 'delegated',
        ...emulatorApp(emulator),
        clientSecret,
        refreshToken: session.refreshToken,
        ca: emulator.caCertPem,
      });
    const wrong = 'NotTheSecret~0123456789abcdef';
    const error: D365Error = await make(wrong).getToken().then(() => undefined as never, (e: D365Error) => e);
    expect(error.code).toBe('AADSTS7000215');
    for (const secret of [wrong, session.refreshToken]) expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(secret);
    expect(claimsOf((await make(emulator.clientSecret).getToken()).token).appidacr).toBe('1');
  });

  it('a token callback is cached, and asked again (reason unauthorized) after invalidate', async () => {
    const reasons: string[] = [];
    const session = await signIn();
    const provider = createTokenProvider({
      kind: 'callback',
      resource: emulator.dataverseUrl,
      getAccessToken: async ({ reason }) => {
        reasons.push(reason);
        return { token: session.accessToken, expiresOnMs: Date.now() + 3_600_000 };
      },
    });
    const [a, b] = await Promise.all([provider.getToken(), provider.getToken()]);
    expect(a.token).toBe(session.accessToken);
    expect(b.token).toBe(session.accessToken);
    provider.invalidate();
    await provider.getToken();
    expect(reasons).toEqual(['initial', 'unauthorized']);
  });

  it('a failing callback becomes a D365Error', async () => {
    const provider = createTokenProvider({
      kind: 'callback',
      resource: emulator.dataverseUrl,
      getAccessToken: async () => {
        throw new Error('OAuth2 credential is not connected');
      },
    });
    await expect(provider.getToken()).rejects.toMatchObject({ name: 'D365Error', code: 'SignInFailed', message: expect.stringMatching(/not connected/) });
  });
});
