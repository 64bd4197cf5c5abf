/**
 * serviceendpoint authtype/authvalue for the three webhook auth kinds (reference §12.2–12.3): WebhookKey stores
 * the key itself, HttpHeader and HttpQueryString a `<settings><setting name=… value=… /></settings>` document.
 */
import { invalidArgument } from '../errors';
import type { WebhookAuth } from './types';

export const AUTH_TYPES = { webhookKey: 4, httpHeader: 5, httpQueryString: 6 } as const;

function xmlAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function pairs(map: unknown, what: string, operation: string): [string, string][] {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw invalidArgument(`${operation}: auth.${what} must be an object of names to values.`);
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length === 0) throw invalidArgument(`${operation}: auth.${what} needs at least one entry.`);
  for (const [k, v] of entries) {
    if (!k || typeof v !== 'string' || v === '') throw invalidArgument(`${operation}: auth.${what} entries need a name and a non-empty string value (entry '${k}').`);
    if (what === 'headers' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw invalidArgument(`${operation}: '${k}' is not a valid header name.`);
  }
  return entries as [string, string][];
}

/** The columns to write; the secret never appears in an error message. */
export function authColumns(auth: WebhookAuth, operation: string): { authtype: number; authvalue: string } {
  if (typeof auth !== 'object' || auth === null) throw invalidArgument(`${operation}: auth is required.`);
  let authvalue: string;
  switch (auth.kind) {
    case 'webhookKey':
      if (typeof auth.value !== 'string' || auth.value === '') throw invalidArgument(`${operation}: auth.value (the webhook key) must be a non-empty string.`);
      authvalue = auth.value;
      break;
    case 'httpHeader':
    case 'httpQueryString': {
      const list = pairs(auth.kind === 'httpHeader' ? auth.headers : auth.params, auth.kind === 'httpHeader' ? 'headers' : 'params', operation);
      authvalue = `<settings>${list.map(([k, v]) => `<setting name="${xmlAttr(k)}" value="${xmlAttr(v)}" />`).join('')}</settings>`;
      break;
    }
    default:
      throw invalidArgument(`${operation}: auth.kind must be webhookKey, httpHeader or httpQueryString.`);
  }
  if (authvalue.length > 2048) throw invalidArgument(`${operation}: the auth value is longer than the 2,048 characters Dataverse stores.`);
  return { authtype: AUTH_TYPES[auth.kind], authvalue };
}
