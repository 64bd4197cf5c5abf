import * as crypto from 'node:crypto';
import { createSelfSignedCertificate } from '../tls/certificates';
import type { EntraConfig, EntraContext, IssueMark, RegisteredApp, RegisteredCertificate, SigningKey, TenantKind } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function describeRegisteredCertificate(pem: string): RegisteredCertificate {
  const x509 = new crypto.X509Certificate(pem);
  const digest = (algorithm: string) => crypto.createHash(algorithm).update(x509.raw).digest('base64url');
  return { x509, publicKey: x509.publicKey, x5t: digest('sha1'), x5tS256: digest('sha256') };
}

/** A fresh RS256 key per emulator start, published with a self-signed certificate like Entra's JWKS entries. */
function createSigningKey(): SigningKey {
  const { certPem, keyPem } = createSelfSignedCertificate('Dynamics 365 Emulator token signing', { keyAlgorithm: 'rsa' });
  const registered = describeRegisteredCertificate(certPem);
  return {
    privateKey: crypto.createPrivateKey(keyPem),
    publicKey: registered.publicKey,
    kid: registered.x5t,
    certDerBase64: registered.x509.raw.toString('base64'),
  };
}

export function createContext(config: EntraConfig): EntraContext {
  if (!GUID.test(config.tenantId)) throw new Error(`tenantId must be a GUID, got '${config.tenantId}'`);
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const apps = new Map<string, RegisteredApp>();
  for (const app of config.apps) {
    apps.set(app.clientId.toLowerCase(), { config: app, certificates: (app.certificates ?? []).map(describeRegisteredCertificate) });
  }
  const now = config.now ?? Date.now;
  return {
    baseUrl,
    host: new URL(baseUrl).host,
    tenantId: config.tenantId.toLowerCase(),
    apps,
    users: config.users,
    tokenLifetimeSeconds: config.tokenLifetimeSeconds ?? 3600,
    refreshTokenLifetimeSeconds: config.refreshTokenLifetimeSeconds ?? 90 * 86400,
    authorizationCodeLifetimeSeconds: config.authorizationCodeLifetimeSeconds ?? 600,
    nowMs: () => now(),
    signingKey: createSigningKey(),
    codes: new Map(),
    refreshTokens: new Map(),
    revocations: new Map(),
    issuedByUti: new Map(),
    sequence: { next: 1 },
  };
}

export function tenantKind(ctx: EntraContext, segment: string): TenantKind {
  const lower = segment.toLowerCase();
  if (lower === ctx.tenantId) return 'tenant';
  if (lower === 'common' || lower === 'organizations') return lower;
  return 'unknown';
}

export function findApp(ctx: EntraContext, clientId: string): RegisteredApp | undefined {
  return ctx.apps.get(clientId.toLowerCase());
}

/** A deterministic GUID (version-5 layout) so app-only tokens keep the same oid across restarts. */
export function stableGuid(seed: string): string {
  const bytes = crypto.createHash('sha256').update(seed).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function issueMark(ctx: EntraContext): IssueMark {
  return { ms: ctx.nowMs(), seq: ctx.sequence.next++ };
}

export const opaqueToken = (bytes = 32): string => crypto.randomBytes(bytes).toString('base64url');

export function v1Issuer(ctx: EntraContext): string {
  return `https://sts.windows.net/${ctx.tenantId}/`;
}

export function v2Issuer(ctx: EntraContext): string {
  return `${ctx.baseUrl}/${ctx.tenantId}/v2.0`;
}

/** Drops expired codes and refresh tokens so a long-running sandbox does not grow without bound. */
export function purgeExpired(ctx: EntraContext): void {
  const now = ctx.nowMs();
  for (const [code, record] of ctx.codes) if (record.expiresAtMs <= now) ctx.codes.delete(code);
  // Expired refresh tokens linger one more lifetime so their use still gets 'expired' (700082), not 'unknown'.
  const refreshGrace = ctx.refreshTokenLifetimeSeconds * 1000;
  for (const [token, record] of ctx.refreshTokens) if (record.expiresAtMs + refreshGrace <= now) ctx.refreshTokens.delete(token);
  const oldest = now - ctx.tokenLifetimeSeconds * 1000;
  for (const [uti, issued] of ctx.issuedByUti) if (issued.ms < oldest) ctx.issuedByUti.delete(uti);
}
