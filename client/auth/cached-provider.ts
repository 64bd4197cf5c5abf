/** A TokenProvider from a token cache and a way to fetch: events, margin and background-failure logging in one place. */
import { D365Error } from '../http/errors';
import { redactSecrets } from './redact-secrets';
import type { ProviderOptions } from './options';
import type { RefreshReason, TokenCache } from './token-cache';
import type { AccessToken, TokenProvider } from './types';

export interface CachedProviderParts {
  cache: TokenCache;
  fetch: (reason: RefreshReason) => Promise<AccessToken>;
  /** Environment origin, named in events. */
  resource: string;
  options: Pick<ProviderOptions, 'events' | 'refreshMarginMs' | 'log'>;
  /** Credentials to scrub from logged errors (a function: refresh tokens rotate). */
  secrets: () => readonly (string | undefined)[];
}

export function createCachedProvider(parts: CachedProviderParts): TokenProvider {
  const { cache, fetch, resource, options } = parts;
  if (options.refreshMarginMs !== undefined && !(options.refreshMarginMs >= 0)) {
    throw new D365Error('refreshMarginMs must be a number of milliseconds >= 0.', { code: 'InvalidAuthConfiguration' });
  }
  return {
    getToken: (signal) =>
      cache.get({
        fetch,
        marginMs: options.refreshMarginMs,
        signal,
        onFetch: (reason) => {
          try {
            options.events?.({ type: 'refresh', resource, reason });
          } catch {
            // An event sink that throws must not stop the token request.
          }
        },
        onProactiveFailure: (error) => {
          const message = error instanceof Error ? error.message : String(error);
          try {
            options.log?.({
              level: 'warning',
              message: redactSecrets(`Early token refresh failed; the current token is used until it expires. ${message}`, parts.secrets()),
              source: 'auth',
            });
          } catch {
            // As above: logging is best effort.
          }
        },
      }),
    invalidate: () => cache.invalidate(),
  };
}
