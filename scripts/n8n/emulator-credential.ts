/**
 * The "Dynamics 365 App Registration" credential data that points at a running emulator: its URL, its Entra
 * authority and app, and its CA so n8n trusts its certificate. Used by the sandbox, the benchmarks and the tests.
 */
import type { RunningEmulator } from '../../emulator';

export const APP_REGISTRATION_CREDENTIAL = 'dynamics365AppRegistrationApi';

export function emulatorCredentialData(emulator: RunningEmulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    environmentUrl: emulator.dataverseUrl,
    cloud: 'public',
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    authMethod: 'secret',
    clientSecret: emulator.clientSecret,
    authorityUrl: emulator.authorityUrl,
    caCertificatePem: emulator.caCertPem,
    ...overrides,
  };
}

/**
 * The same credential pointed at the emulator's Finance & Operations origin. That origin is a loopback URL, which
 * cannot be recognised by its host, so the service is named explicitly.
 */
export function emulatorFnoCredentialData(emulator: RunningEmulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  if (!emulator.fnoUrl) throw new Error('The emulator was started without its Finance & Operations environment (fno: false).');
  return emulatorCredentialData(emulator, { environmentUrl: emulator.fnoUrl, service: 'financeOperations', ...overrides });
}
