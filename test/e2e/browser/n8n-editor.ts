/**
 * The parts of the n8n 2.41.1 editor the browser test uses, found by the data-test-id attributes n8n puts on them
 * (and by ARIA roles where n8n's menus carry no test id).
 */
import type { Locator, Page } from 'playwright-core';

/** The value shown by an n8n input: the element itself when it is an input, otherwise the first input inside it. */
export function shownValue(locator: Locator): Promise<string> {
  // runs in the page; the project compiles without DOM types, hence the structural type
  return locator.first().evaluate((el: any) => {
    const input = el.matches('input, textarea') ? el : el.querySelector('input, textarea');
    return input ? String(input.value) : '';
  });
}

export class N8nEditor {
  constructor(readonly page: Page, readonly baseUrl: string) {}

  async signIn(email: string, password: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
    await this.page.locator('input[name="emailOrLdapLoginId"]').fill(email);
    await this.page.locator('input[name="password"]').fill(password);
    await this.page.getByTestId('form-submit-button').click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  }

  async newWorkflow(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
    await this.page.getByTestId('canvas-add-button').waitFor();
  }

  get nodeCreator(): Locator {
    return this.page.getByTestId('node-creator');
  }

  /** An entry of the node creator's list (node, action or trigger) whose title is exactly `name`. */
  creatorItem(name: string): Locator {
    return this.nodeCreator.getByTestId('item-iterator-item').filter({ has: this.page.getByTestId('node-creator-item-name').getByText(name, { exact: true }) });
  }

  /** Opens the node creator (the first-step button on an empty canvas) and searches it. */
  async searchNodes(text: string, first = false): Promise<void> {
    await this.page.getByTestId(first ? 'canvas-add-button' : 'node-creator-plus-button').click();
    await this.page.getByTestId('node-creator-search-bar').fill(text);
  }

  get ndv(): Locator {
    return this.page.getByTestId('ndv');
  }

  parameter(name: string): Locator {
    return this.ndv.getByTestId(`parameter-input-${name}`);
  }

  /** An option of the open dropdown (n8n's selects render their options as ARIA options). */
  option(label: string): Locator {
    return this.page.getByRole('option', { name: label, exact: true });
  }

  get mappingFields(): Locator {
    return this.ndv.getByTestId('mapping-fields-container');
  }

  get outputPanel(): Locator {
    return this.ndv.getByTestId('output-panel');
  }
}
