/**
 * Jest globalSetup: what the suites need from outside npm, installed once before any suite starts so that
 * installs never compete with the timing-sensitive suites. A failed install does not abort the run: the suites that
 * need the tool fail with the reason (N8N_E2E_INSTALL_ERROR, MONO_INSTALL_ERROR).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import n8nGlobalSetup from './e2e/global-setup';
import { monoMissing } from './helpers/csx-runner';

/** Mono (Debian packages) compiles and runs the generated connectors' script.csx in the connector tests. */
function ensureMono(): void {
  if (!monoMissing()) return;
  try {
    execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ci', 'install-mono.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  } catch (e) {
    process.env.MONO_INSTALL_ERROR = String(e?.message ?? e).slice(0, 2000);
    process.stderr.write(`[mono-install] FAILED, the script.csx suites will fail: ${process.env.MONO_INSTALL_ERROR}\n`);
  }
}

export default async function globalSetup(globalConfig: { testPathPattern?: string; rootDir?: string }): Promise<void> {
  if (process.env.MONO_INSTALL !== '0') ensureMono();
  await n8nGlobalSetup(globalConfig);
}
