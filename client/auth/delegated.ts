/**
 * Delegated access (as a signed-in user): either this module refreshes through the v2.0 token endpoint with a
 * refresh token, keeping the rotated one, or someone else (n8n's OAuth2 credential) supplies tokens through a
 * callback. Either way the token cache in front adds margin refresh, single-flight and invalidate-on-401. These
 * caches are never shared: the token belongs to one user, not to the (authority, client, resource) triple.
 */
import { D365Error } from '../http/errors';
import { resolveAuthority, type AuthorityOptions } from './authority';
import { createCachedProvider } from './cached-provider';
import { entraFailureFromBody, entraFailureToD365, transportErrorToD365, type EntraErrorContext } from './entra-errors';
import { createHttpsNetworkClient } from './network-client';
import type { NetworkOptions, ProviderOptions } from './options';
import { redactSecrets } from './redact-secrets';
import { delegatedScopes, resourceOrigin } from './resource';
import { TokenCache, type RefreshReason } from './token-cache';
import type { AccessToken, TokenProvider } from './types';

export interface RefreshTokenOptions extends ProviderOptions, AuthorityOptions, NetworkOptions {
  clientId: string;
  /** For web (confidential) app registrations; public clients send none. */
  clientSecret?: string;
  refreshToken: string;
  /** The access token obtained with the refresh token, served until its refresh margin (needs expiresOnMs). */
  accessToken?: string;
  expiresOnMs?: number;
  /** Default: `<environment>/user_impersonation offline_access`. */
  scopes?: string[];
  /** Entra returns a new refresh token with every refresh; store it, the next run needs it. */
  onRefreshTokenChanged?: (refreshToken: string) => void | Promise<void>;
}

export interface RefreshTokenProvider extends TokenProvider {
  /** The newest refresh token (a method, so that serialising the provider never writes it out). */
  currentRefreshToken(): string;
}

export interface TokenCallbackOptions extends ProviderOptions {
  /** Returns a valid token; reason 'unauthorized' asks for a new one (the last was refused with 401). */
  getAccessToken: (context: { reason: RefreshReason }) => Promise<AccessToken>;
}

const FORM = 'application/x-www-form-urlencoded;charset=utf-8';

function requireText(value: string | undefined, what: string): string {
  if (!value || !value.trim()) throw new D365Error(`${what} is required for delegated access.`, { code: 'InvalidAuthConfiguration' });
  return value;
}

/** expires_in is a number in v2.0 answers and a string in v1.0 ones. */
function secondsOf(value: unknown): number | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export function createRefreshTokenProvider(options: RefreshTokenOptions): RefreshTokenProvider {
  const clientId = requireText(options.clientId, 'An application (client) id');
  let refreshToken = requireText(options.refreshToken, 'A refresh token');
  const resource = resourceOrigin(options.resource);
  const authority = resolveAuthority(options, resource);
  const network = options.networkClient ?? createHttpsNetworkClient(options);
  const scope = (options.scopes ?? delegatedScopes(resource)).join(' ');
  const superseded: string[] = [];
  const secrets = () => [options.clientSecret, refreshToken, ...superseded, options.accessToken];
  const errorContext = (): EntraErrorContext => ({ clientId, tenant: authority.tenant, authorityHost: authority.host, resource, secrets: secrets() });

  async function rotate(next: string): Promise<void> {
    superseded.push(refreshToken);
    refreshToken = next;
    try {
      await options.onRefreshTokenChanged?.(next);
    } catch (e) {
      // The token was obtained; failing to store the new refresh token is reported, not fatal (the old one stays valid).
      const message = e instanceof Error ? e.message : String(e);
      options.log?.({ level: 'error', message: redactSecrets(`Storing the new refresh token failed: ${message}`, secrets()), source: 'auth' });
    }
  }

  async function refresh(): Promise<AccessToken> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken, scope });
    if (options.clientSecret) form.set('client_secret', options.clientSecret);
    const startedAtMs = Date.now();
    let response;
    try {
      response = await network.sendPostRequestAsync<Record<string, unknown>>(authority.tokenEndpoint, {
        headers: { 'content-type': FORM, accept: 'application/json' },
        body: form.toString(),
      });
    } catch (e) {
      throw transportErrorToD365(e, errorContext());
    }
    const body = response.body ?? {};
    const expiresIn = secondsOf(body.expires_in);
    if (response.status !== 200 || typeof body.access_token !== 'string' || expiresIn === undefined) {
      if (response.status === 200) {
        throw new D365Error(`Sign-in at ${authority.host} answered without an access token or its lifetime.`, { code: 'SignInFailed', operation: 'acquire token' });
      }
      throw entraFailureToD365(entraFailureFromBody(response.status, body), errorContext());
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token && body.refresh_token !== refreshToken) {
      await rotate(body.refresh_token);
    }
    // Counted from when the request left, so the lifetime is never overestimated by the round trip.
    return { token: body.access_token, expiresOnMs: startedAtMs + expiresIn * 1000 };
  }

  const cache = new TokenCache();
  if (options.accessToken && options.expiresOnMs !== undefined) cache.seed({ token: options.accessToken, expiresOnMs: options.expiresOnMs });
  const provider = createCachedProvider({ cache, fetch: refresh, resource, options, secrets });
  return { ...provider, currentRefreshToken: () => refreshToken };
}

export function createCallbackTokenProvider(options: TokenCallbackOptions): TokenProvider {
  if (typeof options.getAccessToken !== 'function') {
    throw new D365Error('A getAccessToken callback is required.', { code: 'InvalidAuthConfiguration' });
  }
  const resource = resourceOrigin(options.resource);
  const issued: string[] = [];

  async function fetchFromCallback(reason: RefreshReason): Promise<AccessToken> {
    let token: AccessToken;
    try {
      token = await options.getAccessToken({ reason });
    } catch (e) {
      if (e instanceof D365Error) throw e;
      const message = e instanceof Error ? e.message : String(e);
      throw new D365Error(redactSecrets(`The credential could not supply an access token: ${message}`, issued), {
        code: 'SignInFailed',
        operation: 'acquire token',
      });
    }
    if (!token || typeof token.token !== 'string' || !token.token || !Number.isFinite(token.expiresOnMs)) {
      throw new D365Error('The credential returned no access token or no expiry time.', { code: 'SignInFailed', operation: 'acquire token' });
    }
    issued.splice(0, issued.length, token.token);
    return { token: token.token, expiresOnMs: token.expiresOnMs };
  }

  return createCachedProvider({ cache: new TokenCache(), fetch: fetchFromCallback, resource, options, secrets: () => issued });
}
