/**
 * A long-running n8n for the sandbox, on the e2e harness (startN8n) with what a sandbox needs on top: a persistent
 * user folder (.sandbox/n8n) whose package is reinstalled only when the build changed, port 5678 when free, an owner
 * with a generated password kept in .sandbox/state.json, the two credentials and the example workflows created once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningEmulator } from '../../emulator';
import { installPackageInto, PACKAGE_NAME, startN8n, type RunningN8n } from '../n8n/harness';
import { ensureN8nInstalled, N8N_VERSION } from '../n8n/install';
import { ensureSandboxCredentials, type SandboxCredential } from './credentials';
import { preferPort } from './emulator';
import { packageBuildHash } from './package-hash';
import { projectRoot, type SandboxPaths } from './paths';
import { loadState, saveState } from './state';
import { ensureExampleWorkflows, type ExampleWorkflow } from './workflows';

export const DEFAULT_N8N_PORT = 5678;

export interface SandboxN8n {
  n8n: RunningN8n;
  url: string;
  email: string;
  password: string;
  /** Whether this start (re)installed the package into n8n's user folder. */
  packageInstalled: boolean;
  credentials: SandboxCredential[];
  workflows: ExampleWorkflow[];
}

export async function startSandboxN8n(emulator: RunningEmulator, paths: SandboxPaths, progress: (line: string) => void): Promise<SandboxN8n> {
  progress(`n8n ${N8N_VERSION}: checking the cached install (the first time this downloads n8n: several minutes)`);
  const t0 = Date.now();
  const inst = await ensureN8nInstalled();
  progress(`n8n ${N8N_VERSION}: ready in the cache (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  const state = loadState(paths.stateFile);
  saveState(paths.stateFile, state); // the password and encryption key exist from now on, whatever happens next
  fs.mkdirSync(paths.n8nUserFolder, { recursive: true });
  fs.mkdirSync(paths.filesDir, { recursive: true });

  const hash = packageBuildHash(projectRoot());
  const packageDir = path.join(paths.n8nUserFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
  const packageInstalled = state.packageHash !== hash || !fs.existsSync(path.join(packageDir, 'package.json'));
  if (packageInstalled) {
    progress(`n8n: installing ${PACKAGE_NAME} from this build into ${paths.n8nUserFolder}`);
    // A fresh folder: files a previous build had and this one dropped must not linger.
    fs.rmSync(packageDir, { recursive: true, force: true });
    installPackageInto(paths.n8nUserFolder, inst);
    state.packageHash = hash;
    saveState(paths.stateFile, state);
  } else {
    progress(`n8n: ${PACKAGE_NAME} unchanged since the last start, not reinstalled`);
  }

  const port = (await preferPort(DEFAULT_N8N_PORT)) || undefined;
  progress(`n8n: starting${port ? ` on port ${port}` : ` (port ${DEFAULT_N8N_PORT} is taken, on a free one)`}`);
  const start = (on: number | undefined) => startN8n({
    userFolder: paths.n8nUserFolder,
    port: on,
    owner: state.owner,
    setupOwner: !state.ownerCreated,
    extraCaFile: emulator.caCertFile,
    startTimeoutMs: 300_000,
    env: {
      N8N_ENCRYPTION_KEY: state.encryptionKey,
      N8N_RESTRICT_FILE_ACCESS_TO: paths.filesDir,
    },
  });
  const n8n = await start(port).catch((e: Error) => {
    // Taken between the probe and n8n's listen (another program started meanwhile): a free port instead.
    if (!port || !/EADDRINUSE|already in use/i.test(e.message)) throw e;
    progress(`n8n: port ${port} was taken meanwhile, starting on a free one`);
    return start(undefined);
  });
  try {
    state.ownerCreated = true;
    saveState(paths.stateFile, state);
    await removeStaleApiKeys(n8n);

    const credentials = await ensureSandboxCredentials(n8n.api, emulator, state.credentials);
    saveState(paths.stateFile, state);
    const byKey = Object.fromEntries(credentials.map((c) => [c.key, c]));
    const values = {
      DATAVERSE_CREDENTIAL_ID: byKey.dataverse?.id ?? '',
      DATAVERSE_CREDENTIAL_NAME: byKey.dataverse?.name ?? '',
      FNO_CREDENTIAL_ID: byKey.fno?.id ?? '',
      FNO_CREDENTIAL_NAME: byKey.fno?.name ?? '',
      FILES_DIR: paths.filesDir.split(path.sep).join('/'),
    };
    const republish = credentials.some((c) => c.changed);
    const workflows = await ensureExampleWorkflows(n8n.api, state.workflows, values, republish, () => saveState(paths.stateFile, state));
    saveState(paths.stateFile, state);
    return { n8n, url: n8n.url, email: state.owner.email, password: state.owner.password, packageInstalled, credentials, workflows };
  } catch (e) {
    await n8n.stop();
    throw e;
  }
}

/** The harness makes an API key at every start; the sandbox keeps only the newest of its own. */
async function removeStaleApiKeys(n8n: RunningN8n): Promise<void> {
  type Key = { id: string; label: string; createdAt: string };
  const listed = (await n8n.api.rest('GET', '/api-keys?ownership=mine&take=500')) as { items?: Key[] } | Key[] | undefined;
  const keys = Array.isArray(listed) ? listed : (listed?.items ?? []);
  const harnessKeys = keys.filter((k) => /^e2e-[0-9a-f]{8}$/.test(k.label)).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  for (const key of harnessKeys.slice(1)) await n8n.api.rest('DELETE', `/api-keys/${key.id}`);
}
