/**
 * One access token per (authority, client, resource, credential), shared by every provider built for the same
 * triple, so n8n nodes running side by side do not each fetch a token. It refreshes a margin before expiry,
 * lets concurrent callers share one fetch, and forgets the token when the service answered 401.
 */
import { D365Error } from '../http/errors';
import type { AccessToken } from './types';

export type RefreshReason = 'initial' | 'proactive' | 'expired' | 'unauthorized';

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/** A token closer than this to expiry is not handed out as a fallback: the request would fail on the way. */
const MIN_FALLBACK_VALIDITY_MS = 1_000;
/** After a failed proactive refresh the still-valid token is served for a while instead of failing every call. */
const MAX_PROACTIVE_RETRY_DELAY_MS = 10_000;

interface Entry {
  token: AccessToken;
  obtainedAtMs: number;
}

/**
 * The margin shrinks to half the lifetime for tokens that live less than two margins (the emulator's short tokens,
 * or a token handed over near its end), so they are still renewed before they expire rather than on every call.
 */
export function refreshAtMs(entry: Entry, marginMs: number): number {
  const lifetime = entry.token.expiresOnMs - entry.obtainedAtMs;
  const margin = lifetime < 2 * marginMs ? Math.max(0, lifetime / 2) : marginMs;
  return entry.token.expiresOnMs - margin;
}

export interface TokenRequest {
  fetch: (reason: RefreshReason) => Promise<AccessToken>;
  marginMs?: number;
  signal?: AbortSignal;
  /** Called when this call starts a fetch (not when it joins one already under way). */
  onFetch?: (reason: RefreshReason) => void;
  /** A proactive refresh failed and the still-valid token was served instead. */
  onProactiveFailure?: (error: unknown) => void;
  now?: () => number;
}

function abortError(signal: AbortSignal): D365Error {
  return new D365Error('The token request was cancelled.', { code: 'Aborted', cause: signal.reason });
}

/** Stops waiting on abort; the shared fetch goes on for the other callers. */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class TokenCache {
  private entry?: Entry;
  private inflight?: Promise<AccessToken>;
  private invalidated = false;
  private proactiveRetryAtMs = 0;

  async get(request: TokenRequest): Promise<AccessToken> {
    const now = request.now ?? Date.now;
    const margin = request.marginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    if (request.signal?.aborted) throw abortError(request.signal);

    const entry = this.entry;
    const t = now();
    if (entry && t < refreshAtMs(entry, margin)) return entry.token;
    if (entry && t < this.proactiveRetryAtMs && t < entry.token.expiresOnMs - MIN_FALLBACK_VALIDITY_MS) return entry.token;

    const reason: RefreshReason = entry ? (t < entry.token.expiresOnMs ? 'proactive' : 'expired') : this.invalidated ? 'unauthorized' : 'initial';
    if (!this.inflight) {
      request.onFetch?.(reason);
      this.inflight = this.fetch(request, reason, now);
    }
    try {
      return await waitFor(this.inflight, request.signal);
    } catch (error) {
      // The token in hand is still good; a refresh that failed early must not fail requests that could succeed.
      if (reason === 'proactive' && entry && this.entry === entry && now() < entry.token.expiresOnMs - MIN_FALLBACK_VALIDITY_MS && !request.signal?.aborted) {
        this.proactiveRetryAtMs = now() + Math.min(MAX_PROACTIVE_RETRY_DELAY_MS, (entry.token.expiresOnMs - now()) / 2);
        request.onProactiveFailure?.(error);
        return entry.token;
      }
      throw error;
    }
  }

  private async fetch(request: TokenRequest, reason: RefreshReason, now: () => number): Promise<AccessToken> {
    try {
      // Deferred so that a fetch throwing synchronously still settles after `inflight` is assigned.
      const token = await Promise.resolve().then(() => request.fetch(reason));
      this.entry = { token, obtainedAtMs: now() };
      this.invalidated = false;
      this.proactiveRetryAtMs = 0;
      return token;
    } finally {
      this.inflight = undefined;
    }
  }

  /** Drops the token (after a 401); the next get fetches with reason 'unauthorized'. */
  invalidate(): void {
    this.entry = undefined;
    this.invalidated = true;
    this.proactiveRetryAtMs = 0;
  }

  /** Stores a token obtained elsewhere (a delegated sign-in handing over its first access token). */
  seed(token: AccessToken, now: () => number = Date.now): void {
    if (!this.entry) this.entry = { token, obtainedAtMs: now() };
  }
}

export interface TokenCacheKey {
  /** Authority URL, e.g. https://login.microsoftonline.com/<tenant>. */
  authority: string;
  clientId: string;
  /** Environment origin. */
  resource: string;
  /**
   * A one-way fingerprint of the credential, so that a provider with a wrong (or newly rotated) secret is not
   * served the token another credential obtained.
   */
  credential?: string;
}

const sharedCaches = new Map<string, TokenCache>();

export function sharedTokenCache(key: TokenCacheKey): TokenCache {
  const id = [key.authority, key.clientId, key.resource].map((part) => part.toLowerCase().replace(/\/+$/, '')).concat(key.credential ?? '').join('|');
  let cache = sharedCaches.get(id);
  if (!cache) {
    cache = new TokenCache();
    sharedCaches.set(id, cache);
  }
  return cache;
}

/** Forgets every shared token (tests; a credential deleted in n8n). */
export function clearSharedTokenCaches(): void {
  sharedCaches.clear();
}
