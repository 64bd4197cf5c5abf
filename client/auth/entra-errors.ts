/**
 * Entra ID failures turned into D365Errors a user can act on: the AADSTS number says what is wrong far better than
 * "invalid_client", so the common ones get a sentence naming the field to fix. Messages never carry a credential.
 */
import { D365Error } from '../http/errors';
import { redactSecrets } from './redact-secrets';

export interface EntraErrorContext {
  clientId?: string;
  tenant: string;
  authorityHost: string;
  /** Environment origin (the token audience). */
  resource: string;
  /** Values removed from any text that reaches the error. */
  secrets: readonly (string | undefined)[];
}

/** What a token endpoint said, whether read by MSAL or by the refresh-token flow. */
export interface EntraFailure {
  error?: string;
  description?: string;
  aadsts?: number;
  status?: number;
  requestId?: string;
}

const SIGN_IN_AGAIN = new Set([70008, 700082, 50173, 54005, 70000, 50034]);
const POLICY_BLOCKED = new Set([50076, 50079, 53003, 50158, 50105]);

function knownMessage(code: number, ctx: EntraErrorContext): string | undefined {
  const app = ctx.clientId ? `app ${ctx.clientId}` : 'the app registration';
  switch (code) {
    case 7000215:
      return `the client secret is wrong or expired. Enter the secret's Value (not its Secret ID) from Certificates & secrets of ${app}, or create a new secret.`;
    case 7000222:
      return `the client secret has expired. Create a new client secret for ${app} and update the credential.`;
    case 7000216:
      return `no client secret or certificate was sent for ${app}.`;
    case 700016:
      return `application (client) ID '${ctx.clientId ?? ''}' was not found in tenant '${ctx.tenant}'. Check the client ID and the tenant ID, and that the app is registered in the cloud of ${ctx.authorityHost}.`;
    case 90002:
      return `tenant '${ctx.tenant}' was not found at ${ctx.authorityHost}. Check the tenant (directory) ID and the cloud.`;
    case 700027:
      return `the certificate was not accepted. Upload the certificate (.cer/.pem, public part) to Certificates & secrets of ${app}, and check that it has not expired and matches the private key.`;
    case 700024:
      return 'the certificate assertion is outside its valid time range. Check the clock of this machine.';
    case 50027:
    case 5002723:
      return 'the certificate assertion was malformed. Check the certificate and private key PEM.';
    case 70011:
      return `the scope for ${ctx.resource} is invalid. The environment URL must be the bare https://<org>.crm.dynamics.com (or F&O) address.`;
    case 500011:
      return `the environment ${ctx.resource} is not known in tenant '${ctx.tenant}'. Check the environment URL and that the environment belongs to this tenant.`;
    case 65001:
      return `${app} has no consent for Dynamics 365 (user_impersonation). An administrator must grant consent to the app.`;
    default:
      if (SIGN_IN_AGAIN.has(code)) return 'the refresh token has expired or was revoked. Sign in again (reconnect the credential).';
      if (POLICY_BLOCKED.has(code)) return 'a Conditional Access or MFA policy blocked the sign-in. Ask your Entra ID administrator to allow this app.';
      return undefined;
  }
}

/** Entra descriptions end with trace and correlation ids on further lines; the first line is the message. */
function firstLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/)[0].trim();
}

export function entraFailureToD365(failure: EntraFailure, ctx: EntraErrorContext): D365Error {
  const known = failure.aadsts !== undefined ? knownMessage(failure.aadsts, ctx) : undefined;
  const said = firstLine(failure.description) || failure.error || 'no reason given';
  const suffix = failure.aadsts !== undefined ? ` (AADSTS${failure.aadsts})` : '';
  const message = known ? `Sign-in failed${suffix}: ${known}` : `Sign-in failed: ${said}`;
  const status = failure.status;
  return new D365Error(redactSecrets(message, ctx.secrets), {
    status,
    code: failure.aadsts !== undefined ? `AADSTS${failure.aadsts}` : failure.error ?? 'SignInFailed',
    requestId: failure.requestId,
    retryable: failure.error === 'temporarily_unavailable' || status === 429 || (status !== undefined && status >= 500),
    operation: 'acquire token',
  });
}

/** Reads an OAuth error body (`error`, `error_description`, `error_codes`, `trace_id`…). */
export function entraFailureFromBody(status: number, body: unknown): EntraFailure {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const description = typeof record.error_description === 'string' ? record.error_description : undefined;
  const codes = Array.isArray(record.error_codes) ? record.error_codes : [];
  const fromDescription = description ? /AADSTS(\d+)/.exec(description)?.[1] : undefined;
  const aadsts = typeof codes[0] === 'number' ? codes[0] : fromDescription ? Number(fromDescription) : undefined;
  const requestId = [record.correlation_id, record.trace_id].find((v): v is string => typeof v === 'string');
  return { error: typeof record.error === 'string' ? record.error : undefined, description, aadsts, status, requestId };
}

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The request never got an answer: DNS, refused connection, TLS trust, timeout. */
export function transportErrorToD365(error: unknown, ctx: EntraErrorContext): D365Error {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const detail = redactSecrets(error instanceof Error ? error.message : String(error), ctx.secrets);
  if (code && TLS_TRUST_CODES.has(code)) {
    return new D365Error(
      `Could not sign in: the certificate of ${ctx.authorityHost} is not trusted (${code}). Provide the CA that issued it (option ca or an https.Agent).`,
      { code, retryable: false, operation: 'acquire token' },
    );
  }
  return new D365Error(`Could not reach the sign-in service at ${ctx.authorityHost}: ${detail}`, {
    code: code ?? 'NetworkError',
    retryable: true,
    operation: 'acquire token',
  });
}

interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  errorNo?: unknown;
  status?: unknown;
  correlationId?: unknown;
}

/**
 * MSAL's ServerError carries Entra's answer flattened into one string ("Error(s): … - Description: AADSTS…"); its
 * client errors (bad configuration, network) carry only a code. The raw MSAL error is not kept as cause because
 * the request it describes held the credential.
 */
export function msalErrorToD365(error: unknown, ctx: EntraErrorContext, transportError?: unknown): D365Error {
  if (error instanceof D365Error) return error;
  if (transportError !== undefined) return transportErrorToD365(transportError, ctx);
  const shape = (error && typeof error === 'object' ? error : {}) as MsalErrorShape;
  const message = typeof shape.errorMessage === 'string' ? shape.errorMessage : error instanceof Error ? error.message : String(error);
  const errorNo = typeof shape.errorNo === 'string' || typeof shape.errorNo === 'number' ? Number(shape.errorNo) : undefined;
  const fromText = /AADSTS(\d+)/.exec(message)?.[1];
  const aadsts = errorNo !== undefined && !Number.isNaN(errorNo) ? errorNo : fromText ? Number(fromText) : undefined;
  const errorCode = typeof shape.errorCode === 'string' ? shape.errorCode : undefined;
  if (aadsts !== undefined || (shape as { name?: unknown }).name === 'ServerError') {
    const description = /Description: ([\s\S]*?)(?: - Correlation ID:|$)/.exec(message)?.[1] ?? message;
    return entraFailureToD365(
      {
        error: errorCode,
        description,
        aadsts,
        status: typeof shape.status === 'number' ? shape.status : undefined,
        requestId: typeof shape.correlationId === 'string' && shape.correlationId ? shape.correlationId : undefined,
      },
      ctx,
    );
  }
  return new D365Error(redactSecrets(`Could not sign in (${errorCode ?? 'error'}): ${message}`, ctx.secrets), {
    code: errorCode ?? 'SignInFailed',
    retryable: false,
    operation: 'acquire token',
  });
}
