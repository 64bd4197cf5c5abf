/**
 * Scrubs credentials out of text before it leaves the client in an error message or an event. It runs on every
 * D365Error message and every event, so a secret that slipped into a service message, a URL or a cause never reaches
 * n8n's execution log, which users paste into forum posts.
 */

const REDACTED = '[redacted]';

/** JWTs (access and id tokens): three base64url parts, the first always starting with `{"` encoded as `eyJ`. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** `Authorization: Bearer x`, `authorization="Basic x"`: the whole value, whatever the scheme. */
const AUTHORIZATION_HEADER = /\b(authorization)(\s*[:=]\s*"?)((?:bearer|basic|negotiate)\s+)?[^\s",;}]+/gi;

/**
 * A bare `Bearer <token68>`; a WWW-Authenticate challenge (`Bearer authorization_uri=…`) is left alone because its
 * parameters are what tells the user where to get a token.
 */
const BEARER = /\bbearer\s+(?![A-Za-z_]+=)[A-Za-z0-9\-._~+/]{8,}=*/gi;

/** Form and query parameters that carry credentials (OAuth token requests, SAS URLs). */
const SECRET_PARAMS = 'client_secret|client_assertion|refresh_token|access_token|id_token|code|code_verifier|password|sig|assertion';
const SECRET_PARAM = new RegExp(`(^|[?&\\s;,"'(])(${SECRET_PARAMS})=([^&\\s"',;)]+)`, 'gi');

/** The same names as JSON members (a token response or an echoed request body); `code` is not one: Dataverse error codes are useful. */
const SECRET_JSON = /("(?:client_secret|client_assertion|refresh_token|access_token|id_token|password)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;

export function redact(text: string): string {
  return text
    .replace(SECRET_JSON, `$1${REDACTED}"`)
    .replace(AUTHORIZATION_HEADER, `$1$2${REDACTED}`)
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(SECRET_PARAM, `$1$2=${REDACTED}`)
    .replace(JWT, REDACTED);
}

/** Query parameters whose values are dropped from logged URLs (beyond what redact() already removes). */
const SECRET_QUERY_NAME = /secret|token|assertion|password|^sig$|^code$|key$/i;

/** A URL fit for a log line: secret-looking query values removed, OData options ($filter…) kept for debugging. */
export function redactUrl(url: string): string {
  const redacted = url.replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // A malformed escape is logged as is; the name only decides whether to hide the value.
    }
    // OData system options ($filter, $skiptoken…) are the query itself, never credentials.
    return !decoded.startsWith('$') && SECRET_QUERY_NAME.test(decoded) ? `${sep}${name}=${REDACTED}` : whole;
  });
  return redact(redacted);
}

/**
 * A copy of an error safe to keep as a `cause`: util.inspect and loggers print causes in full, and an error from a
 * token request can quote the form it sent. Name, code and other plain fields survive, strings redacted; nested
 * objects (raw requests, responses) are dropped because they cannot be vetted field by field.
 */
export function redactedCause(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redact(error) : error;
  const copy = new Error(redact(error.message));
  copy.name = error.name;
  copy.stack = redact(error.stack ?? '');
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[key] = redact(value);
    else if (typeof value === 'number' || typeof value === 'boolean') (copy as unknown as Record<string, unknown>)[key] = value;
  }
  return copy;
}
