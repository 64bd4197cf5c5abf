/**
 * npm start's options: the emulator's own (scripts/emulator.ts) plus --no-n8n, which starts the emulator and writes
 * the connectors but leaves n8n out.
 */
import type { EmulatorOptions } from '../../emulator';
import { parseEmulatorArgs } from '../emulator';

export interface SandboxArgs {
  n8n: boolean;
  emulator: EmulatorOptions;
}

export const SANDBOX_USAGE = `Usage: npm start -- [--no-n8n] [emulator options]

  --no-n8n           start only the emulator and write the connectors
  --port N           Dataverse port of the emulator (default 8443, or a free one when taken)
  --limits PRESET    service protection limits: real (default), test or off
  --data DIR         where the emulator keeps its rows (default .emulator-data)
  --help             show this help

Other options of \`npm run emulator\` (--metadata, --faults, --no-sample-data, --token-lifetime) apply too.`;

export function parseSandboxArgs(argv: string[]): SandboxArgs {
  const rest = argv.filter((a) => a !== '--no-n8n');
  return { n8n: rest.length === argv.length, emulator: parseEmulatorArgs(rest) };
}
