/**
 * The Dataverse node in the real n8n 2.41.1 editor, driven through Debian's Chromium with playwright-core: sign in,
 * build Manual Trigger → Dynamics 365 Dataverse (Row / Create), pick the table from the list the node loads from the
 * emulator, map a text column and a choice column whose option set labels come from the emulator, execute the node,
 * read the created row in the output panel and find it in the emulator with the mapped values. The screenshots the
 * docs show are taken along the way into docs/images/.
 *
 * The editor is the sandbox `npm start` runs (BROWSER_E2E_SOURCE=harness: the e2e harness instead). A failed step
 * names itself and leaves a screenshot under BROWSER_E2E_FAILURE_DIR (default: <tmpdir>/n8n-browser-test-failures).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from './browser/chromium';
import { startEditorSandbox, type EditorSandbox } from './browser/editor-sandbox';
import { N8nEditor, shownValue } from './browser/n8n-editor';
import { stepRunner } from './browser/steps';

jest.setTimeout(15 * 60_000);

const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');
const SEED = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse-seed.json');
/** The schema view lists a column as its name, then its value. */
const ACCOUNT_ID = /(?:^|\n)\s*accountid\s*\n\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** The industrycode option set as the emulator's model declares it: [value, label] pairs. */
const industryChoices: Array<[number, string]> = JSON.parse(fs.readFileSync(SEED, 'utf8')).tables.account.choices.industrycode;

/** Polls `read` until `accept` holds (bounded); the page updates asynchronously after every click. */
async function until<T>(what: string, read: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function docScreenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: path.join(IMAGES, name), timeout: 30_000 });
}

describe('Dataverse node in the n8n editor (Chromium)', () => {
  let sandbox: EditorSandbox;
  let browser: LaunchedChromium;

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    sandbox = await startEditorSandbox();
    process.stderr.write(`[browser-e2e] n8n from ${sandbox.source} at ${sandbox.n8nUrl}\n`);
    browser = await launchChromium();
    browser.page.setDefaultTimeout(60_000); // a loaded 2-core machine renders slowly; every wait is still bounded
    browser.page.setDefaultNavigationTimeout(120_000);
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  }, 120_000);

  it('creates an account row with a mapped name and choice, shown in the output panel and stored in the emulator', async () => {
    const { page } = browser;
    const editor = new N8nEditor(page, sandbox.n8nUrl);
    const step = stepRunner(page, (line) => process.stderr.write(`[browser-e2e] ${line}\n`));
    const accountName = `Browser Test ${Date.now()}`;
    const [industryValue, industryLabel] = industryChoices.find(([, label]) => label === 'Consulting')!;

    await step('sign in as the owner', () => editor.signIn(sandbox.email, sandbox.password));
    await step('open a new workflow', () => editor.newWorkflow());

    await step('add a Manual Trigger', async () => {
      await editor.searchNodes('Manual Trigger', true);
      await editor.creatorItem('Manual Trigger').click();
      await page.getByTestId('canvas-trigger-node').waitFor();
    });

    await step('add Dynamics 365 Dataverse → Create a row', async () => {
      await editor.searchNodes('Dynamics 365 Dataverse');
      await editor.creatorItem('Dynamics 365 Dataverse').click();
      await editor.creatorItem('Create a row').hover(); // scrolls the Row actions into view
      await docScreenshot(page, 'n8n-dataverse-actions.png');
      await editor.creatorItem('Create a row').click();
      await editor.ndv.waitFor();
    });

    await step('Resource Row, Operation Create', async () => {
      await until('Resource', () => shownValue(editor.parameter('resource')), (v) => v === 'Row');
      await until('Operation', () => shownValue(editor.parameter('operation')), (v) => v === 'Create');
    });

    await step('choose the emulator credential', async () => {
      await editor.ndv.getByTestId('node-credentials-select').click();
      await page.getByRole('option').filter({ hasText: sandbox.credentialName }).first().click();
      await until('Credential', () => shownValue(editor.ndv.getByTestId('node-credentials-select')), (v) => v === sandbox.credentialName);
    });

    await step('pick the Account table from the list loaded from the emulator', async () => {
      const locator = editor.ndv.getByTestId('resource-locator-table');
      await locator.getByTestId('rlc-input').click();
      const items = page.getByTestId('rlc-item');
      await items.filter({ hasText: 'Account (accounts)' }).waitFor();
      const listed = await items.allInnerTexts();
      // the emulator's own custom table proves the list came from its metadata
      for (const table of ['Account (accounts)', 'Contact (contacts)', 'Document (sample_documents)']) {
        if (!listed.includes(table)) throw new Error(`table list lacks ${table}: ${listed.join(', ')}`);
      }
      await docScreenshot(page, 'n8n-dataverse-table-list.png');
      await items.filter({ hasText: 'Account (accounts)' }).click();
      await until('Table', () => shownValue(locator.getByTestId('rlc-input')), (v) => v === 'Account (accounts)');
    });

    await step('map the name column', async () => {
      const name = editor.mappingFields.getByTestId('parameter-input-name').locator('input, textarea').first();
      await name.fill(accountName);
      await until('name', () => name.inputValue(), (v) => v === accountName);
    });

    await step('map the industrycode choice column with its option set labels', async () => {
      await page.getByTestId('add-fields-select').click();
      await page.getByRole('menuitem', { name: 'industrycode', exact: true }).click();
      await editor.mappingFields.getByTestId('parameter-input-industrycode').click();
      await editor.option(industryLabel).waitFor();
      const labels = await page.getByRole('option').allInnerTexts();
      const expected = industryChoices.map(([, label]) => label);
      if (JSON.stringify(labels.map((l) => l.trim())) !== JSON.stringify(expected)) throw new Error(`industrycode options ${JSON.stringify(labels)}, expected ${JSON.stringify(expected)}`);
      await docScreenshot(page, 'n8n-dataverse-choice-column.png');
      await editor.option(industryLabel).click();
      await until('industrycode', () => shownValue(editor.mappingFields.getByTestId('parameter-input-industrycode')), (v) => v === industryLabel);
    });

    const accountId = await step('execute the node and see the created row in the output panel', async () => {
      await editor.ndv.getByTestId('node-execute-button').click();
      const output = editor.outputPanel;
      await output.getByTestId('node-run-status-success').or(output.getByTestId('node-error-message')).or(page.getByTestId('node-error-message')).first().waitFor();
      if (!(await output.getByTestId('node-run-status-success').isVisible())) throw new Error(`the node failed: ${(await output.innerText()).slice(0, 2000)}`);
      // the schema view's search narrows the row's columns to those whose name or value matches
      await output.getByTestId('radio-button-schema').click();
      const search = output.getByTestId('ndv-search');
      const shown = () => output.getByTestId('ndv-data-container').innerText();
      await search.fill('accountid');
      const withId = await until('accountid in the output', shown, (t) => ACCOUNT_ID.test(t));
      const id = ACCOUNT_ID.exec(withId)![1];
      await search.fill(accountName);
      await until('the mapped name in the output', shown, (t) => t.includes(accountName));
      await docScreenshot(page, 'n8n-dataverse-created-row.png');
      return id;
    });

    await step('find the row in the emulator with the mapped values', async () => {
      const row = await sandbox.readAccount(accountId);
      if (!row) throw new Error(`account ${accountId} is not in the emulator`);
      expect(row).toMatchObject({ name: accountName, industrycode: industryValue });
    });
  });
});
