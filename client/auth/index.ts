/**
 * Entra ID tokens for Dataverse and Finance & Operations: app-only with a client secret or a certificate (MSAL),
 * delegated with a refresh token, or tokens from a callback (n8n's OAuth2 credential), all behind one cache.
 */
import { D365Error } from '../http/errors';
import { createConfidentialTokenProvider, type ConfidentialClientOptions, type ClientCertificateOptions } from './confidential';
import {
  createCallbackTokenProvider,
  createRefreshTokenProvider,
  type RefreshTokenOptions,
  type RefreshTokenProvider,
  type TokenCallbackOptions,
} from './delegated';
import type { TokenProvider } from './types';

export type TokenProviderOptions =
  | ({ kind: 'secret'; clientSecret: string } & Omit<ConfidentialClientOptions, 'clientSecret' | 'certificate'>)
  | ({ kind: 'certificate'; certificate: ClientCertificateOptions } & Omit<ConfidentialClientOptions, 'clientSecret' | 'certificate'>)
  | ({ kind: 'delegated' } & RefreshTokenOptions)
  | ({ kind: 'callback' } & TokenCallbackOptions);

export function createTokenProvider(options: TokenProviderOptions & { kind: 'delegated' }): RefreshTokenProvider;
export function createTokenProvider(options: TokenProviderOptions): TokenProvider;
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  switch (options.kind) {
    case 'secret':
    case 'certificate': {
      const { kind: _kind, ...rest } = options;
      return createConfidentialTokenProvider(rest);
    }
    case 'delegated': {
      const { kind: _kind, ...rest } = options;
      return createRefreshTokenProvider(rest);
    }
    case 'callback': {
      const { kind: _kind, ...rest } = options;
      return createCallbackTokenProvider(rest);
    }
    default:
      throw new D365Error(`Unknown authentication kind '${String((options as { kind?: unknown }).kind)}'; use secret, certificate, delegated or callback.`, {
        code: 'InvalidAuthConfiguration',
      });
  }
}

export type { AccessToken, TokenProvider } from './types';
export type { AuthorityOptions, Authority } from './authority';
export type { CloudName, NationalCloud } from './clouds';
export type { ConfidentialClientOptions, ClientCertificateOptions } from './confidential';
export type { RefreshTokenOptions, RefreshTokenProvider, TokenCallbackOptions } from './delegated';
export type { AuthLogEntry, AuthLogLevel, NetworkOptions, ProviderOptions } from './options';
export type { RefreshReason } from './token-cache';
export { CLOUDS, cloudForResourceHost } from './clouds';
export { resolveAuthority } from './authority';
export { createConfidentialTokenProvider } from './confidential';
export { createRefreshTokenProvider, createCallbackTokenProvider } from './delegated';
export { createHttpsNetworkClient } from './network-client';
export { clearSharedTokenCaches, DEFAULT_REFRESH_MARGIN_MS } from './token-cache';
export { resourceOrigin } from './resource';
