/**
 * Authorization: Bearer from the TokenProvider. A 401 usually means the cached token died early (revoked, clock
 * skew, password reset), so the token is dropped and the request sent once more with a fresh one; a second 401 is a
 * configuration problem that retrying cannot fix, and the error says where to look.
 */
import type { TokenProvider } from '../auth/types';
import { D365Error } from './errors';
import { redactedCause, redactUrl } from './redact';
import { assertSameOrigin } from './host-pinning';
import { parseServiceFault, requestIdOf } from './response-error';
import type { EventSink, HttpRequest, HttpResponse, Policy } from './types';

function challengeParam(response: HttpResponse, name: string): string | undefined {
  const header = response.headers['www-authenticate'];
  if (!header) return undefined;
  return new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|([^\\s,]+))`, 'i').exec(header)?.slice(1).find((v) => v !== undefined);
}

function unauthorizedError(request: HttpRequest, response: HttpResponse, environmentUrl: string): D365Error {
  const label = request.operation ?? `${request.method} ${new URL(request.url).pathname}`;
  const fault = parseServiceFault(response.body, response.headers['content-type']);
  const said = challengeParam(response, 'error_description') ?? fault.message;
  const authority = challengeParam(response, 'authorization_uri');
  const audience = environmentUrl.replace(/\/+$/, '');
  return new D365Error(
    `${label}: the environment refused the access token (HTTP 401) again after a fresh token was fetched` +
      `${said ? `: ${said.replace(/\.\s*$/, '')}` : ''}. Likely causes: the token is expired or was revoked; it was issued for ` +
      `another audience (request the scope ${audience}/.default: the environment URL); or the app registration has no ` +
      `application user in this environment.${authority ? ` The environment names the authority ${authority}.` : ''}`,
    { status: 401, code: fault.code, requestId: requestIdOf(response), retryable: false, operation: request.operation },
  );
}

async function tokenFor(tokenProvider: TokenProvider, request: HttpRequest): Promise<string> {
  try {
    return (await tokenProvider.getToken(request.signal)).token;
  } catch (error) {
    if (error instanceof D365Error) throw error;
    const label = request.operation ?? request.method;
    throw new D365Error(`${label}: could not get an access token: ${(error as Error)?.message ?? String(error)}`, {
      code: 'TokenAcquisitionFailed',
      retryable: false,
      operation: request.operation,
      cause: redactedCause(error),
    });
  }
}

export function bearerTokenPolicy(tokenProvider: TokenProvider, environmentUrl: string, events?: EventSink): Policy {
  return {
    name: 'bearer-token',
    async send(request, next) {
      // Checked again here, next to the header, so reordering the pipeline can never leak the token.
      assertSameOrigin(request.url, environmentUrl);
      const attempt = async (): Promise<HttpResponse> => {
        const token = await tokenFor(tokenProvider, request);
        const response = await next({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });
        // Callers see the request as they made it: a response kept for debugging must not carry the token.
        return { ...response, request };
      };
      const first = await attempt();
      if (first.status !== 401) return first;
      // The token provider reports the refresh itself; the pipeline reports the one retry it makes.
      events?.({ type: 'retry', method: request.method, url: redactUrl(request.url), attempt: 2, delayMs: 0, reason: '401: token refused, retrying once with a new token' });
      tokenProvider.invalidate();
      const second = await attempt();
      if (second.status === 401) throw unauthorizedError(request, second, environmentUrl);
      return second;
    },
  };
}
