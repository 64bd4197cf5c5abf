/**
 * Jest globalSetup: installs Node 24 + n8n 2.41.1 into the cache once, before any suite starts, so the install
 * (minutes, CPU-heavy when cold) never competes with the timing-sensitive suites. Skipped when the selected test
 * paths cannot include test/e2e or when N8N_E2E=0. A failure does not abort the run: the e2e suite reports it.
 */
import * as path from 'node:path';
import { ensureN8nInstalled } from '../../scripts/n8n/install';

export default async function globalSetup(globalConfig: { testPathPattern?: string; rootDir?: string }): Promise<void> {
  if (process.env.N8N_E2E === '0') return;
  const smoke = path.join(__dirname, 'n8n-smoke.test.ts');
  const pattern = globalConfig.testPathPattern ?? '';
  try {
    if (pattern && !new RegExp(pattern, 'i').test(smoke)) return;
  } catch {
    /* not a regex: install anyway */
  }
  try {
    await ensureN8nInstalled();
  } catch (e) {
    process.env.N8N_E2E_INSTALL_ERROR = String(e?.message ?? e).slice(0, 4000);
    process.stderr.write(`[n8n-install] FAILED, the e2e suite will fail: ${process.env.N8N_E2E_INSTALL_ERROR}\n`);
  }
}
