/**
 * Credentials go only to the configured environment. Links the client follows come from response bodies and
 * headers (@odata.nextLink, Location, OData-EntityId); a tampered or misconfigured service could point them
 * anywhere, and attaching the bearer token there would hand it over. The check runs before the token is fetched
 * and before any socket is opened.
 */
import { D365Error } from './errors';
import type { Policy } from './types';

/** scheme://host[:port]; WHATWG URL parsing lower-cases the host and drops default ports, so equal origins compare equal. */
function originOf(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new D365Error(`refusing to send the credentials to ${JSON.stringify(url)}: it is not an absolute URL (${what})`, {
      code: 'OriginMismatch',
    });
  }
  return parsed.origin.toLowerCase();
}

/** Throws unless `url` has the same origin as `environmentUrl`; client/dataverse calls it on every link it follows. */
export function assertSameOrigin(url: string, environmentUrl: string): void {
  const expected = originOf(environmentUrl, 'the configured environment URL');
  const actual = originOf(url, 'the request URL');
  if (actual !== expected) {
    throw new D365Error(`refusing to send the credentials to ${actual}: it is not the configured environment ${expected}`, {
      code: 'OriginMismatch',
      retryable: false,
    });
  }
}

export function hostPinningPolicy(environmentUrl: string): Policy {
  originOf(environmentUrl, 'the configured environment URL');
  return {
    name: 'host-pinning',
    send(request, next) {
      assertSameOrigin(request.url, environmentUrl);
      return next(request);
    },
  };
}
