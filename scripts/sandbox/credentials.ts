/**
 * The sandbox's two n8n credentials, "Dynamics 365 App Registration" for Dataverse and for Finance & Operations,
 * created once and repointed through n8n's public API when the emulator comes up on other ports.
 *
 * They carry no CA certificate: the emulator makes a new CA at every start, which a stored copy would not match.
 * n8n trusts it through NODE_EXTRA_CA_CERTS (the emulator's caCertFile, rewritten at every start) instead.
 */
import { createHash } from 'node:crypto';
import type { RunningEmulator } from '../../emulator';
import { APP_REGISTRATION_CREDENTIAL, emulatorCredentialData, emulatorFnoCredentialData } from '../n8n/emulator-credential';
import type { N8nApi } from '../n8n/harness';
import type { SandboxCredentialState } from './state';

export interface SandboxCredential {
  key: 'dataverse' | 'fno';
  id: string;
  name: string;
  /** Created or updated by this start (not the same as before). */
  changed: boolean;
}

const NAMES = { dataverse: 'Dataverse (sandbox emulator)', fno: 'Finance & Operations (sandbox emulator)' } as const;

function dataFor(key: SandboxCredential['key'], emulator: RunningEmulator): Record<string, unknown> {
  const data = key === 'dataverse' ? emulatorCredentialData(emulator) : emulatorFnoCredentialData(emulator);
  delete data.caCertificatePem;
  return data;
}

const hashOf = (data: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(data)).digest('hex');

async function findCredential(api: N8nApi, id: string): Promise<{ id: string; name: string } | undefined> {
  try {
    const found = await api.publicApi('GET', `/credentials/${id}`);
    return { id: String(found.id), name: String(found.name) };
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

export async function ensureSandboxCredentials(api: N8nApi, emulator: RunningEmulator, saved: Record<string, SandboxCredentialState>): Promise<SandboxCredential[]> {
  const result: SandboxCredential[] = [];
  for (const key of ['dataverse', 'fno'] as const) {
    if (key === 'fno' && !emulator.fnoUrl) continue;
    const data = dataFor(key, emulator);
    const dataHash = hashOf(data);
    const known = saved[key] ? await findCredential(api, saved[key].id) : undefined;
    if (known && saved[key].dataHash === dataHash) {
      result.push({ key, ...known, changed: false });
      continue;
    }
    if (known) {
      await api.publicApi('PATCH', `/credentials/${known.id}`, { data, isPartialData: false });
      saved[key] = { id: known.id, dataHash };
      result.push({ key, ...known, changed: true });
      continue;
    }
    const created = await api.createCredential(APP_REGISTRATION_CREDENTIAL, data, NAMES[key]);
    saved[key] = { id: created.id, dataHash };
    result.push({ key, id: created.id, name: created.name, changed: true });
  }
  return result;
}
