/**
 * The Power Automate connectors for the running emulator: its live $metadata (Dataverse and Finance & Operations)
 * read through the generator's own metadata source, dynamic style, written as paconn folders into one directory.
 */
import type { RunningEmulator } from '../../emulator';
import { generateConnectors } from '../../connectors/generate';
import type { ServiceKind } from '../../connectors/types';
import { writeConnectors } from '../../connectors/write';
import { Progress } from '../connectors-cli/io';
import { loadMetadata } from '../connectors-cli/metadata-source';

export interface SandboxConnector {
  service: ServiceKind;
  folder: string;
}

export async function writeSandboxConnectors(emulator: RunningEmulator, outDir: string): Promise<SandboxConnector[]> {
  const sources: Array<[ServiceKind, string | undefined]> = [
    ['dataverse', emulator.dataverseUrl],
    ['fno', emulator.fnoUrl],
  ];
  const written: SandboxConnector[] = [];
  for (const [service, url] of sources) {
    if (!url) continue;
    const model = await loadMetadata(url, {
      service,
      maxMetadataMB: 256,
      progress: new Progress({ stdout: () => undefined, stderr: () => undefined }, false),
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      authority: emulator.authorityUrl,
      ca: emulator.caCertFile,
      env: {},
    });
    const result = generateConnectors(model, { service, style: 'dynamic' });
    for (const folder of await writeConnectors(result, outDir)) written.push({ service, folder });
  }
  return written;
}
