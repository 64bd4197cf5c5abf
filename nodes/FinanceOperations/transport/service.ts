/**
 * Which service a Dynamics 365 credential points at. The credential's `service` field says so; when it is 'auto' (or
 * absent, as in credentials saved before the field existed) the host decides: F&O environments live on
 * *.operations.dynamics.com (also sandboxes), *.cloudax.dynamics.com (cloud-hosted) and *.cloud.onebox.dynamics.com
 * (one-box); everything else is Dataverse, so existing Dataverse credentials keep working as they were.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

export type DynamicsService = 'dataverse' | 'financeOperations';

const FNO_HOST = /\.(operations|cloudax|cloud\.onebox)\.dynamics\.com$/i;

export function isFnoHost(environmentUrl: string): boolean {
  try {
    return FNO_HOST.test(new URL(environmentUrl).hostname);
  } catch {
    return false;
  }
}

export function credentialService(credentials: ICredentialDataDecryptedObject | undefined): DynamicsService {
  const chosen = typeof credentials?.service === 'string' ? credentials.service : 'auto';
  if (chosen === 'dataverse' || chosen === 'financeOperations') return chosen;
  return isFnoHost(typeof credentials?.environmentUrl === 'string' ? credentials.environmentUrl.trim() : '') ? 'financeOperations' : 'dataverse';
}
