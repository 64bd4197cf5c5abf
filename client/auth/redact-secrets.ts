/**
 * Text from MSAL's log, Entra's error bodies or a transport error can quote what was sent; the credential values
 * this provider holds are removed by value (a secret has no recognisable shape), then the generic patterns apply.
 */
import { redact } from '../http/redact';

const REDACTED = '[redacted]';

/** Shorter values would blank out ordinary words; real secrets, keys and refresh tokens are far longer. */
const MIN_SECRET_LENGTH = 6;

export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    // Form bodies and URLs carry the value percent-encoded.
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return redact(result);
}
