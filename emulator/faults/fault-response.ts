import type { EmulatorResponse } from '../http/types';
import { REAL_LIMITS, type LimitsConfig } from '../limits/config';
import { dataverseErrorResponse, throttleResponse, type ThrottleKind } from '../limits/errors';
import { DEFAULT_THROTTLE_RETRY_AFTER_SECONDS, type StatusFault, type ThrottleFaultKind } from './fault-types';

const THROTTLE_KIND: Record<ThrottleFaultKind, ThrottleKind> = {
  '429-requests': 'requests',
  '429-time': 'execution-time',
  '429-concurrency': 'concurrency',
};

export interface FaultResponseOptions {
  /** Numbers quoted in injected 429 messages; defaults to the production limits. */
  limits?: LimitsConfig;
  /** Added to WWW-Authenticate on 401, as Dataverse points clients at the tenant's authority. */
  authorizationUri?: string;
}

/**
 * Complete response for a status fault. 429 bodies are the limits module's; 503 is Dataverse-shaped
 * JSON with an empty code (no documented hex code exists); 502/504 are small HTML pages as a gateway
 * in front of the service would send (inference, not recorded from a live service).
 */
export function faultResponse(fault: StatusFault, options: FaultResponseOptions = {}): EmulatorResponse {
  switch (fault.kind) {
    case '429-requests':
    case '429-time':
    case '429-concurrency':
      return throttleResponse(
        THROTTLE_KIND[fault.kind],
        options.limits ?? REAL_LIMITS,
        fault.retryAfterSeconds ?? DEFAULT_THROTTLE_RETRY_AFTER_SECONDS,
      );
    case '503':
      return dataverseErrorResponse(503, '', 'The service is temporarily unavailable. Please try again later.');
    case '502':
      return gatewayPage(502, 'Bad Gateway', 'The gateway received an invalid response from the upstream server.');
    case '504':
      return gatewayPage(504, 'Gateway Timeout', 'The gateway did not receive a timely response from the upstream server.');
    case '401-revoked': {
      const params = [
        options.authorizationUri ? `authorization_uri="${options.authorizationUri}"` : undefined,
        'error="invalid_token"',
        'error_description="The access token has been revoked"',
      ].filter((p): p is string => p !== undefined);
      return { status: 401, headers: { 'www-authenticate': `Bearer ${params.join(', ')}`, 'content-length': '0' }, body: '' };
    }
  }
}

function gatewayPage(status: number, title: string, detail: string): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><h1>${status} ${title}</h1><p>${detail}</p></body></html>`,
  };
}
