/**
 * What happens to a request on the F&O listener: public extension handlers (no token), bearer token for the F&O
 * environment URL, the caller registered as an Entra application or user, injected faults, throttling, then the
 * extension handlers, /api/services and /data. Every failure has an F&O-shaped body.
 */
import { faultResponse, FaultInjector, isStatusFault } from '../faults';
import type { EmulatorRequest, EmulatorResponse } from '../http/types';
import { REAL_LIMITS, type ThrottleKind } from '../limits';
import type { TransportFault } from '../server';
import type { FnoExtension, FnoService } from './context';
import { FnoError } from './context';
import { errorToResponse, fnoErrorResponse } from './errors';
import { runAs } from './events/acting-user';
import { DATA_PATH, handleData } from './router';
import { createCustomServices, SERVICES_PATH } from './services';
import { throttleMessage, type FnoThrottling } from './throttling';

export interface FnoTokenVerifier {
  verifyAccessToken(token: string, audience: string): { ok: true; claims: Record<string, unknown> } | { ok: false; description: string };
  revokeTokensFor(subjectOrClientId: string): void;
}

export interface FnoPipelineOptions {
  service: FnoService;
  tokens: FnoTokenVerifier;
  throttling: FnoThrottling;
  faults: FaultInjector;
  extensions: () => readonly FnoExtension[];
  /** Object ids allowed in (the users and applications registered in F&O's Microsoft Entra applications page). */
  isRegistered(userId: string): boolean;
  challenge: string;
  authorizationUri: string;
  /** Makes the request's writes durable before its answer leaves (a no-op without a data directory). */
  afterWrite(): Promise<void>;
}

const THROTTLE_FAULT_KINDS: Record<string, ThrottleKind> = { '429-requests': 'requests', '429-time': 'execution-time', '429-concurrency': 'concurrency' };

export function createFnoPipeline(options: FnoPipelineOptions) {
  const { service, tokens, throttling, faults } = options;
  const customServices = createCustomServices();
  const unauthorized = (description: string): EmulatorResponse =>
    fnoErrorResponse(401, description, 'System.UnauthorizedAccessException', { 'www-authenticate': options.challenge }, 'Authorization has been denied for this request.');

  const authenticate = (req: Pick<EmulatorRequest, 'headers'>): { claims: Record<string, unknown> } | { refused: EmulatorResponse } => {
    const match = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!match) return { refused: unauthorized('The request has no bearer token: send Authorization: Bearer <access token for the F&O environment URL>.') };
    const verified = tokens.verifyAccessToken(match[1], service.origin);
    if (!verified.ok) return { refused: unauthorized(`The bearer token was refused: ${verified.description}`) };
    return { claims: verified.claims };
  };

  /**
   * Run before the body is read: /data and /api need a token (public extension handlers, such as the SAS blob
   * endpoint, live elsewhere), so an unauthenticated caller cannot make the emulator buffer up to its body limit.
   */
  const refuseBeforeBody = (req: Omit<EmulatorRequest, 'body'>): EmulatorResponse | undefined => {
    if (!/^\/(data|api)(\/|$)/i.test(req.url.pathname)) return undefined;
    const caller = authenticate(req);
    return 'refused' in caller ? caller.refused : undefined;
  };

  const handle = async (req: EmulatorRequest): Promise<{ response: EmulatorResponse; fault?: TransportFault }> => {
    for (const extension of options.extensions()) {
      for (const handler of extension.publicHandlers ?? []) {
        const response = await handler(req, { service, userId: '' });
        if (response) return { response };
      }
    }
    const caller = authenticate(req);
    if ('refused' in caller) return { response: caller.refused };
    const userId = String(caller.claims.oid ?? '');
    const clientId = String(caller.claims.appid ?? caller.claims.azp ?? '');
    if (!options.isRegistered(userId)) {
      return {
        response: unauthorized(
          `The caller ${userId} is not registered in this environment: add the client id ${clientId} under System administration > Setup > Microsoft Entra applications.`,
        ),
      };
    }

    const fault = faults.decide({ method: req.method, path: req.url.pathname, userId });
    let transport: TransportFault | undefined;
    if (fault && isStatusFault(fault)) {
      if (fault.kind === '401-revoked') tokens.revokeTokensFor(userId);
      const kind = THROTTLE_FAULT_KINDS[fault.kind];
      if (kind) {
        // Injected 429s quote the limits in force, or the production ones when limits are off.
        const message = throttleMessage(kind, throttling.limits ?? REAL_LIMITS);
        const retryAfter = String(Math.max(1, Math.ceil(('retryAfterSeconds' in fault ? fault.retryAfterSeconds : undefined) ?? 1)));
        return { response: fnoErrorResponse(429, message, 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataThrottlingException', { 'retry-after': retryAfter }, message) };
      }
      if (fault.kind === '503') return { response: fnoErrorResponse(503, 'The service is temporarily unavailable. Please try again later.') };
      return { response: faultResponse(fault, { authorizationUri: options.authorizationUri }) };
    }
    if (fault?.kind === 'reset') transport = { resetAfterBytes: fault.afterBytes };

    const admission = throttling.begin({ userId, clientId });
    if (!admission.ok) return { response: admission.response, fault: transport };
    try {
      if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      let response: EmulatorResponse;
      try {
        // Business events raised by this request name the user who made it.
        response = await runAs(userId, () => dispatch(req, userId));
      } catch (e) {
        if (!(e instanceof FnoError)) throw e;
        response = errorToResponse(e);
      }
      await options.afterWrite();
      return { response, fault: transport };
    } finally {
      admission.release();
    }
  };
  return Object.assign(handle, { refuseBeforeBody });

  async function dispatch(req: EmulatorRequest, userId: string): Promise<EmulatorResponse> {
    for (const extension of options.extensions()) {
      for (const handler of extension.handlers ?? []) {
        const response = await handler(req, { service, userId });
        if (response) return response;
      }
    }
    if (SERVICES_PATH.test(req.url.pathname)) return customServices(req, service, userId);
    if (DATA_PATH.test(req.url.pathname)) return handleData(req, service);
    return fnoErrorResponse(404, `Nothing is served at ${req.url.pathname}: the OData service is under /data and custom services under /api/services.`);
  }
}
