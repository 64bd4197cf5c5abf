/** The token cache on a fake clock: margins (and halved margins for short tokens), single-flight, invalidate, fallbacks. */
import { refreshAtMs, sharedTokenCache, clearSharedTokenCaches, TokenCache, type RefreshReason } from '../../client/auth/token-cache';
import { D365Error } from '../../client/http/errors';

function harness(lifetimeMs: number) {
  let clock = 1_000_000;
  let counter = 0;
  const reasons: RefreshReason[] = [];
  let fail: Error | undefined;
  const cache = new TokenCache();
  const fetch = async (reason: RefreshReason) => {
    reasons.push(reason);
    if (fail) throw fail;
    counter += 1;
    return { token: `t${counter}`, expiresOnMs: clock + lifetimeMs };
  };
  const get = (marginMs?: number, signal?: AbortSignal) => cache.get({ fetch, marginMs, signal, now: () => clock });
  return {
    cache,
    get,
    reasons,
    advance: (ms: number) => (clock += ms),
    failWith: (e: Error | undefined) => (fail = e),
  };
}

describe('token cache', () => {
  it('refreshes a margin before expiry, or at half the lifetime when that is shorter than two margins', () => {
    expect(refreshAtMs({ token: { token: 'x', expiresOnMs: 3_600_000 }, obtainedAtMs: 0 }, 300_000)).toBe(3_300_000);
    expect(refreshAtMs({ token: { token: 'x', expiresOnMs: 4_000 }, obtainedAtMs: 0 }, 300_000)).toBe(2_000);
    expect(refreshAtMs({ token: { token: 'x', expiresOnMs: 4_000 }, obtainedAtMs: 0 }, 2_000)).toBe(2_000);
    expect(refreshAtMs({ token: { token: 'x', expiresOnMs: 5_000 }, obtainedAtMs: 0 }, 2_000)).toBe(3_000);
  });

  it('serves the token until the margin, then refreshes proactively, then reports expiry', async () => {
    const h = harness(3_600_000);
    expect((await h.get()).token).toBe('t1');
    h.advance(3_600_000 - 300_001);
    expect((await h.get()).token).toBe('t1');
    h.advance(2);
    expect((await h.get()).token).toBe('t2');
    h.advance(3_600_001);
    expect((await h.get()).token).toBe('t3');
    expect(h.reasons).toEqual(['initial', 'proactive', 'expired']);
  });

  it('concurrent calls share one fetch; invalidate forces the next one', async () => {
    const h = harness(3_600_000);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.get()));
    expect(new Set(tokens.map((t) => t.token))).toEqual(new Set(['t1']));
    h.cache.invalidate();
    expect((await h.get()).token).toBe('t2');
    expect(h.reasons).toEqual(['initial', 'unauthorized']);
  });

  it('a failed proactive refresh serves the still-valid token and waits before trying again', async () => {
    const h = harness(3_600_000);
    await h.get();
    h.advance(3_400_000);
    h.failWith(new D365Error('Sign-in failed', { retryable: true }));
    expect((await h.get()).token).toBe('t1');
    expect((await h.get()).token).toBe('t1');
    expect(h.reasons).toEqual(['initial', 'proactive']);
    h.advance(10_001);
    h.failWith(undefined);
    expect((await h.get()).token).toBe('t2');
  });

  it('a failed initial or expired fetch is thrown, and the next call tries again', async () => {
    const h = harness(3_600_000);
    h.failWith(new D365Error('down', { retryable: true }));
    await expect(h.get()).rejects.toThrow('down');
    h.failWith(undefined);
    expect((await h.get()).token).toBe('t1');
  });

  it('a synchronous throw from fetch does not leave a stuck fetch behind', async () => {
    const cache = new TokenCache();
    const bad = () => {
      throw new Error('sync');
    };
    await expect(cache.get({ fetch: bad as never })).rejects.toThrow('sync');
    expect((await cache.get({ fetch: async () => ({ token: 'ok', expiresOnMs: Date.now() + 60_000 }) })).token).toBe('ok');
  });

  it('an already aborted signal rejects with a D365Error without fetching', async () => {
    const h = harness(3_600_000);
    const controller = new AbortController();
    controller.abort();
    await expect(h.get(undefined, controller.signal)).rejects.toMatchObject({ name: 'D365Error', code: 'Aborted' });
    expect(h.reasons).toEqual([]);
  });

  it('the shared registry keys by authority, client, resource and credential', () => {
    clearSharedTokenCaches();
    const key = { authority: 'https://login.microsoftonline.com/T', clientId: 'C', resource: 'https://x.crm.dynamics.com', credential: 'secret:a' };
    expect(sharedTokenCache(key)).toBe(sharedTokenCache({ ...key, authority: 'https://LOGIN.microsoftonline.com/t/', clientId: 'c' }));
    expect(sharedTokenCache(key)).not.toBe(sharedTokenCache({ ...key, credential: 'secret:b' }));
    expect(sharedTokenCache(key)).not.toBe(sharedTokenCache({ ...key, resource: 'https://y.crm.dynamics.com' }));
  });
});
