/**
 * Microsoft Entra ID (Azure AD v2.0 and the v1 endpoints Dataverse-era clients still use) as pure request
 * handlers: discovery, JWKS, authorize (auto sign-in and consent) and token, plus access-token validation for the
 * Dataverse emulator.
 */
import type { EmulatorHandler, EmulatorRequest, EmulatorResponse } from '../http/types';
import { isAllowedRedirectUri, handleAuthorize } from './authorize';
import { createContext, findApp, tenantKind } from './context';
import { instanceDiscovery, jwksResponse, openIdConfiguration, signingJwks } from './discovery';
import { entraError, errorResponse, unknownTenant } from './errors';
import { handleToken } from './token-endpoint';
import { appObjectId, mintAccessToken, revokeTokensFor, verifyAccessToken, type VerifyResult } from './tokens';
import type { EntraConfig, EntraContext } from './types';

export type { EntraAppConfig, EntraConfig, EntraUserConfig } from './types';
export type { AccessTokenFailureReason, VerifyResult } from './tokens';
export { isAllowedRedirectUri } from './authorize';

export interface Entra {
  handle: EmulatorHandler;
  /** Validates a bearer token as Dataverse would: signature, issuer, audience, nbf/exp (no skew), revocation. */
  verifyAccessToken(token: string, expectedAudience: string): VerifyResult;
  /** Refuses every token and refresh token issued so far to this user (id or UPN), app-only subject or client id. */
  revokeTokensFor(subjectOrClientId: string): void;
  signingJwks: ReturnType<typeof signingJwks>;
  /** Token endpoint and authority as clients should configure them. */
  authority: string;
  tokenEndpoint: string;
  /** `WWW-Authenticate` value Dataverse sends with a 401, pointing clients at this emulator. */
  bearerChallenge(resource: string): string;
  /** App-only token without an HTTP round trip (for tests of other emulator parts). */
  issueAppToken(clientId: string, resource: string): string;
  /** oid of the app-only tokens of a client: its applicationUserId or the stable GUID derived from the client id. */
  applicationUserIdFor(clientId: string): string;
}

type Route = (ctx: EntraContext, req: EmulatorRequest, tenant: string) => EmulatorResponse;

const ROUTES: Record<string, { method: 'GET' | 'POST' | 'GET_POST'; route: Route }> = {
  'v2.0/.well-known/openid-configuration': { method: 'GET', route: (ctx, req, tenant) => openIdConfiguration(ctx, req, tenant, 'v2') },
  '.well-known/openid-configuration': { method: 'GET', route: (ctx, req, tenant) => openIdConfiguration(ctx, req, tenant, 'v1') },
  'discovery/v2.0/keys': { method: 'GET', route: jwksResponse },
  'discovery/keys': { method: 'GET', route: jwksResponse },
  'discovery/instance': { method: 'GET', route: (ctx, req) => instanceDiscovery(ctx, req) },
  'oauth2/v2.0/token': { method: 'POST', route: (ctx, req, tenant) => handleToken(ctx, req, tenant, 'v2') },
  'oauth2/token': { method: 'POST', route: (ctx, req, tenant) => handleToken(ctx, req, tenant, 'v1') },
  'oauth2/v2.0/authorize': { method: 'GET_POST', route: (ctx, req, tenant) => handleAuthorize(ctx, req, tenant, 'v2') },
  'oauth2/authorize': { method: 'GET_POST', route: (ctx, req, tenant) => handleAuthorize(ctx, req, tenant, 'v1') },
  'oauth2/v2.0/logout': { method: 'GET_POST', route: logout },
  'oauth2/logout': { method: 'GET_POST', route: logout },
};

/** Sessions are not kept, so sign-out only sends the browser back (to a URI an app may use as redirect). */
function logout(ctx: EntraContext, req: EmulatorRequest, tenant: string): EmulatorResponse {
  if (tenantKind(ctx, tenant) === 'unknown') return errorResponse(ctx, req, unknownTenant(tenant));
  const target = req.url.searchParams.get('post_logout_redirect_uri');
  const allowed = target && [...ctx.apps.values()].some((app) => isAllowedRedirectUri(app, target));
  if (!target || !allowed) {
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body>You signed out of your account.</body></html>' };
  }
  const url = new URL(target);
  const state = req.url.searchParams.get('state');
  if (state) url.searchParams.set('state', state);
  return { status: 302, headers: { location: url.toString() } };
}

function methodAllowed(allowed: 'GET' | 'POST' | 'GET_POST', method: string): boolean {
  return allowed === 'GET_POST' ? method === 'GET' || method === 'POST' : method === allowed;
}

export function createEntra(config: EntraConfig): Entra {
  const ctx = createContext(config);

  const handle: EmulatorHandler = async (req) => {
    const segments = req.url.pathname.split('/').filter(Boolean);
    if (segments.length < 2) return undefined;
    const [tenant, ...rest] = segments;
    const entry = ROUTES[rest.join('/')];
    if (!entry) return undefined;
    if (req.method === 'OPTIONS') {
      return { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': '*' } };
    }
    if (!methodAllowed(entry.method, req.method)) {
      const expected = entry.method === 'GET_POST' ? 'GET or POST' : entry.method;
      return errorResponse(ctx, req, entraError('invalid_request', 900561, `The endpoint only accepts ${expected} requests. Received a ${req.method} request.`, 405));
    }
    return entry.route(ctx, req, tenant);
  };

  const authority = `${ctx.baseUrl}/${ctx.tenantId}`;
  return {
    handle,
    verifyAccessToken: (token, expectedAudience) => verifyAccessToken(ctx, token, expectedAudience),
    revokeTokensFor: (subjectOrClientId) => revokeTokensFor(ctx, subjectOrClientId),
    signingJwks: signingJwks(ctx),
    authority,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    bearerChallenge: (resource) => `Bearer authorization_uri=${authority}/oauth2/authorize, resource_id=${resource}`,
    issueAppToken(clientId, resource) {
      const app = findApp(ctx, clientId);
      if (!app) throw new Error(`unknown client id ${clientId}`);
      return mintAccessToken(ctx, { kind: 'app', app, authMethod: 'secret' }, resource.replace(/\/+$/, '')).token;
    },
    applicationUserIdFor(clientId) {
      const app = findApp(ctx, clientId);
      if (!app) throw new Error(`unknown client id ${clientId}`);
      return appObjectId(app);
    },
  };
}
