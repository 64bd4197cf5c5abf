/**
 * Where the sandbox keeps things, all under the directory npm start runs in: the emulator's rows, n8n's user folder,
 * files the example workflows write, the generated connectors, and the state that makes a second start fast.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_NAME } from '../n8n/harness';

export interface SandboxPaths {
  /** `.sandbox/`: n8n's folder, the workflows' files and state.json. */
  root: string;
  n8nUserFolder: string;
  /** The only folder n8n's file nodes may touch (N8N_RESTRICT_FILE_ACCESS_TO). */
  filesDir: string;
  stateFile: string;
  connectorsDir: string;
  emulatorData: string;
}

export function sandboxPaths(cwd: string, emulatorData?: string): SandboxPaths {
  const root = path.resolve(cwd, '.sandbox');
  return {
    root,
    n8nUserFolder: path.join(root, 'n8n'),
    filesDir: path.join(root, 'files'),
    stateFile: path.join(root, 'state.json'),
    connectorsDir: path.resolve(cwd, 'connectors-out'),
    emulatorData: path.resolve(cwd, emulatorData ?? '.emulator-data'),
  };
}

/** The package's root (its package.json), whether this runs from the sources or from dist/. */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json of ${PACKAGE_NAME} not found above ${from}`);
  }
}
