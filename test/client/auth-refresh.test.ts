/**
 * Proactive refresh with the emulator's short-lived tokens: a token is renewed a margin before it expires (the
 * margin halves for tokens shorter than two margins), and an expired one is replaced with reason 'expired'.
 */
import { clearSharedTokenCaches, createTokenProvider } from '../../client/auth';
import type { ClientEvent } from '../../client/http/types';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { claimsOf, whoAmI } from '../helpers/emulator';
import { emulatorApp, recordingNetwork, sleep } from './auth-helpers';

describe('client/auth proactive refresh (4 s tokens)', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ limits: 'off', tokenLifetimeSeconds: 4 });
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => clearSharedTokenCaches());

  function provider(refreshMarginMs?: number) {
    const events: ClientEvent[] = [];
    const network = recordingNetwork(emulator);
    const tokens = createTokenProvider({
      kind: 'secret',
      ...emulatorApp(emulator),
      clientSecret: emulator.clientSecret,
      networkClient: network.client,
      refreshMarginMs,
      events: (e) => events.push(e),
    });
    return { tokens, events, requests: network.requests };
  }

  it('with a 2 s margin, a call after 2.8 s gets a new token and reports a proactive refresh', async () => {
    const { tokens, events, requests } = provider(2_000);
    const first = await tokens.getToken();
    const claims = claimsOf(first.token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(4);

    await sleep(1_000);
    expect((await tokens.getToken()).token).toBe(first.token);
    expect(requests).toHaveLength(1);

    await sleep(1_800);
    const second = await tokens.getToken();
    expect(second.token).not.toBe(first.token);
    expect(second.expiresOnMs).toBeGreaterThan(first.expiresOnMs);
    expect(requests).toHaveLength(2);
    expect(events.map((e) => e.type === 'refresh' && e.reason)).toEqual(['initial', 'proactive']);
    // The old token had not expired yet: the refresh happened before any request could fail.
    expect(Date.now()).toBeLessThan(first.expiresOnMs);
    expect((await whoAmI(emulator, second.token)).status).toBe(200);
  });

  it('with the default 5 min margin, a 4 s token is refreshed after half its lifetime, not on every call', async () => {
    const { tokens, events, requests } = provider();
    const first = await tokens.getToken();
    await sleep(500);
    expect((await tokens.getToken()).token).toBe(first.token);
    expect(requests).toHaveLength(1);
    await sleep(2_300);
    expect((await tokens.getToken()).token).not.toBe(first.token);
    expect(events.map((e) => e.type === 'refresh' && e.reason)).toEqual(['initial', 'proactive']);
  });

  it('a token that has expired is replaced with reason expired', async () => {
    const { tokens, events } = provider(0);
    const first = await tokens.getToken();
    await sleep(Math.max(0, first.expiresOnMs - Date.now()) + 200);
    const second = await tokens.getToken();
    expect(second.token).not.toBe(first.token);
    expect(events.map((e) => e.type === 'refresh' && e.reason)).toEqual(['initial', 'expired']);
  });
});
