/** The Dataverse node's connection (client/connect.ts connectDataverse), one per n8n execution context. */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { connectDataverse, type DataverseConnection } from '../../../client/connect';
import { EntityDefinitions } from '../../../client/metadata/entity-definitions';
import { connectionCache } from '../../shared/connection-cache';
import { connectionOptions, type AuthenticationKind } from '../../shared/credentials';
import { toNodeError } from '../helpers/errors';


export interface Connection {
  dv: DataverseConnection;
  metadata: EntityDefinitions;
}

const USER_AGENT = 'n8n-nodes-dynamics365/0.1 (Dataverse node)';

/** A connection from decrypted credentials (used by execute, the pickers and the credential test). */
export function connectFromCredentials(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject): Connection {
  const dv = connectDataverse(connectionOptions(kind, credentials, USER_AGENT));
  const metadata = new EntityDefinitions({
    environmentUrl: dv.environmentUrl,
    get: async (pathAndQuery) => dv.context.executeJson({ method: 'GET', path: pathAndQuery, idempotent: true, operation: 'metadata' }),
  });
  return { dv, metadata };
}

export const { getConnection, releaseConnection, withConnection } = connectionCache(connectFromCredentials, (conn) => conn.dv.close(), toNodeError);
