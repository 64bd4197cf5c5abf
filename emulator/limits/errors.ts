import type { EmulatorResponse } from '../http/types';
import type { LimitsConfig } from './config';

/** Dataverse errors are OData JSON regardless of status (reference section 3.1). */
export const ODATA_ERROR_CONTENT_TYPE = 'application/json; odata.metadata=minimal';

export type ThrottleKind = 'requests' | 'execution-time' | 'concurrency';

/** Hex codes as the Web API sends them; decimals are what the .NET SDK compares (section 4.1). */
export const THROTTLE_CODES: Readonly<Record<ThrottleKind, { hex: string; decimal: number }>> = Object.freeze({
  requests: { hex: '0x80072322', decimal: -2147015902 },
  'execution-time': { hex: '0x80072321', decimal: -2147015903 },
  concurrency: { hex: '0x80072326', decimal: -2147015898 },
});

/** 1234567 -> "1,234,567" without relying on the ICU data the runtime happens to ship. */
export function groupThousands(value: number | string): string {
  const [whole, fraction] = String(value).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
}

/** Verbatim Dataverse wording with the configured numbers; the two spaces before "milliseconds" are real. */
export function throttleMessage(kind: ThrottleKind, limits: LimitsConfig): string {
  switch (kind) {
    case 'requests':
      return `Number of requests exceeded the limit of ${limits.maxRequests} over time window of ${limits.windowSeconds} seconds.`;
    case 'execution-time':
      return (
        `Combined execution time of incoming requests exceeded limit of ${groupThousands(limits.maxExecutionMs)}  milliseconds ` +
        `over time window of ${limits.windowSeconds} seconds. ` +
        'Decrease number of concurrent requests or reduce the duration of requests and try again later.'
      );
    case 'concurrency':
      return `Number of concurrent requests exceeded the limit of ${limits.maxConcurrent}.`;
  }
}

export function dataverseErrorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': ODATA_ERROR_CONTENT_TYPE, 'odata-version': '4.0', ...headers },
    body: JSON.stringify({ error: { code, message } }),
  };
}

/** The 429 shared by the limits module and fault injection; Retry-After is whole seconds, at least 1. */
export function throttleResponse(kind: ThrottleKind, limits: LimitsConfig, retryAfterSeconds: number): EmulatorResponse {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return dataverseErrorResponse(429, THROTTLE_CODES[kind].hex, throttleMessage(kind, limits), {
    'retry-after': String(retryAfter),
  });
}
