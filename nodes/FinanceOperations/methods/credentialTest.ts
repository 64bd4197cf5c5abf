import type { ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';
import { checkCredential, explainEntraFailure } from '../../shared/credential-test';
import type { AuthenticationKind } from '../../shared/credentials';
import { connectFromCredentials } from '../transport/connection';

/** Why the F&O check failed, in words that say what to fix. */
export function explainFnoFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof D365Error)) return `Could not connect to Finance & Operations: ${message}`;
  const entra = explainEntraFailure(error);
  if (entra) return entra;
  if (error.status === 401) {
    return `Finance & Operations refused the token (401): register the application's client ID under System administration > Setup > Microsoft Entra applications, mapped to an F&O user. ${message}`;
  }
  if (error.status === 403) return `Access denied by Finance & Operations (403): the F&O user of the application lacks the security roles. ${message}`;
  return `Could not connect to Finance & Operations${error.code ? ` (${error.code})` : ''}: ${message}`;
}

/** Calls the user session service: the cheapest call that proves the token, the app's F&O user and its company. */
export async function testFnoCredential(kind: AuthenticationKind, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  return checkCredential(
    () => connectFromCredentials(kind, credential.data ?? {}),
    async (conn) => {
      const info = await conn.fno.callService<{ UserId?: unknown; Company?: unknown }>('UserSessionService', 'AifUserSessionService', 'GetUserSessionInfo');
      const user = typeof info?.UserId === 'string' ? info.UserId : 'unknown';
      const company = typeof info?.Company === 'string' ? info.Company : 'unknown';
      return `Connected to Finance & Operations as user ${user}; default company ${company}`;
    },
    (conn) => conn.fno.close(),
    explainFnoFailure,
  );
}
