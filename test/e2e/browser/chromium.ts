/**
 * Debian's Chromium driven by playwright-core (which never downloads a browser of its own), headless, with a fresh
 * profile per launch. The flags keep Chromium off the network: on a closed machine its background connections are
 * refused and it fails to look up Google's hosts at every start.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** n8n marks its elements with data-test-id, so getByTestId() finds them. */
selectors.setTestIdAttribute('data-test-id');

export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<LaunchedChromium> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    const why = process.env.CHROMIUM_INSTALL_ERROR ? `its install failed in globalSetup: ${process.env.CHROMIUM_INSTALL_ERROR}` : 'run scripts/ci/install-chromium.sh';
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: ${why}`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      deviceScaleFactor: 1,
      timeout: 120_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      async close() {
        await context.close().catch(() => undefined);
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
