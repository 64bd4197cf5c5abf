/**
 * From a decrypted Dynamics 365 credential to the options of a client connection (client/connect.ts), the same for
 * Dataverse and Finance & Operations: both services take the same app registration or signed-in user.
 *
 * OAuth2 (delegated): n8n owns the tokens. The connection reads `oauthTokenData.access_token` through a token
 * callback and never refreshes it itself; n8n refreshes the credential (refresh token) before or after a run.
 * A token refused with 401 therefore ends in an error that asks to reconnect the credential.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import type { DataverseConnectionOptions } from '../../client/connect';
import { D365Error } from '../../client/http/errors';

export type AuthenticationKind = 'appRegistration' | 'oAuth2';

/** The credential type each authentication choice reads. */
export function credentialTypeFor(kind: AuthenticationKind): string {
  return kind === 'oAuth2' ? 'dynamics365OAuth2Api' : 'dynamics365AppRegistrationApi';
}

/** Anything n8n hands a node method that can read credentials and parameters. */
export interface CredentialSource {
  getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
  getNodeParameter(name: string, ...rest: any[]): unknown;
}

/** What connectDataverse and connectFno both need. */
export type ConnectionOptions = Required<Pick<DataverseConnectionOptions, 'environmentUrl' | 'credentials' | 'userAgent'>> & Pick<DataverseConnectionOptions, 'ca'>;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function tokenSource(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject): ConnectionOptions['credentials'] {
  if (kind === 'oAuth2') {
    const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
    return {
      kind: 'callback',
      getAccessToken: async ({ reason }) => {
        const token = text(tokenData.access_token);
        if (!token || reason === 'unauthorized') {
          throw new D365Error('The OAuth2 credential has no valid access token: reconnect the credential in n8n.', { code: 'InvalidAuthConfiguration', status: 401 });
        }
        // n8n does not tell when the token was issued; it refreshes it itself, so treat it as good for this run.
        return { token, expiresOnMs: Date.now() + 60 * 60 * 1000 };
      },
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
  return text(credentials.authMethod) === 'certificate'
    ? { kind: 'certificate', ...common, certificate: { privateKeyPem: text(credentials.privateKeyPem), certificatePem: text(credentials.certificatePem) || undefined } }
    : { kind: 'secret', ...common, clientSecret: text(credentials.clientSecret) };
}

/** The connection options a credential gives; a credential without an environment URL is refused. */
export function connectionOptions(kind: AuthenticationKind, credentials: ICredentialDataDecryptedObject, userAgent: string): ConnectionOptions {
  const environmentUrl = text(credentials.environmentUrl);
  if (!environmentUrl) throw new D365Error('The credential has no environment URL.', { code: 'InvalidAuthConfiguration' });
  return { environmentUrl, ca: text(credentials.caCertificatePem) || undefined, userAgent, credentials: tokenSource(kind, credentials) };
}
