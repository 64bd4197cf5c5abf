/**
 * One client connection per n8n execution context (the `this` of execute, a picker or a hook), so that every item of
 * one run shares the token cache, the throttling state and the keep-alive sockets, and the sockets are freed when the
 * run ends. Each node says how to connect from a credential and how to close.
 */
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { credentialTypeFor, type AuthenticationKind, type CredentialSource } from './credentials';
import type { ToNodeError } from './errors';

export interface ConnectionCache<C> {
  /** The connection of this context, created on first use (the node's Authentication parameter, unless given). */
  getConnection(ctx: CredentialSource & object, authentication?: AuthenticationKind): Promise<C>;
  /** Frees the sockets of this context's connection. */
  releaseConnection(ctx: object): Promise<void>;
  /** Runs `work` on this context's connection, freed afterwards; failures become n8n errors (pickers and hooks). */
  withConnection<T>(ctx: CredentialSource & { getNode(): INode }, authentication: AuthenticationKind, work: (conn: C) => Promise<T>): Promise<T>;
}

export function connectionCache<C>(
  connect: (kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject) => C,
  close: (conn: C) => void,
  toNodeError: ToNodeError,
): ConnectionCache<C> {
  const cache = new WeakMap<object, Promise<C>>();

  function getConnection(ctx: CredentialSource & object, authentication?: AuthenticationKind): Promise<C> {
    let existing = cache.get(ctx);
    if (!existing) {
      existing = (async () => {
        const kind = authentication ?? (ctx.getNodeParameter('authentication', 0, 'appRegistration') as AuthenticationKind);
        return connect(kind, await ctx.getCredentials(credentialTypeFor(kind)));
      })();
      cache.set(ctx, existing);
      existing.catch(() => cache.delete(ctx));
    }
    return existing;
  }

  async function releaseConnection(ctx: object): Promise<void> {
    const existing = cache.get(ctx);
    if (!existing) return;
    cache.delete(ctx);
    try {
      close(await existing);
    } catch {
      // The connection was never made; nothing to free.
    }
  }

  async function withConnection<T>(ctx: CredentialSource & { getNode(): INode }, authentication: AuthenticationKind, work: (conn: C) => Promise<T>): Promise<T> {
    try {
      return await work(await getConnection(ctx, authentication));
    } catch (error) {
      throw toNodeError(ctx.getNode(), error, 0);
    } finally {
      await releaseConnection(ctx);
    }
  }

  return { getConnection, releaseConnection, withConnection };
}
