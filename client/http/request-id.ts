/**
 * x-ms-client-request-id: a fresh UUID per logical request, set outside the retry loop so every attempt carries
 * the same id. Azure's pipeline does the same; one id lets a support engineer find all attempts of one call in the
 * service's logs, and the attempt number is in our 'retry' events anyway. A caller-supplied id is kept.
 */
import { randomUUID } from 'node:crypto';
import type { Policy } from './types';

export const CLIENT_REQUEST_ID_HEADER = 'x-ms-client-request-id';

export function requestIdPolicy(newId: () => string = randomUUID): Policy {
  return {
    name: 'request-id',
    send(request, next) {
      if (request.headers[CLIENT_REQUEST_ID_HEADER]) return next(request);
      return next({ ...request, headers: { ...request.headers, [CLIENT_REQUEST_ID_HEADER]: newId() } });
    },
  };
}
