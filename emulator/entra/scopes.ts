/**
 * Scope strings name a resource (the Dataverse environment URL, which becomes the token audience) plus a permission.
 * Entra accepts one resource per token request, so both parsers insist on exactly one.
 */
import { entraError, type EntraError } from './errors';

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface DelegatedScopes {
  /** Normalised resource URL: lower-case scheme and host, no trailing slash. */
  resource: string;
  /** Permission names on the resource; `.default` is granted as user_impersonation (Dataverse's only one). */
  resourceScopes: string[];
  oidcScopes: string[];
}

export function normaliseResource(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) return undefined;
  if (url.pathname.replace(/\/+$/, '') !== '') return undefined;
  return url.origin;
}

function invalidScope(scope: string): EntraError {
  return entraError(
    'invalid_scope',
    70011,
    `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  );
}

function resourceNotFound(resource: string, tenantId: string): EntraError {
  return entraError(
    'invalid_resource',
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if the ` +
      'application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
      'You might have sent your authentication request to the wrong tenant.',
  );
}

function splitScopeList(raw: string): string[] {
  return raw.split(/\s+/).filter(Boolean);
}

function splitResourceScope(scope: string, tenantId: string): { resource: string; name: string } | EntraError {
  const slash = scope.lastIndexOf('/');
  if (slash <= 'https://'.length || !/^https:\/\//i.test(scope)) return invalidScope(scope);
  const name = scope.slice(slash + 1);
  const resource = normaliseResource(scope.slice(0, slash));
  if (!name) return invalidScope(scope);
  if (!resource) return resourceNotFound(scope.slice(0, slash), tenantId);
  return { resource, name };
}

/** client_credentials: exactly `<resource>/.default`. */
export function parseClientCredentialsScope(raw: string, tenantId: string): { resource: string } | EntraError {
  const scopes = splitScopeList(raw);
  if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
    return entraError(
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. ` +
        `The scope ${raw} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const parsed = splitResourceScope(scopes[0], tenantId);
  return 'error' in parsed ? parsed : { resource: parsed.resource };
}

export function parseDelegatedScopes(raw: string, tenantId: string): DelegatedScopes | EntraError {
  const oidcScopes: string[] = [];
  const resourceScopes: string[] = [];
  let resource: string | undefined;
  for (const scope of splitScopeList(raw)) {
    if (OIDC_SCOPES.has(scope.toLowerCase())) {
      if (!oidcScopes.includes(scope.toLowerCase())) oidcScopes.push(scope.toLowerCase());
      continue;
    }
    const parsed = splitResourceScope(scope, tenantId);
    if ('error' in parsed) return parsed;
    if (resource && resource !== parsed.resource) {
      return entraError('invalid_scope', 28000, 'Provided value for the input parameter scope is not valid because it contains more than one resource.');
    }
    resource = parsed.resource;
    const name = parsed.name === '.default' ? 'user_impersonation' : parsed.name;
    if (!resourceScopes.includes(name)) resourceScopes.push(name);
  }
  if (!resource) return invalidScope(raw || "''");
  return { resource, resourceScopes, oidcScopes };
}

/** The scope string of a token response: granted resource permissions, then the OIDC scopes that were asked for. */
export function grantedScopeString(scopes: Pick<DelegatedScopes, 'resource' | 'resourceScopes' | 'oidcScopes'>): string {
  return [...scopes.resourceScopes.map((name) => `${scopes.resource}/${name}`), ...scopes.oidcScopes].join(' ');
}
