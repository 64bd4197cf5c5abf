/** OpenID discovery, instance discovery and JWKS: what MSAL and token validators fetch before anything else. */
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from '../http/types';
import { tenantKind, v1Issuer, v2Issuer } from './context';
import { errorResponse, unknownTenant } from './errors';
import type { EntraContext } from './types';

const CACHEABLE = { 'cache-control': 'max-age=86400, private', 'access-control-allow-origin': '*' };

export function signingJwks(ctx: EntraContext) {
  const jwk = ctx.signingKey.publicKey.export({ format: 'jwk' });
  return {
    keys: [
      {
        kty: 'RSA',
        use: 'sig',
        kid: ctx.signingKey.kid,
        x5t: ctx.signingKey.kid,
        n: jwk.n,
        e: jwk.e,
        x5c: [ctx.signingKey.certDerBase64],
        issuer: v2Issuer(ctx),
      },
    ],
  };
}

/**
 * For a tenant id the issuer is concrete; for common/organizations Entra publishes the `{tenantid}` template and
 * validators substitute the tid claim.
 */
function issuers(ctx: EntraContext, tenantSegment: string): { v1: string; v2: string } {
  if (tenantKind(ctx, tenantSegment) === 'tenant') return { v1: v1Issuer(ctx), v2: v2Issuer(ctx) };
  return { v1: 'https://sts.windows.net/{tenantid}/', v2: `${ctx.baseUrl}/{tenantid}/v2.0` };
}

export function openIdConfiguration(ctx: EntraContext, req: EmulatorRequest, tenantSegment: string, version: 'v1' | 'v2'): EmulatorResponse {
  if (tenantKind(ctx, tenantSegment) === 'unknown') return errorResponse(ctx, req, unknownTenant(tenantSegment, 'invalid_tenant'));
  const base = `${ctx.baseUrl}/${tenantSegment}`;
  const oauth = version === 'v2' ? `${base}/oauth2/v2.0` : `${base}/oauth2`;
  const claims = ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'oid', 'tid', 'preferred_username', 'upn', 'nonce', 'email', 'ver'];
  return jsonResponse(
    200,
    {
      token_endpoint: `${oauth}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: version === 'v2' ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: issuers(ctx, tenantSegment)[version],
      request_uri_parameter_supported: false,
      authorization_endpoint: `${oauth}/authorize`,
      end_session_endpoint: `${oauth}/logout`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      claims_supported: claims,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['plain', 'S256'],
      tenant_region_scope: 'WW',
      cloud_instance_name: ctx.host,
    },
    CACHEABLE,
  );
}

/**
 * Instance discovery: MSAL calls it for authorities it does not know. Every alias is the emulator itself, so
 * tokens cached for it are never confused with a real cloud's.
 */
export function instanceDiscovery(ctx: EntraContext, req: EmulatorRequest): EmulatorResponse {
  let tenant = 'common';
  const endpoint = req.url.searchParams.get('authorization_endpoint');
  if (endpoint) {
    try {
      tenant = new URL(endpoint).pathname.split('/').filter(Boolean)[0] ?? tenant;
    } catch {
      // keep common
    }
  }
  return jsonResponse(
    200,
    {
      tenant_discovery_endpoint: `${ctx.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: ctx.host, preferred_cache: ctx.host, aliases: [ctx.host] }],
    },
    CACHEABLE,
  );
}

export function jwksResponse(ctx: EntraContext, req: EmulatorRequest, tenantSegment: string): EmulatorResponse {
  if (tenantKind(ctx, tenantSegment) === 'unknown') return errorResponse(ctx, req, unknownTenant(tenantSegment, 'invalid_tenant'));
  return jsonResponse(200, signingJwks(ctx), CACHEABLE);
}
