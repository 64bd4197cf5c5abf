/** Who is calling the token endpoint: client_secret_post, client_secret_basic or private_key_jwt. */
import { header, type EmulatorRequest } from '../http/types';
import { JWT_BEARER_ASSERTION_TYPE, secretMatches, verifyClientAssertion } from './client-assertion';
import { findApp } from './context';
import { entraError, malformedRequest, missingParameter, unknownApplication, type EntraError } from './errors';
import type { ClientAuthMethod } from './tokens';
import type { EntraContext, RegisteredApp } from './types';

export type ClientAuthResult = { app: RegisteredApp; method: ClientAuthMethod } | EntraError;

function basicCredentials(req: EmulatorRequest): { id: string; secret: string } | undefined {
  const value = header(req, 'authorization');
  const match = value && /^Basic\s+(\S+)$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 section 2.3.1: both parts are form-urlencoded before base64.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return part;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/**
 * `credentialRequired` is true for client_credentials; the delegated grants also serve public clients, so there
 * a credential is checked only when one is sent.
 */
export function authenticateClient(
  ctx: EntraContext,
  req: EmulatorRequest,
  form: URLSearchParams,
  tenantSegment: string,
  credentialRequired: boolean,
  grantType: string,
): ClientAuthResult {
  const basic = basicCredentials(req);
  const clientId = form.get('client_id') ?? basic?.id;
  if (!clientId) return missingParameter('client_id');
  const app = findApp(ctx, clientId);
  if (!app) return unknownApplication(clientId, ctx.tenantId);

  const secret = form.get('client_secret') ?? basic?.secret;
  const assertion = form.get('client_assertion');
  if (secret !== undefined && secret !== null && assertion) {
    return malformedRequest('Send either client_secret or client_assertion, not both.');
  }
  if (assertion) {
    const assertionType = form.get('client_assertion_type');
    if (!assertionType) return missingParameter('client_assertion_type');
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
      return malformedRequest(`client_assertion_type must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
    }
    const failure = verifyClientAssertion(ctx, app, assertion, tenantSegment);
    return failure ?? { app, method: 'certificate' };
  }
  if (secret !== undefined && secret !== null) {
    if (secretMatches(app, secret)) return { app, method: 'secret' };
    return entraError(
      'invalid_client',
      7000215,
      'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ' +
        `not the client secret ID, for a secret added to app '${app.config.clientId}'.`,
    );
  }
  if (credentialRequired) {
    return entraError(
      'invalid_client',
      7000216,
      `'client_assertion', 'client_secret' or 'request' is required for the '${grantType}' grant type.`,
    );
  }
  return { app, method: 'none' };
}
