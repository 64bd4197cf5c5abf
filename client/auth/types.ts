/** What the HTTP pipeline needs from authentication: a bearer token for a resource, renewed when told it failed. */

export interface AccessToken {
  token: string;
  /** Epoch milliseconds. */
  expiresOnMs: number;
}

export interface TokenProvider {
  /** A token valid for at least the refresh margin; refreshed proactively and single-flight. */
  getToken(signal?: AbortSignal): Promise<AccessToken>;
  /** Called after a 401: the cached token is dropped so the next getToken fetches a new one. */
  invalidate(): void;
}
