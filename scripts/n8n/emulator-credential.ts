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
