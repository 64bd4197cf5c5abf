/**
 * writeConnectors: the only I/O of the generator. One folder per package under outDir with the five files (six with
 * script.csx); files it writes are replaced, anything else in the folder (a README, .git) is left alone.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SWAGGER_INDENT } from './limits';
import { CONNECTOR_FILES, SCRIPT_FILE } from './settings';
import type { ConnectorPackage, GenerationResult } from './types';

function json(value: unknown, indent: number): string {
  return `${JSON.stringify(value, null, indent)}\n`;
}

/** The files of one package, name → content (script.csx only when the package has custom code). */
export function packageFiles(pkg: ConnectorPackage): Array<[string, string | Buffer]> {
  return [
    // The coding standards ask for 4-space indentation in the swagger; the others follow it.
    [CONNECTOR_FILES.apiDefinition, json(pkg.swagger, SWAGGER_INDENT)],
    [CONNECTOR_FILES.apiProperties, json(pkg.apiProperties, SWAGGER_INDENT)],
    [CONNECTOR_FILES.settings, json(pkg.settings, SWAGGER_INDENT)],
    [CONNECTOR_FILES.icon, pkg.icon],
    [CONNECTOR_FILES.runbook, pkg.runbook.endsWith('\n') ? pkg.runbook : `${pkg.runbook}\n`],
    ...(pkg.script ? [[SCRIPT_FILE, pkg.script.text] as [string, string]] : []),
  ];
}

/** Writes every package; returns the folders written (absolute paths), in package order. */
export async function writeConnectors(result: GenerationResult, outDir: string): Promise<string[]> {
  const names = new Set<string>();
  for (const pkg of result.connectors) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(pkg.name) || pkg.name.includes('..')) throw new Error(`Unsafe connector folder name: '${pkg.name}'`);
    if (names.has(pkg.name)) throw new Error(`Two connectors share the folder name '${pkg.name}'`);
    names.add(pkg.name);
  }
  const root = path.resolve(outDir);
  const folders: string[] = [];
  for (const pkg of result.connectors) {
    const folder = path.join(root, pkg.name);
    await fs.mkdir(folder, { recursive: true });
    for (const [file, content] of packageFiles(pkg)) {
      // Written next to the target and renamed, so a crash never leaves a half-written file under the real name.
      const target = path.join(folder, file);
      const temp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temp, content);
      await fs.rename(temp, target);
    }
    folders.push(folder);
  }
  return folders;
}
