/**
 * Reads a connector folder (paconn layout) and validates it: apiDefinition.swagger.json (found case-insensitively;
 * some repositories spell it apidefinition.swagger.json), apiProperties.json, settings.json, icon.png, script.csx.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { IssueList, type ValidationReport } from './report';
import { validateConnector } from './connector';

export const CONNECTOR_FILES = Object.freeze({
  swagger: 'apiDefinition.swagger.json',
  apiProperties: 'apiProperties.json',
  settings: 'settings.json',
  icon: 'icon.png',
  script: 'script.csx',
});

/** The connector files present in `dir`, matched case-insensitively (absolute paths). */
export async function findConnectorFiles(dir: string): Promise<Partial<Record<keyof typeof CONNECTOR_FILES, string>>> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const byLowerName = new Map(entries.filter((e) => e.isFile()).map((e) => [e.name.toLowerCase(), e.name]));
  const found: Partial<Record<keyof typeof CONNECTOR_FILES, string>> = {};
  for (const [key, name] of Object.entries(CONNECTOR_FILES) as Array<[keyof typeof CONNECTOR_FILES, string]>) {
    const actual = byLowerName.get(name.toLowerCase());
    if (actual) found[key] = path.join(dir, actual);
  }
  return found;
}

export async function validateConnectorFolder(dir: string): Promise<ValidationReport> {
  const issues = new IssueList();
  let files: Awaited<ReturnType<typeof findConnectorFiles>>;
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new Error('not a directory');
    files = await findConnectorFiles(dir);
  } catch (err) {
    issues.error('folder', `Cannot read the connector folder '${dir}': ${err?.code === 'ENOENT' ? 'it does not exist' : String(err?.message ?? err)}.`);
    return issues;
  }
  if (!files.swagger) {
    issues.error('file-missing', `The connector folder '${dir}' has no ${CONNECTOR_FILES.swagger} (the Swagger 2.0 API definition is required).`, undefined, CONNECTOR_FILES.swagger);
    return issues;
  }
  if (!files.apiProperties) {
    issues.error('file-missing', `The connector folder '${dir}' has no ${CONNECTOR_FILES.apiProperties} (required by paconn and pac connector).`, undefined, CONNECTOR_FILES.apiProperties);
  }

  const swaggerText = await fs.readFile(files.swagger);
  const swagger = parseJson(swaggerText, path.basename(files.swagger), issues);
  if (swagger === undefined) return issues;
  const apiProperties = files.apiProperties ? parseJson(await fs.readFile(files.apiProperties), CONNECTOR_FILES.apiProperties, issues) : undefined;
  const settings = files.settings ? parseJson(await fs.readFile(files.settings), CONNECTOR_FILES.settings, issues) : undefined;
  const icon = files.icon ? await fs.readFile(files.icon) : undefined;
  const script = files.script ? await fs.readFile(files.script) : null;

  const report = await validateConnector({ swagger, apiProperties, settings, icon, script, swaggerBytes: swaggerText.length });
  // A missing apiProperties.json is already an error above; a parse error too.
  const warnings = report.warnings.filter((w) => !(w.rule === 'api-properties-missing' && issues.errors.length));
  issues.add({ errors: report.errors, warnings });
  return { errors: issues.errors, warnings: issues.warnings };
}

function parseJson(bytes: Buffer, file: string, issues: IssueList): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    issues.error('json-parse', `${file} is not valid JSON: ${String(err?.message ?? err)}`, undefined, file);
    return undefined;
  }
}
