/** writeConnectors: one folder per package with the five files (and script.csx), 4-space JSON, a valid PNG; other files kept. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { CONNECTOR_FILES, generateConnectors, inspectPng, writeConnectors } from '../../connectors';
import type { GenerationResult } from '../../connectors';
import { validateConnectorFolder } from '../../connectors/validate';

const model = parseCsdl(fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml'), 'utf8'));

describe('writeConnectors', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'connectors-write-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes the five files of every package', async () => {
    const result = generateConnectors(model, { service: 'dataverse', style: 'dynamic' });
    const folders = await writeConnectors(result, path.join(out, 'nested'));
    expect(folders).toEqual([path.join(out, 'nested', result.connectors[0].name)]);
    const folder = folders[0];
    // script.csx too when operations need custom code (the dynamic style's column schemas do).
    expect(result.connectors[0].script).toBeDefined();
    expect(fs.readdirSync(folder).sort()).toEqual([...Object.values(CONNECTOR_FILES), 'script.csx'].sort());

    const swaggerText = fs.readFileSync(path.join(folder, CONNECTOR_FILES.apiDefinition), 'utf8');
    expect(swaggerText).toBe(`${JSON.stringify(result.connectors[0].swagger, null, 4)}\n`);
    expect(swaggerText.split('\n')[1]).toMatch(/^ {4}"swagger": "2.0",$/);
    expect(swaggerText).not.toMatch(/[ \t]+\n/);
    expect(JSON.parse(fs.readFileSync(path.join(folder, CONNECTOR_FILES.apiProperties), 'utf8'))).toEqual(result.connectors[0].apiProperties);
    expect(JSON.parse(fs.readFileSync(path.join(folder, CONNECTOR_FILES.settings), 'utf8'))).toEqual(result.connectors[0].settings);
    expect(inspectPng(fs.readFileSync(path.join(folder, CONNECTOR_FILES.icon)))).toMatchObject({ width: 230, height: 230 });
    expect(fs.readFileSync(path.join(folder, CONNECTOR_FILES.runbook), 'utf8')).toContain('## 5. Rollback');

    // The folder passes the offline validator as written.
    const report = await validateConnectorFolder(folder);
    expect(report.errors).toEqual([]);
  });

  test('rewrites its own files and leaves other files alone', async () => {
    const result = generateConnectors(model, { service: 'dataverse', style: 'dynamic' });
    const [folder] = await writeConnectors(result, out);
    fs.writeFileSync(path.join(folder, 'README.md'), '# kept');
    fs.writeFileSync(path.join(folder, 'script.csx'), '// stale');
    fs.writeFileSync(path.join(folder, CONNECTOR_FILES.runbook), 'stale');
    const again = await writeConnectors(result, out);
    expect(again).toEqual([folder]);
    expect(fs.readFileSync(path.join(folder, 'README.md'), 'utf8')).toBe('# kept');
    expect(fs.readFileSync(path.join(folder, 'script.csx'), 'utf8')).toBe(result.connectors[0].script!.text);
    expect(fs.readFileSync(path.join(folder, CONNECTOR_FILES.runbook), 'utf8')).toContain('# RUNBOOK');
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('refuses unsafe or duplicate folder names before writing anything', async () => {
    const result = generateConnectors(model, { service: 'dataverse', style: 'dynamic' });
    const pkg = result.connectors[0];
    const bad: GenerationResult = { warnings: [], connectors: [{ ...pkg, name: '../escape' }] };
    await expect(writeConnectors(bad, out)).rejects.toThrow(/Unsafe/);
    const twice: GenerationResult = { warnings: [], connectors: [pkg, pkg] };
    await expect(writeConnectors(twice, out)).rejects.toThrow(/share/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
