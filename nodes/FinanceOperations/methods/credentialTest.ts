import type { ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';
import { connectFromCredentials, type AuthenticationKind } from '../transport/connection';

/** Why the F&O check failed, in words that say what to fix. */
export function explainFnoFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof D365Error)) return `Could not connect to Finance & Operations: ${message}`;
  switch (error.code) {
    case 'AADSTS7000215':
    case 'AADSTS7000222':
      return `Wrong or expired client secret (${error.code}). ${message}`;
    case 'AADSTS90002':
      return `Wrong tenant (${error.code}). ${message}`;
    case 'AADSTS700016':
      return `Unknown application (client) ID (${error.code}). ${message}`;
  }
  if (error.status === 401) {
    return `Finance & Operations refused the token (401): register the application's client ID under System administration > Setup > Microsoft Entra applications, mapped to an F&O user. ${message}`;
  }
  if (error.status === 403) return `Access denied by Finance & Operations (403): the F&O user of the application lacks the security roles. ${message}`;
  return `Could not connect to Finance & Operations${error.code ? ` (${error.code})` : ''}: ${message}`;
}

/** Calls the user session service: the cheapest call that proves the token, the app's F&O user and its company. */
export async function testFnoCredential(kind: AuthenticationKind, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  let conn;
  try {
    conn = connectFromCredentials(kind, credential.data ?? {});
    const info = await conn.fno.callService<{ UserId?: unknown; Company?: unknown }>('UserSessionService', 'AifUserSessionService', 'GetUserSessionInfo');
    const user = typeof info?.UserId === 'string' ? info.UserId : 'unknown';
    const company = typeof info?.Company === 'string' ? info.Company : 'unknown';
    return { status: 'OK', message: `Connected to Finance & Operations as user ${user}; default company ${company}` };
  } catch (error) {
    return { status: 'Error', message: explainFnoFailure(error) };
  } finally {
    conn?.fno.close();
  }
}
