/**
 * What happens to a Web API request before and after its handler, in Dataverse's order: injected faults, bearer
 * token check (401 with the authority to use), the caller's application user (403 when missing), service
 * protection limits (429), the handler, and durability of its writes before the answer leaves.
 */
import { faultResponse, FaultInjector, isStatusFault } from '../faults';
import type { EmulatorRequest, EmulatorResponse } from '../http/types';
import type { ServiceProtection } from '../limits';
import type { TransportFault } from '../server';
import type { DataverseService } from './context';
import { DataverseError, errorResponse } from './errors';
import type { DataverseRouter } from './router';

export interface TokenVerifier {
  verifyAccessToken(token: string, audience: string): { ok: true; claims: Record<string, unknown> } | { ok: false; error: string; description: string };
  revokeTokensFor(subjectOrClientId: string): void;
}

export interface PipelineOptions {
  service: DataverseService;
  router: DataverseRouter;
  tokens: TokenVerifier;
  protection: ServiceProtection;
  faults: FaultInjector;
  /** https://127.0.0.1:PORT (token audience, no trailing slash). */
  environmentUrl: string;
  /** WWW-Authenticate value of a 401, naming the authority and resource to ask a token for. */
  challenge: string;
  authorizationUri: string;
}

export function createDataversePipeline(options: PipelineOptions) {
  const { service, router, tokens, protection, faults } = options;
  const { challenge } = options;

  const unauthorized = (description: string): EmulatorResponse => ({
    status: 401,
    headers: { 'www-authenticate': challenge, 'content-type': 'application/json; odata.metadata=minimal' },
    body: JSON.stringify({ error: { code: '0x80040220', message: description } }),
  });

  const authenticate = (req: Pick<EmulatorRequest, 'headers'>): { userId: string } | { refused: EmulatorResponse } => {
    const auth = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) return { refused: unauthorized('The request has no bearer token: send Authorization: Bearer <access token>.') };
    const verified = tokens.verifyAccessToken(match[1], options.environmentUrl);
    if (!verified.ok) return { refused: unauthorized(`The bearer token was refused: ${verified.description}`) };
    return { userId: String(verified.claims.oid ?? '') };
  };

  const handle = async (req: EmulatorRequest): Promise<{ response: EmulatorResponse; fault?: TransportFault }> => {
    const caller = authenticate(req);
    if ('refused' in caller) return { response: caller.refused };
    const userId = caller.userId;

    const fault = faults.decide({ method: req.method, path: req.url.pathname, userId });
    let transport: TransportFault | undefined;
    if (fault && isStatusFault(fault)) {
      if (fault.kind === '401-revoked') tokens.revokeTokensFor(userId);
      return { response: faultResponse(fault, { limits: protection.limits, authorizationUri: options.authorizationUri }) };
    }
    if (fault?.kind === 'reset') transport = { resetAfterBytes: fault.afterBytes };

    if (!service.store.get('systemuser', userId)) {
      const error = new DataverseError(
        403,
        '0x80072560',
        `The user with id ${userId} is not a member of the organization: create an application user for this app registration and give it a security role.`,
      );
      return { response: errorResponse(error), fault: transport };
    }
    const admission = protection.begin(userId, requestWeight(req));
    if (!admission.ok) return { response: admission.response, fault: transport };
    try {
      // A slow request holds its concurrency slot and books its execution time, as a slow server would.
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const hooks = service.webhooks;
      const captured = hooks ? await hooks.capture(() => router.dispatch(req, userId)) : { result: await router.dispatch(req, userId), changes: [] };
      let response = captured.result;
      await service.afterWrite();
      // Webhooks see only what is durable; a failed synchronous step fails the request (not rolled back here).
      const failure = hooks && captured.changes.length ? await hooks.dispatch(captured.changes) : undefined;
      if (failure) response = errorResponse(failure instanceof DataverseError ? failure : new DataverseError(500, '0x80040216', failure.message));
      Object.assign(response.headers, admission.headers);
      return { response, fault: transport };
    } finally {
      admission.release();
    }
  };
  /** Run before the body is read, so an unauthenticated caller cannot make the emulator buffer up to its body limit. */
  const refuseBeforeBody = (req: Pick<EmulatorRequest, 'headers'>): EmulatorResponse | undefined => {
    const caller = authenticate(req);
    return 'refused' in caller ? caller.refused : undefined;
  };
  return Object.assign(handle, { refuseBeforeBody });
}

const PART_MARKER = Buffer.from('application/http');

/** Dataverse counts each request inside a $batch against the limits; parts are counted without parsing the body. */
function requestWeight(req: EmulatorRequest): number {
  if (!req.url.pathname.endsWith('/$batch') || req.body.length === 0) return 1;
  let count = 0;
  for (let at = req.body.indexOf(PART_MARKER); at >= 0; at = req.body.indexOf(PART_MARKER, at + PART_MARKER.length)) count++;
  return Math.max(1, count);
}
