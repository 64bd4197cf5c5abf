/**
 * Custom code in generated packages: script parts composed into one script.csx, carried by the package into the
 * folder (script.csx, apiProperties.json scriptOperations, settings.json script, RUNBOOK.md), and the validate
 * command's script rules on real written folders.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors } from '../../connectors/generate';
import { packageFor } from '../../connectors/package';
import { addScriptParts, composeScript, MAX_SCRIPT_BYTES, ScriptCompositionError, scriptOperationIds, scriptPartsOf } from '../../connectors/script';
import type { ScriptPart } from '../../connectors/script';
import { validateConnectorFolder } from '../../connectors/validate';
import { writeConnectors } from '../../connectors/write';

const MODEL = parseCsdl(fs.readFileSync(path.resolve(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml'), 'utf8'));

const part = (method: string, operationIds: string[], body = 'return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);'): ScriptPart => ({
  operationIds,
  method,
  csharp: `private async Task<HttpResponseMessage> ${method}()\n{\n    ${body}\n}`,
  why: `${method} adjusts ${operationIds.join(', ')}.`,
});

describe('composeScript', () => {
  test('one Script class dispatching each operation to its part, everything else passed through', () => {
    const script = composeScript([part('First', ['OpA', 'OpB']), part('Second', ['OpC'])]);
    expect(script).toMatch(/public class Script : ScriptBase\n\{/);
    expect(script).toContain('public override async Task<HttpResponseMessage> ExecuteAsync()');
    expect(script).toContain('switch (this.Context.OperationId)');
    expect(script).toMatch(/case "OpA":\n\s+case "OpB":\n\s+return await this\.First\(\)\.ConfigureAwait\(false\);/);
    expect(script).toMatch(/case "OpC":\n\s+return await this\.Second\(\)\.ConfigureAwait\(false\);/);
    // The default: forward the request unchanged.
    expect(script).toMatch(/\}\n\s+return await this\.Context\.SendAsync\(this\.Context\.Request, this\.CancellationToken\)/);
    expect(script).toContain('    private async Task<HttpResponseMessage> First()');
    expect(script).not.toMatch(/^\s*using /m);
    expect(scriptOperationIds([part('First', ['OpA', 'OpB']), part('Second', ['OpC'])])).toEqual(['OpA', 'OpB', 'OpC']);
  });

  test.each([
    ['no parts', [], 'at least one part'],
    ['a method that is no identifier', [part('Bad-Name', ['OpA'])], "'Bad-Name' is not a C# identifier"],
    ['a method hiding ExecuteAsync', [part('ExecuteAsync', ['OpA'])], 'would hide a member'],
    ['two parts with one method', [part('Same', ['OpA']), part('Same', ['OpB'])], "declare the method 'Same'"],
    ['one operation in two parts', [part('First', ['OpA']), part('Second', ['OpA'])], "'OpA' is handled by two script parts: 'First' and 'Second'"],
    ['an operationId with a hyphen', [part('First', ['Op-A'])], "'Op-A', which is not PascalCase"],
    ['a part without operations', [part('First', [])], 'handles no operation'],
    ['C# that does not declare the method', [{ ...part('First', ['OpA']), csharp: 'private void Other() {}' }], "must declare 'Task<HttpResponseMessage> First()'"],
    ['a using directive', [{ ...part('First', ['OpA']), csharp: `using System.Web;\n${part('First', ['OpA']).csharp}` }], 'has a using directive'],
    ['no why', [{ ...part('First', ['OpA']), why: ' ' }], 'says nothing about why'],
  ])('refuses %s with a clear error', (_label, parts, message) => {
    expect(() => composeScript(parts as ScriptPart[])).toThrow(ScriptCompositionError);
    expect(() => composeScript(parts as ScriptPart[])).toThrow(message);
  });

  test('refuses a script of 1 MB or more, naming both sizes', () => {
    const huge = part('Huge', ['OpA'], `var s = "${'x'.repeat(MAX_SCRIPT_BYTES)}"; return null;`);
    expect(() => composeScript([huge])).toThrow(/script\.csx would be \d+ bytes; Power Automate accepts custom code below 1048576 bytes/);
  });
});

describe('packages carry their script', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'connectors-script-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('the dynamic connector writes script.csx with scriptOperations, settings.script and the runbook reasons', async () => {
    const result = generateConnectors(MODEL, { service: 'dataverse', style: 'dynamic' });
    const [pkg] = result.connectors;
    const parts = scriptPartsOf(pkg.swagger);
    expect(parts.length).toBeGreaterThan(0);
    expect(pkg.script?.parts).toEqual(parts);
    expect(pkg.apiProperties.properties.scriptOperations).toEqual(scriptOperationIds(parts));
    expect(pkg.apiProperties.properties.scriptOperations).toContain('GetTableSchema');
    expect(pkg.settings.script).toBe('script.csx');
    for (const p of parts) {
      expect(pkg.runbook).toContain(p.why);
      for (const id of p.operationIds) expect(pkg.script!.text).toContain(`case "${id}":`);
    }
    expect(pkg.runbook).toContain('--script-file script.csx');

    const [folder] = await writeConnectors(result, path.join(out, 'dynamic'));
    expect(fs.readFileSync(path.join(folder, 'script.csx'), 'utf8')).toBe(pkg.script!.text);
    expect(JSON.parse(fs.readFileSync(path.join(folder, 'settings.json'), 'utf8')).script).toBe('script.csx');
    const report = await validateConnectorFolder(folder);
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((w) => w.rule.startsWith('script'))).toEqual([]);
  });

  test('a document without parts gets no script, no scriptOperations and no settings.script', () => {
    const [base] = generateConnectors(MODEL, { service: 'dataverse', style: 'typed', tables: ['accounts'] }).connectors;
    // A copy carries no parts: they belong to the document object that was built.
    const doc = structuredClone(base.swagger);
    expect(scriptPartsOf(doc)).toEqual([]);
    const pkg = packageFor(doc, { service: 'dataverse', style: 'typed' }, [], 'plain');
    expect(pkg.script).toBeUndefined();
    expect(pkg.apiProperties.properties.scriptOperations).toBeUndefined();
    expect(pkg.settings.script).toBeUndefined();
    expect(pkg.runbook).not.toContain('### Custom code');
    expect(pkg.runbook).not.toContain('--script-file');
  });

  test('adding a part where the document is built is one call', () => {
    const [base] = generateConnectors(MODEL, { service: 'dataverse', style: 'typed', tables: ['accounts'] }).connectors;
    const doc = structuredClone(base.swagger);
    const listId = Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, any>)).find((o) => o?.['x-ms-pageable'])!.operationId;
    addScriptParts(doc, [part('Extra', [listId])]);
    const pkg = packageFor(doc, { service: 'dataverse', style: 'typed' }, [], 'extra');
    expect(pkg.apiProperties.properties.scriptOperations).toEqual([listId]);
    expect(pkg.script!.text).toContain(`case "${listId}":`);
  });
});

describe('validate: script rules', () => {
  let folder: string;
  let root: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'connectors-script-rules-'));
    [folder] = await writeConnectors(generateConnectors(MODEL, { service: 'dataverse', style: 'dynamic' }), root);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A copy of the written folder changed by `change`, validated. */
  async function validateChanged(change: (dir: string) => void) {
    const dir = fs.mkdtempSync(path.join(root, 'case-'));
    fs.cpSync(folder, dir, { recursive: true });
    change(dir);
    return validateConnectorFolder(dir);
  }
  const json = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const writeJson = (dir: string, file: string, value: unknown) => fs.writeFileSync(path.join(dir, file), JSON.stringify(value, null, 4));

  test('a referenced script.csx that is missing is an error from settings.json and from scriptOperations', async () => {
    const report = await validateChanged((dir) => fs.rmSync(path.join(dir, 'script.csx')));
    const rules = report.errors.filter((e) => e.rule === 'script-missing');
    expect(rules.map((e) => e.file).sort()).toEqual(['apiProperties.json', 'settings.json']);
    expect(rules[0].message).toMatch(/script\.csx|custom code file 'script\.csx'/);
  });

  test('a scriptOperations entry that is not an operation of the swagger is an error', async () => {
    const report = await validateChanged((dir) => {
      const props = json(dir, 'apiProperties.json');
      props.properties.scriptOperations.push('NoSuchOperation');
      writeJson(dir, 'apiProperties.json', props);
    });
    expect(report.errors).toEqual([
      expect.objectContaining({ rule: 'script-operation-reference', file: 'apiProperties.json', message: expect.stringContaining("'NoSuchOperation'") }),
    ]);
  });

  test('a script of 1 MB or more, or without the Script class, is an error', async () => {
    const report = await validateChanged((dir) => fs.writeFileSync(path.join(dir, 'script.csx'), `// ${'x'.repeat(MAX_SCRIPT_BYTES)}\n`));
    const rules = report.errors.map((e) => e.rule).sort();
    expect(rules).toEqual(['script-class', 'script-execute', 'script-size']);
    expect(report.errors.find((e) => e.rule === 'script-size')!.message).toContain('smaller than 1048576 bytes');
  });

  test('a script nothing refers to is a warning', async () => {
    const report = await validateChanged((dir) => {
      const settings = json(dir, 'settings.json');
      delete settings.script;
      writeJson(dir, 'settings.json', settings);
      const props = json(dir, 'apiProperties.json');
      delete props.properties.scriptOperations;
      writeJson(dir, 'apiProperties.json', props);
    });
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.rule).sort()).toEqual(expect.arrayContaining(['script-not-referenced', 'script-operations-missing']));
  });
});
