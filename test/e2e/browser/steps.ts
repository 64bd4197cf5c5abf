/**
 * Named steps of a browser test: a step that fails leaves a screenshot of the page as it was, and the error names the
 * step and the screenshot's path, so a failure in CI can be understood without running it again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';

export const FAILURE_DIR = process.env.BROWSER_E2E_FAILURE_DIR ?? path.join(os.tmpdir(), 'n8n-browser-test-failures');

export function stepRunner(page: Page, log: (line: string) => void = () => undefined) {
  let index = 0;
  return async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
    index++;
    const t0 = Date.now();
    try {
      const result = await action();
      log(`step ${index} "${name}" done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    } catch (e) {
      fs.mkdirSync(FAILURE_DIR, { recursive: true });
      const file = path.join(FAILURE_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-step${index}-${name.replace(/\W+/g, '-').toLowerCase()}.png`);
      const shot = await page.screenshot({ path: file, timeout: 30_000 }).then(
        () => `screenshot: ${file}`,
        (s: Error) => `no screenshot (${s.message.split('\n')[0]})`,
      );
      throw new Error(`Browser step ${index} "${name}" failed after ${((Date.now() - t0) / 1000).toFixed(1)} s (${shot}; page ${page.url()}): ${(e as Error).message}`);
    }
  };
}
