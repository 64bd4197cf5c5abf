/**
 * What the emulator saw, counted server-side (the node's client runs inside n8n, out of this process's reach):
 * every Web API request that carried a valid token passes the fault injector's decide(), and every bearer token
 * passes verifyAccessToken(). Both are wrapped on the running emulator's own objects, without changing behaviour.
 */
import type { RunningEmulator } from '../../emulator';

export interface ObservedTraffic {
  /** Web API requests that reached the fault injector, by "METHOD kind" (kind: $batch, metadata, other). */
  requests: Record<string, number>;
  /** Distinct access tokens presented: the first one plus every refresh. */
  distinctTokens: number;
  /** Requests refused because their token was revoked or invalid (each is followed by a refresh and a retry). */
  refusedTokens: number;
}

export interface TrafficObserver {
  snapshot(): ObservedTraffic;
}

function requestKind(path: string): string {
  if (path.endsWith('/$batch')) return '$batch';
  if (path.includes('/$metadata') || path.includes('/EntityDefinitions')) return 'metadata';
  return 'other';
}

export function observeTraffic(emulator: RunningEmulator): TrafficObserver {
  const requests: Record<string, number> = {};
  const tokens = new Set<string>();
  let refusedTokens = 0;

  const decide = emulator.faults.decide.bind(emulator.faults);
  emulator.faults.decide = (req) => {
    const key = `${req.method.toUpperCase()} ${requestKind(req.path)}`;
    requests[key] = (requests[key] ?? 0) + 1;
    return decide(req);
  };
  const verify = emulator.entra.verifyAccessToken.bind(emulator.entra);
  emulator.entra.verifyAccessToken = (token, audience) => {
    const result = verify(token, audience);
    // Only the token's signature part is kept: enough to tell tokens apart, useless as a credential.
    tokens.add(token.slice(token.lastIndexOf('.') + 1));
    if (!result.ok) refusedTokens++;
    return result;
  };
  return { snapshot: () => ({ requests: { ...requests }, distinctTokens: tokens.size, refusedTokens }) };
}
