/**
 * private_key_jwt client authentication: the app proves possession of a registered certificate's key by signing
 * a short-lived JWT addressed to the token endpoint.
 */
import * as crypto from 'node:crypto';
import { entraError, type EntraError } from './errors';
import { decodeJwt, numericClaim, stringClaim, verifySignature } from './jwt';
import type { EntraContext, RegisteredApp, RegisteredCertificate } from './types';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const invalidSignature = (reason: string): EntraError =>
  entraError('invalid_client', 700027, `Client assertion contains an invalid signature. [Reason - ${reason}]`);

const invalidAssertion = (detail: string): EntraError =>
  entraError('invalid_client', 50027, `JWT token is invalid or malformed. ${detail}`);

function findCertificate(app: RegisteredApp, header: Record<string, unknown>): RegisteredCertificate | EntraError {
  const { x5t } = header;
  const x5tS256 = header['x5t#S256'];
  const x5c = Array.isArray(header.x5c) && typeof header.x5c[0] === 'string' ? header.x5c[0] : undefined;
  if (typeof x5tS256 === 'string' || typeof x5t === 'string') {
    const found = app.certificates.find((cert) => (typeof x5tS256 === 'string' ? cert.x5tS256 === x5tS256 : cert.x5t === x5t));
    if (found) return found;
    const thumbprint = Buffer.from(String(x5tS256 ?? x5t), 'base64url').toString('hex').toUpperCase();
    return invalidSignature(
      `The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer ` +
        `or directly use MS Graph to see configured keys for app Id '${app.config.clientId}'.`,
    );
  }
  if (x5c) {
    const der = Buffer.from(x5c, 'base64');
    const found = app.certificates.find((cert) => cert.x509.raw.equals(der));
    return found ?? invalidSignature(`The key was not found., the x5c certificate is not registered for app Id '${app.config.clientId}'.`);
  }
  return entraError('invalid_client', 5002723, 'Invalid JWT token. No certificate thumbprint specified in token header.');
}

/** Accepted `aud` values: the v2 and v1 token endpoints, for the tenant id or the path segment used. */
function acceptedAudiences(ctx: EntraContext, tenantSegment: string): string[] {
  const tenants = [...new Set([ctx.tenantId, tenantSegment.toLowerCase()])];
  return tenants.flatMap((tenant) => [`${ctx.baseUrl}/${tenant}/oauth2/v2.0/token`, `${ctx.baseUrl}/${tenant}/oauth2/token`]).map((url) => url.toLowerCase());
}

export function verifyClientAssertion(ctx: EntraContext, app: RegisteredApp, assertion: string, tenantSegment: string): EntraError | undefined {
  const decoded = decodeJwt(assertion);
  if (typeof decoded === 'string') return invalidAssertion(`The client assertion is ${decoded}.`);
  const { header, payload } = decoded;
  if (header.alg !== 'RS256' && header.alg !== 'PS256') {
    return invalidSignature(`The signing algorithm '${String(header.alg)}' is not supported; use RS256 or PS256.`);
  }
  const certificate = findCertificate(app, header);
  if ('error' in certificate) return certificate;
  const nowMs = ctx.nowMs();
  if (Date.parse(certificate.x509.validTo) <= nowMs || Date.parse(certificate.x509.validFrom) > nowMs) {
    return invalidSignature('The key used is expired.');
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa' || !verifySignature(header.alg, decoded, certificate.publicKey)) {
    return invalidSignature('The provided signature value did not match the expected signature value.');
  }

  const clientId = app.config.clientId.toLowerCase();
  const iss = stringClaim(payload, 'iss');
  const sub = stringClaim(payload, 'sub');
  if (iss?.toLowerCase() !== clientId || sub?.toLowerCase() !== clientId) {
    return entraError('invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");
  }
  const aud = stringClaim(payload, 'aud');
  if (!aud || !acceptedAudiences(ctx, tenantSegment).includes(aud.toLowerCase())) {
    return invalidAssertion(`The client assertion audience '${aud ?? ''}' is not the token endpoint '${ctx.baseUrl}/${tenantSegment}/oauth2/v2.0/token'.`);
  }
  if (!stringClaim(payload, 'jti')) return invalidAssertion("The client assertion must contain a 'jti' claim.");
  const exp = numericClaim(payload, 'exp');
  const nbf = numericClaim(payload, 'nbf');
  const nowSeconds = nowMs / 1000;
  if (exp === undefined) return invalidAssertion("The client assertion must contain a numeric 'exp' claim.");
  // MSAL stamps nbf with Math.round(now), up to half a second ahead of the clock: one second of grace for that alone.
  if (exp <= nowSeconds || (nbf !== undefined && nbf > nowSeconds + 1)) {
    const iso = (seconds: number | undefined) => (seconds === undefined ? 'unset' : new Date(seconds * 1000).toISOString());
    return entraError(
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date(nowMs).toISOString()}, ` +
        `assertion valid from ${iso(nbf)}, expiry time of assertion ${iso(exp)}.`,
    );
  }
  return undefined;
}

/** Secrets are compared through fixed-length digests so timing does not reveal a matching prefix. */
export function secretMatches(app: RegisteredApp, presented: string): boolean {
  const digest = (value: string) => crypto.createHash('sha256').update(value, 'utf8').digest();
  const presentedDigest = digest(presented);
  return (app.config.secrets ?? []).some((secret) => crypto.timingSafeEqual(digest(secret), presentedDigest));
}
