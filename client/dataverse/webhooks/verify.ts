/**
 * verifyWebhookAuth: does an incoming request carry the secret a registration was given (reference §12.3)?
 * Every expected value is compared in constant time (SHA-256 digests through crypto.timingSafeEqual, so unequal
 * lengths take the same path), every expected entry is checked even after a mismatch, and nothing is logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookAuth } from './types';

export interface IncomingWebhookRequest {
  /** The request target, path and query (`/hook?code=…`) or an absolute URL. */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality of two strings, whatever their lengths. */
export function safeEqual(actual: string | undefined, expected: string): boolean {
  const a = digest(actual ?? '');
  const b = digest(expected);
  const same = timingSafeEqual(a, b);
  return same && actual !== undefined && Buffer.byteLength(actual) === Buffer.byteLength(expected);
}

function single(values: (string | undefined)[]): string | undefined {
  // A repeated header or parameter is ambiguous: refuse rather than pick one.
  return values.length === 1 ? values[0] : undefined;
}

function queryOf(url: string | undefined): URLSearchParams {
  if (!url) return new URLSearchParams();
  try {
    return new URL(url, 'http://receiver.invalid').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

function headerValues(headers: IncomingWebhookRequest['headers'], name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

function entries(map: Record<string, string> | undefined): [string, string][] {
  return typeof map === 'object' && map !== null ? Object.entries(map).filter(([, v]) => typeof v === 'string') : [];
}

export function verifyWebhookAuth(request: IncomingWebhookRequest, expected: WebhookAuth): boolean {
  if (typeof request !== 'object' || request === null || typeof expected !== 'object' || expected === null) return false;
  let ok = true;
  let checked = 0;
  const query = queryOf(request.url);
  switch (expected.kind) {
    case 'webhookKey':
      if (typeof expected.value !== 'string' || expected.value === '') return false;
      ok = safeEqual(single(query.getAll('code')), expected.value) && ok;
      checked++;
      break;
    case 'httpHeader':
      for (const [name, value] of entries(expected.headers)) {
        ok = safeEqual(single(headerValues(request.headers, name)), value) && ok;
        checked++;
      }
      break;
    case 'httpQueryString':
      for (const [name, value] of entries(expected.params)) {
        ok = safeEqual(single(query.getAll(name)), value) && ok;
        checked++;
      }
      break;
    default:
      return false;
  }
  // An expectation with nothing to check would accept anyone: refuse it.
  return ok && checked > 0;
}
