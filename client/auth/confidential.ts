/**
 * App-only (server-to-server) access through MSAL's confidential client: a client secret or a certificate, the
 * `<environment>/.default` scope, and this module's token cache in front (MSAL's own cache is bypassed so that a
 * 401 or the refresh margin really gets a new token).
 */
import { createHash } from 'node:crypto';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NodeAuthOptions } from '@azure/msal-node';
import { D365Error } from '../http/errors';
import { msalOfflineMetadata, resolveAuthority, type AuthorityOptions } from './authority';
import { loadCertificate, type CertificateInput } from './certificate';
import { msalErrorToD365, type EntraErrorContext } from './entra-errors';
import { msalLoggerOptions } from './msal-log';
import { createHttpsNetworkClient } from './network-client';
import type { NetworkOptions, ProviderOptions } from './options';
import { appOnlyScope, resourceOrigin } from './resource';
import { sharedTokenCache } from './token-cache';
import { createCachedProvider } from './cached-provider';
import type { TokenProvider } from './types';

export interface ClientCertificateOptions extends CertificateInput {
  /**
   * Thumbprint sent in the assertion header: SHA-256 (`x5t#S256`, default) or SHA-1 (`x5t`) for authorities that
   * only know the older form (ADFS, older Entra clouds).
   */
  thumbprintAlgorithm?: 'sha256' | 'sha1';
  /** Send the chain as x5c, needed for subject name + issuer (SNI) authentication; default true. */
  sendX5c?: boolean;
}

export interface ConfidentialClientOptions extends ProviderOptions, AuthorityOptions, NetworkOptions {
  /** Application (client) id of the app registration. */
  clientId: string;
  clientSecret?: string;
  certificate?: ClientCertificateOptions;
}

interface Credential {
  msal: Pick<NodeAuthOptions, 'clientSecret' | 'clientCertificate'>;
  /** One-way fingerprint: separates caches of different credentials without keeping the secret in the key. */
  fingerprint: string;
  secrets: string[];
}

function credentialOf(options: ConfidentialClientOptions): Credential {
  if (options.clientSecret !== undefined && options.certificate !== undefined) {
    throw new D365Error('Give either a client secret or a certificate, not both.', { code: 'InvalidAuthConfiguration' });
  }
  if (options.certificate) {
    const cert = loadCertificate(options.certificate);
    const sha1 = options.certificate.thumbprintAlgorithm === 'sha1';
    return {
      msal: {
        clientCertificate: {
          privateKey: cert.privateKeyPem,
          ...(sha1 ? { thumbprint: cert.thumbprintSha1 } : { thumbprintSha256: cert.thumbprintSha256 }),
          ...(options.certificate.sendX5c === false ? {} : { x5c: cert.chainPem }),
        },
      },
      fingerprint: `certificate:${cert.thumbprintSha256}`,
      secrets: [options.certificate.privateKeyPem, cert.privateKeyPem, options.certificate.passphrase].filter((s): s is string => !!s),
    };
  }
  const secret = options.clientSecret;
  if (!secret || !secret.trim()) {
    throw new D365Error('A client secret or a certificate is required for app-only access.', { code: 'InvalidAuthConfiguration' });
  }
  return {
    msal: { clientSecret: secret },
    fingerprint: `secret:${createHash('sha256').update(secret).digest('base64url')}`,
    secrets: [secret],
  };
}

/** Remembers why the last request failed, because MSAL replaces transport errors with a generic network_error. */
function recordingTransportErrors(inner: INetworkModule): INetworkModule & { lastError?: unknown } {
  const client: INetworkModule & { lastError?: unknown } = {
    async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number) {
      try {
        return await inner.sendGetRequestAsync<T>(url, options, timeout);
      } catch (e) {
        client.lastError = e;
        throw e;
      }
    },
    async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions) {
      try {
        return await inner.sendPostRequestAsync<T>(url, options);
      } catch (e) {
        client.lastError = e;
        throw e;
      }
    },
  };
  return client;
}

export function createConfidentialTokenProvider(options: ConfidentialClientOptions): TokenProvider {
  if (!options.clientId?.trim()) {
    throw new D365Error('An application (client) id is required.', { code: 'InvalidAuthConfiguration' });
  }
  const resource = resourceOrigin(options.resource);
  const authority = resolveAuthority(options, resource);
  const credential = credentialOf(options);
  const network = recordingTransportErrors(options.networkClient ?? createHttpsNetworkClient(options));
  const app = new ConfidentialClientApplication({
    auth: { clientId: options.clientId, authority: authority.url, ...msalOfflineMetadata(authority), ...credential.msal },
    system: { networkClient: network, loggerOptions: msalLoggerOptions(options.log, options.logLevel, credential.secrets) },
  });
  const errorContext: EntraErrorContext = {
    clientId: options.clientId,
    tenant: authority.tenant,
    authorityHost: authority.host,
    resource,
    secrets: credential.secrets,
  };
  const scopes = [appOnlyScope(resource)];

  async function fetchToken() {
    network.lastError = undefined;
    let result;
    try {
      // skipCache: this module decides when a token is stale (margin, 401); MSAL's cache would hand the old one back.
      result = await app.acquireTokenByClientCredential({ scopes, skipCache: true });
    } catch (e) {
      throw msalErrorToD365(e, errorContext, network.lastError);
    }
    if (!result?.accessToken || !result.expiresOn) {
      throw new D365Error(`Sign-in at ${authority.host} returned no access token.`, { code: 'SignInFailed', operation: 'acquire token' });
    }
    return { token: result.accessToken, expiresOnMs: result.expiresOn.getTime() };
  }

  return createCachedProvider({
    cache: sharedTokenCache({ authority: authority.url, clientId: options.clientId, resource, credential: credential.fingerprint }),
    fetch: fetchToken,
    resource,
    options,
    secrets: () => credential.secrets,
  });
}
