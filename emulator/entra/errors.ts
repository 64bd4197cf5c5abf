/**
 * OAuth errors in the shape login.microsoftonline.com returns, because clients (MSAL, the n8n credential, user
 * code) branch on `error`, parse `error_codes` and show `error_description`.
 */
import { randomUUID } from 'node:crypto';
import { header, jsonResponse, type EmulatorRequest, type EmulatorResponse } from '../http/types';
import type { EntraContext } from './types';

export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'invalid_tenant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'login_required';

export interface EntraError {
  error: OAuthErrorName;
  /** The AADSTS number. */
  code: number;
  /** Message without the "AADSTSnnn: " prefix. Must never contain a secret or an assertion. */
  message: string;
  /** Default 400; invalid_client is 401. */
  status?: number;
}

export function entraError(error: OAuthErrorName, code: number, message: string, status?: number): EntraError {
  return { error, code, message, status: status ?? (error === 'invalid_client' ? 401 : 400) };
}

/** "2024-05-01 12:34:56Z", the timestamp format of Entra error bodies. */
export function entraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function correlationId(req: EmulatorRequest): string {
  // MSAL sends client-request-id and Entra echoes it as the correlation id; anything else gets a fresh one.
  const sent = header(req, 'client-request-id');
  return sent && /^[0-9a-fA-F-]{36}$/.test(sent) ? sent : randomUUID();
}

export function errorResponse(ctx: EntraContext, req: EmulatorRequest, failure: EntraError): EmulatorResponse {
  const traceId = randomUUID();
  const correlation = correlationId(req);
  const timestamp = entraTimestamp(ctx.nowMs());
  const description =
    `AADSTS${failure.code}: ${failure.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`;
  return jsonResponse(
    failure.status ?? 400,
    {
      error: failure.error,
      error_description: description,
      error_codes: [failure.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `${ctx.baseUrl}/error?code=${failure.code}`,
    },
    { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': traceId, 'client-request-id': correlation },
  );
}

/** Missing required parameter (AADSTS900144), the most common client mistake. */
export const missingParameter = (name: string): EntraError =>
  entraError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);

export const unknownTenant = (tenant: string, error: OAuthErrorName = 'invalid_request'): EntraError =>
  entraError(
    error,
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. ` +
      'Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.',
  );

export const unknownApplication = (clientId: string, tenantId: string): EntraError =>
  entraError(
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the ` +
      'application has not been installed by the administrator of the tenant or consented to by any user in the tenant. ' +
      'You may have sent your authentication request to the wrong tenant.',
  );

/** Entra's catch-all for requests it cannot make sense of. */
export const malformedRequest = (detail: string): EntraError =>
  entraError('invalid_request', 9002313, `Invalid request. Request is malformed or invalid. ${detail}`);
