/**
 * The F&O connection of the automatic setup: the Finance & Operations node's connection (the same credentials,
 * their Service set to Finance & Operations or detected from the URL). Only activation, deactivation and the event
 * list use it; receiving events needs no token.
 */
import type { FnoConnection } from '../../client/connect';
import { connectFromCredentials } from '../FinanceOperations/transport/connection';
import { savedAuthentication } from '../shared/authentication';
import { credentialTypeFor, type CredentialSource } from '../shared/credentials';

/** Runs `work` on a connection made for it and frees its sockets afterwards. */
export async function withFno<T>(source: CredentialSource, work: (fno: FnoConnection) => Promise<T>): Promise<T> {
  const kind = savedAuthentication(source);
  const { fno } = connectFromCredentials(kind, await source.getCredentials(credentialTypeFor(kind)));
  try {
    return await work(fno);
  } finally {
    fno.close();
  }
}
