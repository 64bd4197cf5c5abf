/**
 * Jest globalSetup: what the suites need from outside npm, installed once before any suite starts so that
 * installs never compete with the timing-sensitive suites. A failed install does not abort the run: the suites that
 * need the tool fail with the reason (N8N_E2E_INSTALL_ERROR, MONO_INSTALL_ERROR, REDIS_INSTALL_ERROR).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
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

/** redis-server (Debian packages) is the queue of the n8n queue-mode suite, which starts its own instance. */
function ensureRedis(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return;
  } catch {
    /* missing: install it */
  }
  try {
    execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ci', 'install-redis.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 10 * 60_000 });
  } catch (e) {
    process.env.REDIS_INSTALL_ERROR = String(e?.message ?? e).slice(0, 2000);
    process.stderr.write(`[redis-install] FAILED, the queue-mode suite will fail: ${process.env.REDIS_INSTALL_ERROR}\n`);
  }
}

/** Debian's Chromium is the browser playwright-core drives in the n8n editor test (test/e2e/browser.test.ts). */
function ensureChromium(): void {
  if (fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) return;
  try {
    execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'ci', 'install-chromium.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  } catch (e) {
    process.env.CHROMIUM_INSTALL_ERROR = String(e?.message ?? e).slice(0, 2000);
    process.stderr.write(`[chromium-install] FAILED, the browser suite will fail: ${process.env.CHROMIUM_INSTALL_ERROR}\n`);
  }
}

export default async function globalSetup(globalConfig: { testPathPattern?: string; rootDir?: string }): Promise<void> {
  if (process.env.MONO_INSTALL !== '0') ensureMono();
  if (process.env.REDIS_INSTALL !== '0') ensureRedis();
  if (process.env.CHROMIUM_INSTALL !== '0') ensureChromium();
  await n8nGlobalSetup(globalConfig);
}
