/**
 * Access tokens look like the v1.0 tokens Dataverse receives from Entra (issuer sts.windows.net, appid, scp/roles),
 * so code that inspects claims behaves as it will against the real service.
 */
import { randomUUID, createHash } from 'node:crypto';
import { issueMark, stableGuid, v1Issuer, v2Issuer } from './context';
import { numericClaim, parseJsonPart, signRs256, stringClaim, verifySignature, type JsonObject } from './jwt';
import { normaliseResource } from './scopes';
import type { EntraContext, EntraUserConfig, RegisteredApp } from './types';

export type ClientAuthMethod = 'none' | 'secret' | 'certificate';

export type TokenSubject =
  | { kind: 'app'; app: RegisteredApp; authMethod: ClientAuthMethod }
  | { kind: 'user'; app: RegisteredApp; authMethod: ClientAuthMethod; user: EntraUserConfig; resourceScopes: string[] };

export interface MintedToken {
  token: string;
  claims: JsonObject;
  expiresIn: number;
}

export type AccessTokenFailureReason =
  | 'malformed'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'not_yet_valid'
  | 'expired'
  | 'revoked';

export type VerifyResult =
  | { ok: true; claims: JsonObject }
  | { ok: false; error: 'invalid_token'; reason: AccessTokenFailureReason; description: string };

const APP_ACR: Record<ClientAuthMethod, string> = { none: '0', secret: '1', certificate: '2' };

export function appObjectId(app: RegisteredApp): string {
  return app.config.applicationUserId ?? stableGuid(`app:${app.config.clientId.toLowerCase()}`);
}

/** Entra's sub is pairwise: the same user looks different to each client. */
function pairwiseSubject(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId.toLowerCase()}|${clientId.toLowerCase()}`).digest('base64url').slice(0, 43);
}

function sign(ctx: EntraContext, claims: JsonObject): string {
  return signRs256({ typ: 'JWT', x5t: ctx.signingKey.kid, kid: ctx.signingKey.kid }, claims, ctx.signingKey.privateKey);
}

function timeClaims(ctx: EntraContext, lifetimeSeconds: number) {
  const iat = Math.floor(ctx.nowMs() / 1000);
  return { iat, nbf: iat, exp: iat + lifetimeSeconds };
}

export function mintAccessToken(ctx: EntraContext, subject: TokenSubject, resource: string): MintedToken {
  const uti = randomUUID().replace(/-/g, '').slice(0, 22);
  const clientId = subject.app.config.clientId;
  const common = {
    aud: resource,
    iss: v1Issuer(ctx),
    ...timeClaims(ctx, ctx.tokenLifetimeSeconds),
    appid: clientId,
    appidacr: APP_ACR[subject.authMethod],
    azp: clientId,
    azpacr: APP_ACR[subject.authMethod],
    tid: ctx.tenantId,
    uti,
    ver: '1.0',
  };
  let claims: JsonObject;
  if (subject.kind === 'app') {
    const oid = appObjectId(subject.app);
    const roles = subject.app.config.roles ?? [];
    claims = { ...common, idp: v1Issuer(ctx), idtyp: 'app', oid, sub: oid, ...(roles.length ? { roles } : {}) };
  } else {
    const { user } = subject;
    claims = {
      ...common,
      acr: '1',
      amr: ['pwd'],
      idtyp: 'user',
      ipaddr: '127.0.0.1',
      name: user.displayName,
      oid: user.id,
      scp: subject.resourceScopes.join(' '),
      sub: pairwiseSubject(user.id, clientId),
      unique_name: user.userPrincipalName,
      upn: user.userPrincipalName,
    };
  }
  ctx.issuedByUti.set(uti, issueMark(ctx));
  return { token: sign(ctx, claims), claims, expiresIn: ctx.tokenLifetimeSeconds };
}

export function mintIdToken(ctx: EntraContext, app: RegisteredApp, user: EntraUserConfig, oidcScopes: string[], nonce?: string): string {
  return sign(ctx, {
    aud: app.config.clientId,
    iss: v2Issuer(ctx),
    ...timeClaims(ctx, ctx.tokenLifetimeSeconds),
    name: user.displayName,
    ...(nonce ? { nonce } : {}),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    ...(oidcScopes.includes('email') ? { email: user.userPrincipalName } : {}),
    sub: pairwiseSubject(user.id, app.config.clientId),
    tid: ctx.tenantId,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
    ver: '2.0',
  });
}

/** Marks everything issued so far to a user (id or UPN) or a client id as revoked. */
export function revokeTokensFor(ctx: EntraContext, subjectOrClientId: string): void {
  ctx.revocations.set(subjectOrClientId.toLowerCase(), issueMark(ctx));
}

/** `issued.seq` is absent for tokens this instance has forgotten; their iat (seconds) is compared instead. */
export function isRevoked(ctx: EntraContext, keys: (string | undefined)[], issued: { ms: number; seq?: number }): string | undefined {
  for (const key of keys) {
    if (!key) continue;
    const revocation = ctx.revocations.get(key.toLowerCase());
    if (!revocation) continue;
    if (issued.seq !== undefined ? issued.seq < revocation.seq : issued.ms < revocation.ms) return key;
  }
  return undefined;
}

function audienceKey(value: string): string {
  return (normaliseResource(value) ?? value.replace(/\/+$/, '')).toLowerCase();
}

function failure(reason: AccessTokenFailureReason, description: string): VerifyResult {
  return { ok: false, error: 'invalid_token', reason, description };
}

/** What a resource server (the Dataverse emulator) does with a bearer token. Descriptions never quote the token. */
export function verifyAccessToken(ctx: EntraContext, token: string, expectedAudience: string): VerifyResult {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return failure('malformed', 'The token is malformed: not a compact JWS (expected three dot-separated parts).');
  const header = parseJsonPart(parts[0]);
  if (!header) return failure('malformed', 'The token is malformed: the header is not base64url-encoded JSON.');
  // The signature is checked before the payload is parsed, so any edit to the payload reads as tampering.
  const signed = { signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  if (header.alg !== 'RS256' || header.kid !== ctx.signingKey.kid || !verifySignature('RS256', signed, ctx.signingKey.publicKey)) {
    return failure('bad_signature', 'The token has a bad signature: it was not signed by this emulator or was altered.');
  }
  const payload = parseJsonPart(parts[1]);
  if (!payload) return failure('malformed', 'The token is malformed: the payload is not base64url-encoded JSON.');
  const iss = stringClaim(payload, 'iss');
  if (iss !== v1Issuer(ctx)) return failure('wrong_issuer', `The token issuer '${iss ?? ''}' is not '${v1Issuer(ctx)}'.`);
  const aud = stringClaim(payload, 'aud');
  if (!aud || audienceKey(aud) !== audienceKey(expectedAudience)) {
    return failure('wrong_audience', `The token has the wrong audience '${aud ?? ''}'; expected '${expectedAudience}'.`);
  }
  const nowSeconds = ctx.nowMs() / 1000;
  const nbf = numericClaim(payload, 'nbf');
  const exp = numericClaim(payload, 'exp');
  if (nbf === undefined || exp === undefined) return failure('malformed', 'The token is malformed: nbf or exp is missing.');
  if (nowSeconds < nbf) return failure('not_yet_valid', `The token is not yet valid (nbf ${new Date(nbf * 1000).toISOString()}).`);
  if (nowSeconds >= exp) return failure('expired', `The token is expired (exp ${new Date(exp * 1000).toISOString()}).`);
  const uti = stringClaim(payload, 'uti');
  const issued = (uti ? ctx.issuedByUti.get(uti) : undefined) ?? { ms: (numericClaim(payload, 'iat') ?? 0) * 1000 };
  const revokedFor = isRevoked(
    ctx,
    ['oid', 'sub', 'appid', 'upn'].map((name) => stringClaim(payload, name)),
    issued,
  );
  if (revokedFor) return failure('revoked', `The token was revoked: tokens issued to '${revokedFor}' before the revocation are refused.`);
  return { ok: true, claims: payload };
}
