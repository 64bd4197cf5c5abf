/**
 * One F&O connection (client/connect.ts connectFno) per n8n execution context, built from the same credentials as
 * the Dataverse node: every item of a run shares the token cache, throttling state, `$metadata` and sockets.
 * OAuth2: n8n owns and refreshes the tokens; the connection only reads the current access token.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { connectFno, type FnoConnection } from '../../../client/connect';
import { D365Error } from '../../../client/http/errors';
import { credentialTypeFor, type AuthenticationKind, type CredentialSource } from '../../Dataverse/transport/connection';
import { credentialService } from './service';

export type { AuthenticationKind, CredentialSource };

export interface Connection {
  fno: FnoConnection;
}

const USER_AGENT = 'n8n-nodes-dynamics365/0.1 (Finance & Operations node)';
const cache = new WeakMap<object, Promise<Connection>>();

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** A connection from decrypted credentials (execute, the pickers and the credential test). */
export function connectFromCredentials(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject): Connection {
  const environmentUrl = text(credentials.environmentUrl);
  if (!environmentUrl) throw new D365Error('The credential has no environment URL.', { code: 'InvalidAuthConfiguration' });
  if (credentialService(credentials) !== 'financeOperations') {
    throw new D365Error(
      `The credential's environment ${environmentUrl} is a Dataverse environment. Use the URL of a Finance & Operations environment (https://<name>.operations.dynamics.com), or set the credential's Service to Finance & Operations.`,
      { code: 'NotFinanceOperations' },
    );
  }
  const ca = text(credentials.caCertificatePem) || undefined;
  if (kind === 'oAuth2') {
    const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
    return {
      fno: connectFno({
        environmentUrl,
        ca,
        userAgent: USER_AGENT,
        credentials: {
          kind: 'callback',
          getAccessToken: async ({ reason }) => {
            const token = text(tokenData.access_token);
            if (!token || reason === 'unauthorized') {
              throw new D365Error('The OAuth2 credential has no valid access token: reconnect the credential in n8n.', { code: 'InvalidAuthConfiguration', status: 401 });
            }
            // n8n refreshes the token itself and does not say when it was issued: good for this run.
            return { token, expiresOnMs: Date.now() + 60 * 60 * 1000 };
          },
        },
      }),
    };
  }
  const common = {
    clientId: text(credentials.clientId),
    tenantId: text(credentials.tenantId) || undefined,
    cloud: (text(credentials.cloud) || undefined) as 'public' | undefined,
    authorityUrl: text(credentials.authorityUrl) || undefined,
  };
  // With an authority override the tenant is the one it names.
  if (common.authorityUrl) delete common.tenantId;
  return {
    fno: connectFno({
      environmentUrl,
      ca,
      userAgent: USER_AGENT,
      credentials:
        text(credentials.authMethod) === 'certificate'
          ? { kind: 'certificate', ...common, certificate: { privateKeyPem: text(credentials.privateKeyPem), certificatePem: text(credentials.certificatePem) || undefined } }
          : { kind: 'secret', ...common, clientSecret: text(credentials.clientSecret) },
    }),
  };
}

/** The connection of this execution (one per context object), created on first use. */
export function getConnection(ctx: CredentialSource & object, authentication?: AuthenticationKind): Promise<Connection> {
  let existing = cache.get(ctx);
  if (!existing) {
    existing = (async () => {
      const kind = authentication ?? (ctx.getNodeParameter('authentication', 0, 'appRegistration') as AuthenticationKind);
      return connectFromCredentials(kind, await ctx.getCredentials(credentialTypeFor(kind)));
    })();
    cache.set(ctx, existing);
    existing.catch(() => cache.delete(ctx));
  }
  return existing;
}

export async function releaseConnection(ctx: object): Promise<void> {
  const existing = cache.get(ctx);
  if (!existing) return;
  cache.delete(ctx);
  try {
    (await existing).fno.close();
  } catch {
    // The connection was never made; nothing to free.
  }
}
