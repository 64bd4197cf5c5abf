/**
 * The browser leg of the authorization code flow without a browser: the configured user is signed in and consents
 * at once, so tests and local tools can follow a single 302 to obtain a code.
 */
import { randomUUID } from 'node:crypto';
import { header, type EmulatorRequest, type EmulatorResponse } from '../http/types';
import { findApp, opaqueToken, purgeExpired, tenantKind } from './context';
import { entraError, errorResponse, missingParameter, unknownApplication, unknownTenant, type EntraError } from './errors';
import { normaliseResource, parseDelegatedScopes, type DelegatedScopes } from './scopes';
import type { EntraContext, RegisteredApp } from './types';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Registered URIs must match exactly, except that Entra ignores the port of http loopback URIs (native apps listen
 * on a random port). Apps without registered URIs accept any http(s) loopback URI, convenient for local use.
 */
export function isAllowedRedirectUri(app: RegisteredApp, redirectUri: string): boolean {
  const candidate = parseUrl(redirectUri);
  if (!candidate || candidate.hash || !['http:', 'https:'].includes(candidate.protocol)) return false;
  const registered = app.config.redirectUris ?? [];
  if (registered.length === 0) return LOOPBACK_HOSTS.has(candidate.hostname);
  return registered.some((uri) => {
    if (uri === redirectUri) return true;
    const allowed = parseUrl(uri);
    return (
      !!allowed &&
      allowed.protocol === 'http:' &&
      candidate.protocol === 'http:' &&
      LOOPBACK_HOSTS.has(allowed.hostname) &&
      allowed.hostname === candidate.hostname &&
      allowed.pathname === candidate.pathname &&
      allowed.search === candidate.search
    );
  });
}

function readParams(req: EmulatorRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.search);
  const contentType = header(req, 'content-type') ?? '';
  if (req.method === 'POST' && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function deliver(redirectUri: string, mode: string, values: Record<string, string | undefined>): EmulatorResponse {
  const entries = Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (mode === 'form_post') {
    const inputs = entries.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}"/>`).join('');
    const body =
      `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">` +
      `${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form>` +
      '<script>document.forms[0].submit()</script></body></html>';
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache' }, body };
  }
  const target = new URL(redirectUri);
  const encoded = new URLSearchParams(entries);
  if (mode === 'fragment') target.hash = encoded.toString();
  else for (const [name, value] of entries) target.searchParams.append(name, value);
  return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store, no-cache' } };
}

function redirectError(ctx: EntraContext, redirectUri: string, mode: string, state: string | undefined, failure: EntraError) {
  return deliver(redirectUri, mode, {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.message}`,
    error_uri: `${ctx.baseUrl}/error?code=${failure.code}`,
    state,
  });
}

/** v1 names a resource instead of scopes, and always grants a refresh token. */
function requestedScopes(ctx: EntraContext, params: URLSearchParams, version: 'v1' | 'v2'): DelegatedScopes | EntraError {
  if (version === 'v2') {
    const scope = params.get('scope');
    return scope ? parseDelegatedScopes(scope, ctx.tenantId) : missingParameter('scope');
  }
  const resourceParam = params.get('resource');
  if (!resourceParam) return missingParameter('resource');
  const resource = normaliseResource(resourceParam);
  if (!resource) return entraError('invalid_resource', 500011, `The resource principal named ${resourceParam} was not found in the tenant named ${ctx.tenantId}.`);
  return { resource, resourceScopes: ['user_impersonation'], oidcScopes: ['openid', 'offline_access'] };
}

export function handleAuthorize(ctx: EntraContext, req: EmulatorRequest, tenantSegment: string, version: 'v1' | 'v2'): EmulatorResponse {
  if (tenantKind(ctx, tenantSegment) === 'unknown') return errorResponse(ctx, req, unknownTenant(tenantSegment));
  const params = readParams(req);
  const clientId = params.get('client_id');
  if (!clientId) return errorResponse(ctx, req, missingParameter('client_id'));
  const app = findApp(ctx, clientId);
  if (!app) return errorResponse(ctx, req, unknownApplication(clientId, ctx.tenantId));
  const redirectUri = params.get('redirect_uri') ?? app.config.redirectUris?.[0];
  if (!redirectUri) return errorResponse(ctx, req, missingParameter('redirect_uri'));
  // An unverified redirect URI must not receive anything, not even an error: show the error here instead.
  if (!isAllowedRedirectUri(app, redirectUri)) {
    return errorResponse(
      ctx,
      req,
      entraError(
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.config.clientId}'. ` +
          'Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.',
      ),
    );
  }

  const state = params.get('state') ?? undefined;
  const mode = params.get('response_mode') ?? 'query';
  if (!['query', 'fragment', 'form_post'].includes(mode)) {
    return redirectError(ctx, redirectUri, 'query', state, entraError('invalid_request', 900144, `The response_mode '${mode}' is not supported.`));
  }
  const responseType = params.get('response_type');
  if (!responseType) return redirectError(ctx, redirectUri, mode, state, missingParameter('response_type'));
  if (responseType !== 'code') {
    const failure = entraError('unsupported_response_type', 700054, `response_type '${responseType}' is not enabled for the application.`);
    return redirectError(ctx, redirectUri, mode, state, failure);
  }
  const scopes = requestedScopes(ctx, params, version);
  if ('error' in scopes) return redirectError(ctx, redirectUri, mode, state, scopes);

  const codeChallenge = params.get('code_challenge') ?? undefined;
  const method = params.get('code_challenge_method') ?? (codeChallenge ? 'plain' : undefined);
  if (method !== undefined && (method !== 'plain' && method !== 'S256')) {
    return redirectError(ctx, redirectUri, mode, state, entraError('invalid_request', 9002313, `Invalid request. The code_challenge_method '${method}' is not supported; use S256 or plain.`));
  }
  if (method === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge ?? '')) {
    return redirectError(ctx, redirectUri, mode, state, entraError('invalid_request', 9002313, 'Invalid request. The code_challenge is not a base64url SHA-256 digest.'));
  }

  const hint = params.get('login_hint')?.toLowerCase();
  const user = ctx.users.find((candidate) => candidate.userPrincipalName.toLowerCase() === hint) ?? ctx.users[0];
  if (!user) return redirectError(ctx, redirectUri, mode, state, entraError('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'));

  purgeExpired(ctx);
  const code = `1.emu.${opaqueToken(48)}`;
  ctx.codes.set(code, {
    clientId: app.config.clientId,
    redirectUri,
    userId: user.id,
    resource: scopes.resource,
    resourceScopes: scopes.resourceScopes,
    oidcScopes: scopes.oidcScopes,
    codeChallenge,
    codeChallengeMethod: method as 'plain' | 'S256' | undefined,
    nonce: params.get('nonce') ?? undefined,
    expiresAtMs: ctx.nowMs() + ctx.authorizationCodeLifetimeSeconds * 1000,
    redeemed: false,
  });
  return deliver(redirectUri, mode, { code, state, session_state: randomUUID() });
}
