import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';
import { checkCredential, explainEntraFailure } from '../../shared/credential-test';
import type { AuthenticationKind } from '../../shared/credentials';
import { connectFromCredentials } from '../transport/connection';
import { testFnoCredential } from '../../FinanceOperations/methods/credentialTest';
import { credentialService } from '../../FinanceOperations/transport/service';

/** Why a WhoAmI call failed, in words that say what to fix. */
export function explainFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof D365Error)) return `Could not connect: ${message}`;
  const entra = explainEntraFailure(error);
  if (entra) return entra;
  if (error.code === '0x80072560') return `The app registration has no application user in this environment (${error.code}). ${message}`;
  if (error.status === 403) return `Access denied by Dataverse (${error.code ?? 403}). ${message}`;
  if (error.status === 401) return `The token was refused (401). ${message}`;
  return `Could not connect${error.code ? ` (${error.code})` : ''}: ${message}`;
}

async function test(kind: AuthenticationKind, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  // n8n tests a credential type with the first node that declares it, so this one test serves F&O credentials too.
  if (credentialService(credential.data) === 'financeOperations') return testFnoCredential(kind, credential);
  return checkCredential(
    () => connectFromCredentials(kind, credential.data ?? {}),
    async (conn) => {
      const me = await conn.dv.whoAmI();
      return `Connected as user ${me.UserId} in organization ${me.OrganizationId}`;
    },
    (conn) => conn.dv.close(),
    explainFailure,
  );
}

export async function dynamics365AppRegistrationApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  return test('appRegistration', credential);
}

export async function dynamics365OAuth2ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
  return test('oAuth2', credential);
}
