/**
 * The F&O node's connection (client/connect.ts connectFno), one per n8n execution context, built from the same
 * credentials as the Dataverse node once the credential is known to point at Finance & Operations.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { connectFno, type FnoConnection } from '../../../client/connect';
import { D365Error } from '../../../client/http/errors';
import { connectionCache } from '../../shared/connection-cache';
import { connectionOptions, type AuthenticationKind } from '../../shared/credentials';
import { toNodeError } from '../helpers/errors';
import { credentialService } from './service';


export interface Connection {
  fno: FnoConnection;
}

const USER_AGENT = 'n8n-nodes-dynamics365/0.1 (Finance & Operations node)';

/** A connection from decrypted credentials (execute, the pickers and the credential test). */
export function connectFromCredentials(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject): Connection {
  const options = connectionOptions(kind, credentials, USER_AGENT);
  if (credentialService(credentials) !== 'financeOperations') {
    throw new D365Error(
      `The credential's environment ${options.environmentUrl} is a Dataverse environment. Use the URL of a Finance & Operations environment (https://<name>.operations.dynamics.com), or set the credential's Service to Finance & Operations.`,
      { code: 'NotFinanceOperations' },
    );
  }
  return { fno: connectFno(options) };
}

export const { getConnection, releaseConnection, withConnection } = connectionCache(connectFromCredentials, (conn) => conn.fno.close(), toNodeError);
