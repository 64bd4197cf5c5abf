/**
 * Where tokens come from: `https://<login host>/<tenant>`, from a full authority URL (the emulator, a proxy) or from
 * a tenant id plus a cloud or login host. Also the metadata MSAL would otherwise download, so that acquiring a token
 * sends exactly one request: the token request itself.
 */
import { D365Error } from '../http/errors';
import { CLOUDS, cloudForResourceHost, isAuthorityHostOf, isCloudName, type CloudName, type NationalCloud } from './clouds';

export interface AuthorityOptions {
  /** Directory (tenant) id or verified domain; not needed when authorityUrl names it. */
  tenantId?: string;
  /** National cloud; default: the cloud of the environment URL, else public. */
  cloud?: CloudName;
  /** Login host, e.g. `login.microsoftonline.us` (overrides cloud). */
  authorityHost?: string;
  /** Full authority, e.g. `https://127.0.0.1:8443/<tenant>` (overrides everything else). */
  authorityUrl?: string;
}

export interface Authority {
  /** `https://host[:port]/<tenant>`, no trailing slash. */
  url: string;
  origin: string;
  /** host[:port] */
  host: string;
  tenant: string;
  tokenEndpoint: string;
}

function configError(message: string): D365Error {
  return new D365Error(message, { code: 'InvalidAuthConfiguration' });
}

function fromUrl(authorityUrl: string): Authority {
  let url: URL;
  try {
    url = new URL(authorityUrl.trim());
  } catch {
    throw configError(`The authority '${authorityUrl}' is not a URL; use https://<login host>/<tenant id>.`);
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (url.protocol !== 'https:' || segments.length !== 1 || url.search || url.hash) {
    throw configError(`The authority '${url.origin}${url.pathname}' must have the form https://<login host>/<tenant id>.`);
  }
  return make(url.origin, segments[0]);
}

function make(origin: string, tenant: string): Authority {
  const url = `${origin}/${tenant}`;
  return { url, origin, host: new URL(origin).host, tenant, tokenEndpoint: `${url}/oauth2/v2.0/token` };
}

function hostOf(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '');
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    if (url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '')) throw new Error('not a host');
    return url.host;
  } catch {
    throw configError(`The login host '${value}' is not a host name; use e.g. login.microsoftonline.us.`);
  }
}

/** Catches the usual national-cloud mistake before Entra answers with a confusing "tenant not found". */
function checkCloudMatches(authority: Authority, resourceCloud: NationalCloud | undefined, resourceHost: string): void {
  if (!resourceCloud) return;
  const authorityCloud = Object.values(CLOUDS).find((cloud) => isAuthorityHostOf(cloud, authority.host));
  if (!authorityCloud || isAuthorityHostOf(resourceCloud, authority.host)) return;
  throw configError(
    `The environment ${resourceHost} is in the '${resourceCloud.name}' cloud, whose tokens come from ${resourceCloud.authorityHost}, ` +
      `but the login host is ${authority.host}. Choose the '${resourceCloud.name}' cloud or correct the environment URL.`,
  );
}

export function resolveAuthority(options: AuthorityOptions, resourceOrigin: string): Authority {
  const resourceHost = new URL(resourceOrigin).hostname;
  const resourceCloud = cloudForResourceHost(resourceHost);
  let authority: Authority;
  if (options.authorityUrl) {
    authority = fromUrl(options.authorityUrl);
    if (options.tenantId && options.tenantId.toLowerCase() !== authority.tenant.toLowerCase()) {
      throw configError(`The tenant id '${options.tenantId}' differs from the tenant of the authority URL '${authority.url}'.`);
    }
  } else {
    const tenant = options.tenantId?.trim();
    if (!tenant || /[/?#\s]/.test(tenant)) {
      throw configError('A tenant (directory) id is required: the GUID shown on the app registration overview, or a verified domain.');
    }
    if (options.cloud !== undefined && !isCloudName(options.cloud)) {
      throw configError(`Unknown cloud '${String(options.cloud)}'; use one of ${Object.keys(CLOUDS).join(', ')}.`);
    }
    const host = options.authorityHost
      ? hostOf(options.authorityHost)
      : CLOUDS[options.cloud ?? resourceCloud?.name ?? 'public'].authorityHost;
    authority = make(`https://${host}`, tenant);
  }
  checkCloudMatches(authority, resourceCloud, resourceHost);
  return authority;
}

export interface MsalOfflineMetadata {
  knownAuthorities: string[];
  authorityMetadata: string;
  cloudDiscoveryMetadata: string;
}

/**
 * The OpenID configuration and instance discovery answers MSAL would fetch, built from the authority itself (their
 * content is fixed by the v2.0 endpoint layout), so no discovery request leaves the machine or waits on the network.
 */
export function msalOfflineMetadata(authority: Authority): MsalOfflineMetadata {
  const oauth = `${authority.url}/oauth2/v2.0`;
  const authorityMetadata = {
    token_endpoint: `${oauth}/token`,
    authorization_endpoint: `${oauth}/authorize`,
    end_session_endpoint: `${oauth}/logout`,
    issuer: `${authority.url}/v2.0`,
    jwks_uri: `${authority.url}/discovery/v2.0/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code'],
  };
  const cloudDiscoveryMetadata = {
    tenant_discovery_endpoint: `${authority.url}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: authority.host, preferred_cache: authority.host, aliases: [authority.host] }],
  };
  return {
    knownAuthorities: [authority.host],
    authorityMetadata: JSON.stringify(authorityMetadata),
    cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadata),
  };
}
