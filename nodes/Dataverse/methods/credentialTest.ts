import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';
import { connectFromCredentials, type AuthenticationKind } from '../transport/connection';
import { testFnoCredential } from '../../FinanceOperations/methods/credentialTest';
import { credentialService } from '../../FinanceOperations/transport/service';

/** Why a WhoAmI call failed, in words that say what to fix. */
export function explainFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof D365Error)) return `Could not connect: ${message}`;
  switch (error.code) {
    case 'AADSTS7000215':
    case 'AADSTS7000222':
      return `Wrong or expired client secret (${error.code}). ${message}`;
    case 'AADSTS90002':
      return `Wrong tenant (${error.code}). ${message}`;
    case 'AADSTS700016':
      return `Unknown application (client) ID (${error.code}). ${message}`;
    case '0x80072560':
      return `The app registration has no application user in this environment (${error.code}). ${message}`;
  }
  if (error.status === 403) return `Access denied by Dataverse (${error.code ?? 403}). ${message}`;
  if (error.status === 401) return `The token was refused (401). ${message}`;
  return `Could not connect${error.code ? ` (${error.code})` : ''}: ${message}`;
}

async function test(kind: AuthenticationKind, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  // n8n tests a credential type with the first node that declares it, so this one test serves F&O credentials too.
  if (credentialService(credential.data) === 'financeOperations') return testFnoCredential(kind, credential);
  let conn;
  try {
    conn = connectFromCredentials(kind, credential.data ?? {});
    const me = await conn.dv.whoAmI();
    return { status: 'OK', message: `Connected as user ${me.UserId} in organization ${me.OrganizationId}` };
  } catch (error) {
    return { status: 'Error', message: explainFailure(error) };
  } finally {
    conn?.dv.close();
  }
}

export async function dynamics365AppRegistrationApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  return test('appRegistration', credential);
}

export async function dynamics365OAuth2ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  return test('oAuth2', credential);
}
