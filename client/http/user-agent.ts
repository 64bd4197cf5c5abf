/**
 * User-Agent: the caller's product token first (e.g. the n8n node), then ours and the runtime, so an environment
 * administrator reading Dataverse's audit or telemetry can tell which integration sent a request.
 */
import type { Policy } from './types';

export const CLIENT_USER_AGENT = `n8n-nodes-dynamics365-client Node.js/${process.versions.node} (${process.platform})`;

export function userAgentPolicy(prefix?: string): Policy {
  const value = prefix ? `${prefix} ${CLIENT_USER_AGENT}` : CLIENT_USER_AGENT;
  return {
    name: 'user-agent',
    send(request, next) {
      if (request.headers['user-agent']) return next(request);
      return next({ ...request, headers: { ...request.headers, 'user-agent': value } });
    },
  };
}
