/** POST /{tenant}/oauth2/v2.0/token (and the v1 /oauth2/token, which takes `resource` instead of `scope`). */
import { createHash } from 'node:crypto';
import { header, jsonResponse, type EmulatorRequest, type EmulatorResponse } from '../http/types';
import { authenticateClient } from './client-auth';
import { issueMark, opaqueToken, purgeExpired, tenantKind } from './context';
import { correlationId, entraError, errorResponse, malformedRequest, missingParameter, unknownTenant, type EntraError } from './errors';
import { base64url } from './jwt';
import { grantedScopeString, normaliseResource, parseClientCredentialsScope, parseDelegatedScopes, type DelegatedScopes } from './scopes';
import { isRevoked, mintAccessToken, mintIdToken, type ClientAuthMethod, type MintedToken } from './tokens';
import type { EntraContext, EntraUserConfig, RegisteredApp } from './types';

type Version = 'v1' | 'v2';

interface DelegatedGrant {
  app: RegisteredApp;
  authMethod: ClientAuthMethod;
  user: EntraUserConfig;
  scopes: DelegatedScopes;
  nonce?: string;
}

const SUPPORTED_GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];
const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function readForm(req: EmulatorRequest): URLSearchParams {
  const contentType = (header(req, 'content-type') ?? '').toLowerCase();
  // Entra reads only form bodies; JSON bodies look like a request without parameters.
  return contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(req.body.toString('utf8')) : new URLSearchParams();
}

function resourceFromV1(ctx: EntraContext, form: URLSearchParams): string | EntraError | undefined {
  const raw = form.get('resource');
  if (!raw) return undefined;
  return normaliseResource(raw) ?? entraError('invalid_resource', 500011, `The resource principal named ${raw} was not found in the tenant named ${ctx.tenantId}.`);
}

function successResponse(
  ctx: EntraContext,
  req: EmulatorRequest,
  version: Version,
  access: MintedToken,
  extra: { scope?: string; refresh_token?: string; id_token?: string; client_info?: string },
): EmulatorResponse {
  const headers = { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'client-request-id': correlationId(req) };
  const optional = Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined));
  if (version === 'v2') {
    return jsonResponse(
      200,
      { token_type: 'Bearer', ...(optional.scope ? { scope: optional.scope } : {}), expires_in: access.expiresIn, ext_expires_in: access.expiresIn, access_token: access.token, ...optional },
      headers,
    );
  }
  // The v1 endpoint returns numbers as strings and names the resource.
  const claims = access.claims;
  return jsonResponse(
    200,
    {
      token_type: 'Bearer',
      scope: typeof claims.scp === 'string' ? claims.scp : '',
      expires_in: String(access.expiresIn),
      ext_expires_in: String(access.expiresIn),
      expires_on: String(claims.exp),
      not_before: String(claims.nbf),
      resource: claims.aud,
      access_token: access.token,
      ...(optional.refresh_token ? { refresh_token: optional.refresh_token } : {}),
      ...(optional.id_token ? { id_token: optional.id_token } : {}),
    },
    headers,
  );
}

function clientCredentials(ctx: EntraContext, form: URLSearchParams, tenantSegment: string, version: Version, app: RegisteredApp) {
  if (tenantKind(ctx, tenantSegment) !== 'tenant') {
    return entraError(
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials. ' +
        'Use a tenant-specific authority for the client credentials grant.',
    );
  }
  let resource: string;
  if (version === 'v2') {
    const scope = form.get('scope');
    if (!scope) return missingParameter('scope');
    const parsed = parseClientCredentialsScope(scope, ctx.tenantId);
    if ('error' in parsed) return parsed;
    resource = parsed.resource;
  } else {
    const parsed = resourceFromV1(ctx, form);
    if (!parsed) return missingParameter('resource');
    if (typeof parsed !== 'string') return parsed;
    resource = parsed;
  }
  return { resource, app };
}

function checkPkce(challenge: string | undefined, method: string | undefined, verifier: string | null): EntraError | undefined {
  if (!challenge) return undefined;
  if (!verifier) return missingParameter('code_verifier');
  const mismatch = entraError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
  if (!PKCE_VERIFIER.test(verifier)) return mismatch;
  const expected = method === 'S256' ? base64url(createHash('sha256').update(verifier, 'ascii').digest()) : verifier;
  return expected === challenge ? undefined : mismatch;
}

function authorizationCode(ctx: EntraContext, form: URLSearchParams, app: RegisteredApp, authMethod: ClientAuthMethod): DelegatedGrant | EntraError {
  const code = form.get('code');
  if (!code) return missingParameter('code');
  const redirectUri = form.get('redirect_uri');
  if (!redirectUri) return missingParameter('redirect_uri');
  const record = ctx.codes.get(code);
  if (!record || record.expiresAtMs <= ctx.nowMs()) {
    return entraError(
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    );
  }
  if (record.redeemed) {
    return entraError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
  }
  if (record.clientId.toLowerCase() !== app.config.clientId.toLowerCase()) {
    return entraError('invalid_grant', 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client.");
  }
  if (record.redirectUri !== redirectUri) {
    return entraError(
      'invalid_grant',
      500112,
      `The reply address '${redirectUri}' does not match the reply address '${record.redirectUri}' provided when requesting Authorization code.`,
    );
  }
  const pkceFailure = checkPkce(record.codeChallenge, record.codeChallengeMethod, form.get('code_verifier'));
  if (pkceFailure) return pkceFailure;
  const user = ctx.users.find((candidate) => candidate.id === record.userId);
  if (!user) return entraError('invalid_grant', 50034, 'The user account does not exist in the directory.');
  record.redeemed = true;
  return { app, authMethod, user, scopes: record, nonce: record.nonce };
}

function refreshToken(ctx: EntraContext, form: URLSearchParams, version: Version, app: RegisteredApp, authMethod: ClientAuthMethod): DelegatedGrant | EntraError {
  const token = form.get('refresh_token');
  if (!token) return missingParameter('refresh_token');
  const record = ctx.refreshTokens.get(token);
  if (!record) return { ...malformedRequest('The refresh token is not valid.'), error: 'invalid_grant' };
  if (record.clientId.toLowerCase() !== app.config.clientId.toLowerCase()) {
    return entraError('invalid_grant', 70000, 'Provided grant is invalid or malformed. The refresh token was issued to a different client.');
  }
  const issued = new Date(record.issuedAtMs).toISOString();
  if (record.expiresAtMs <= ctx.nowMs()) {
    const days = (record.expiresAtMs - record.issuedAtMs) / 86400_000;
    return entraError(
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${issued} and was inactive for ${days.toFixed(2)} days.`,
    );
  }
  const user = ctx.users.find((candidate) => candidate.id === record.userId);
  if (!user) return entraError('invalid_grant', 50034, 'The user account does not exist in the directory.');
  const revokedFor = isRevoked(ctx, [user.id, user.userPrincipalName, record.clientId], { ms: record.issuedAtMs, seq: record.issuedSeq });
  if (revokedFor) {
    const validFrom = new Date(ctx.revocations.get(revokedFor.toLowerCase())?.ms ?? 0).toISOString();
    return entraError(
      'invalid_grant',
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. ` +
        `The grant was issued on '${issued}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${validFrom}'.`,
    );
  }

  let scopes: DelegatedScopes = { resource: record.resource, resourceScopes: record.resourceScopes, oidcScopes: record.oidcScopes };
  if (version === 'v2' && form.get('scope')) {
    const parsed = parseDelegatedScopes(form.get('scope') ?? '', ctx.tenantId);
    if ('error' in parsed) return parsed;
    // The refresh token already carries offline_access; keep it so the response keeps rotating refresh tokens.
    scopes = { ...parsed, oidcScopes: [...new Set([...parsed.oidcScopes, 'offline_access'])] };
  } else if (version === 'v1') {
    const resource = resourceFromV1(ctx, form);
    if (resource !== undefined && typeof resource !== 'string') return resource;
    if (resource) scopes = { ...scopes, resource, resourceScopes: ['user_impersonation'] };
  }
  return { app, authMethod, user, scopes };
}

function issueDelegated(ctx: EntraContext, req: EmulatorRequest, form: URLSearchParams, version: Version, grant: DelegatedGrant): EmulatorResponse {
  const { app, user, scopes } = grant;
  const access = mintAccessToken(ctx, { kind: 'user', app, authMethod: grant.authMethod, user, resourceScopes: scopes.resourceScopes }, scopes.resource);
  let refresh: string | undefined;
  if (scopes.oidcScopes.includes('offline_access')) {
    refresh = `1.emu.${opaqueToken(64)}`;
    const mark = issueMark(ctx);
    ctx.refreshTokens.set(refresh, {
      clientId: app.config.clientId,
      userId: user.id,
      resource: scopes.resource,
      resourceScopes: scopes.resourceScopes,
      oidcScopes: scopes.oidcScopes,
      issuedAtMs: mark.ms,
      issuedSeq: mark.seq,
      expiresAtMs: mark.ms + ctx.refreshTokenLifetimeSeconds * 1000,
    });
  }
  const idToken = scopes.oidcScopes.includes('openid') ? mintIdToken(ctx, app, user, scopes.oidcScopes, grant.nonce) : undefined;
  // MSAL asks for client_info=1 and builds its account key (uid.utid) from it.
  const clientInfo = form.get('client_info') === '1' ? base64url(JSON.stringify({ uid: user.id, utid: ctx.tenantId })) : undefined;
  return successResponse(ctx, req, version, access, { scope: grantedScopeString(scopes), refresh_token: refresh, id_token: idToken, client_info: clientInfo });
}

export function handleToken(ctx: EntraContext, req: EmulatorRequest, tenantSegment: string, version: Version): EmulatorResponse {
  if (tenantKind(ctx, tenantSegment) === 'unknown') return errorResponse(ctx, req, unknownTenant(tenantSegment));
  purgeExpired(ctx);
  const form = readForm(req);
  const grantType = form.get('grant_type');
  if (!grantType) return errorResponse(ctx, req, missingParameter('grant_type'));
  if (!SUPPORTED_GRANTS.includes(grantType)) {
    return errorResponse(ctx, req, entraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`));
  }
  const client = authenticateClient(ctx, req, form, tenantSegment, grantType === 'client_credentials', grantType);
  if ('error' in client) return errorResponse(ctx, req, client);

  if (grantType === 'client_credentials') {
    const target = clientCredentials(ctx, form, tenantSegment, version, client.app);
    if ('error' in target) return errorResponse(ctx, req, target);
    const access = mintAccessToken(ctx, { kind: 'app', app: client.app, authMethod: client.method }, target.resource);
    return successResponse(ctx, req, version, access, {});
  }
  const grant =
    grantType === 'authorization_code'
      ? authorizationCode(ctx, form, client.app, client.method)
      : refreshToken(ctx, form, version, client.app, client.method);
  if ('error' in grant) return errorResponse(ctx, req, grant);
  return issueDelegated(ctx, req, form, version, grant);
}
