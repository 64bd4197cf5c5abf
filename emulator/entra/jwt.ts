/** Compact JWS (RFC 7515) for the two algorithms Entra uses with certificates: RS256 and PS256. */
import * as crypto from 'node:crypto';

export type JsonObject = Record<string, unknown>;

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  signingInput: string;
  signature: Buffer;
}

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export function parseJsonPart(part: string): JsonObject | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Returns a reason string instead of throwing, so callers can turn it into their own error shape. */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'not a compact JWS (expected three dot-separated parts)';
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = parseJsonPart(headerPart);
  if (!header) return 'the header is not base64url-encoded JSON';
  const payload = parseJsonPart(payloadPart);
  if (!payload) return 'the payload is not base64url-encoded JSON';
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) return 'the signature is not base64url';
  return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, 'base64url') };
}

export function signRs256(header: JsonObject, payload: JsonObject, privateKey: crypto.KeyObject): string {
  const signingInput = `${base64url(JSON.stringify({ ...header, alg: 'RS256' }))}.${base64url(JSON.stringify(payload))}`;
  const signature = crypto.sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

export function verifySignature(alg: unknown, jwt: Pick<DecodedJwt, 'signingInput' | 'signature'>, publicKey: crypto.KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  try {
    if (alg === 'RS256') return crypto.verify('sha256', data, publicKey, jwt.signature);
    if (alg === 'PS256') {
      // JWA (RFC 7518 section 3.5): MGF1 with SHA-256 and a salt as long as the hash.
      return crypto.verify(
        'sha256',
        data,
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST },
        jwt.signature,
      );
    }
  } catch {
    return false;
  }
  return false;
}

/** Numeric-date claims must be numbers; strings or missing values count as absent. */
export function numericClaim(payload: JsonObject, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringClaim(payload: JsonObject, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
