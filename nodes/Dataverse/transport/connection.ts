/**
 * Builds one shared-client connection (client/connect.ts) from the node's credentials, cached per n8n execution
 * context so that every item of one run shares the token cache, the throttling state and the keep-alive sockets.
 *
 * OAuth2 (delegated): n8n owns the tokens. The connection reads `oauthTokenData.access_token` through a token
 * callback and never refreshes it itself; n8n refreshes the credential (refresh token) before or after a run.
 * A token refused with 401 therefore ends in an error that asks to reconnect the credential.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { connectDataverse, type DataverseConnection } from '../../../client/connect';
import { D365Error } from '../../../client/http/errors';
import { EntityDefinitions } from '../../../client/metadata/entity-definitions';

export type AuthenticationKind = 'appRegistration' | 'oAuth2';

/** The credential type each authentication choice reads. */
export function credentialTypeFor(kind: AuthenticationKind): string {
  return kind === 'oAuth2' ? 'dynamics365OAuth2Api' : 'dynamics365AppRegistrationApi';
}

export interface Connection {
  dv: DataverseConnection;
  metadata: EntityDefinitions;
}

/** Anything n8n hands a node method that can read credentials and parameters. */
export interface CredentialSource {
  getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
  getNodeParameter(name: string, ...rest: any[]): unknown;
}

const USER_AGENT = 'n8n-nodes-dynamics365/0.1 (Dataverse node)';
const cache = new WeakMap<object, Promise<Connection>>();

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** A connection from decrypted credentials (used by execute, the pickers and the credential test). */
export function connectFromCredentials(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject): Connection {
  const environmentUrl = text(credentials.environmentUrl);
  if (!environmentUrl) throw new D365Error('The credential has no environment URL.', { code: 'InvalidAuthConfiguration' });
  const ca = text(credentials.caCertificatePem) || undefined;
  let dv: DataverseConnection;
  if (kind === 'oAuth2') {
    const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
    dv = connectDataverse({
      environmentUrl,
      ca,
      userAgent: USER_AGENT,
      credentials: {
        kind: 'callback',
        getAccessToken: async ({ reason }) => {
          const token = text(tokenData.access_token);
          if (!token || reason === 'unauthorized') {
            throw new D365Error('The OAuth2 credential has no valid access token: reconnect the credential in n8n.', {
              code: 'InvalidAuthConfiguration',
              status: 401,
            });
          }
          // n8n does not tell when the token was issued; it refreshes it itself, so treat it as good for this run.
          return { token, expiresOnMs: Date.now() + 60 * 60 * 1000 };
        },
      },
    });
  } else {
    const common = {
      clientId: text(credentials.clientId),
      tenantId: text(credentials.tenantId) || undefined,
      cloud: (text(credentials.cloud) || undefined) as 'public' | undefined,
      authorityUrl: text(credentials.authorityUrl) || undefined,
    };
    // With an authority override the tenant is the one it names.
    if (common.authorityUrl) delete common.tenantId;
    dv = connectDataverse({
      environmentUrl,
      ca,
      userAgent: USER_AGENT,
      credentials:
        text(credentials.authMethod) === 'certificate'
          ? {
              kind: 'certificate',
              ...common,
              certificate: { privateKeyPem: text(credentials.privateKeyPem), certificatePem: text(credentials.certificatePem) || undefined },
            }
          : { kind: 'secret', ...common, clientSecret: text(credentials.clientSecret) },
    });
  }
  const metadata = new EntityDefinitions({
    environmentUrl: dv.environmentUrl,
    get: async (pathAndQuery) => {
      const response = await dv.context.executeJson({ method: 'GET', path: pathAndQuery, idempotent: true, operation: 'metadata' });
      return response;
    },
  });
  return { dv, metadata };
}

/** The connection of this execution (one per context object), created on first use. */
export function getConnection(ctx: CredentialSource & object, authentication?: AuthenticationKind): Promise<Connection> {
  let existing = cache.get(ctx);
  if (!existing) {
    existing = (async () => {
      const kind = authentication ?? (ctx.getNodeParameter('authentication', 0, 'appRegistration') as AuthenticationKind);
      const credentials = await ctx.getCredentials(credentialTypeFor(kind));
      return connectFromCredentials(kind, credentials);
    })();
    cache.set(ctx, existing);
    existing.catch(() => cache.delete(ctx));
  }
  return existing;
}

/** Frees the sockets of this execution's connection. */
export async function releaseConnection(ctx: object): Promise<void> {
  const existing = cache.get(ctx);
  if (!existing) return;
  cache.delete(ctx);
  try {
    (await existing).dv.close();
  } catch {
    // The connection was never made; nothing to free.
  }
}
