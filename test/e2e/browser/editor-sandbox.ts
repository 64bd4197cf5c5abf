/**
 * Where the browser test gets its n8n editor: the sandbox `npm start` runs (emulator + n8n with this package, the
 * emulator credentials and the example workflows; its last stdout line is JSON with the login), or the e2e harness
 * (emulator and n8n started in-process, the credential created through the public API). Either way the test gets
 * the same thing: a URL, a login, the name of the Dataverse credential and a way to read a row back from the emulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectDataverse } from '../../../client';
import { startEmulator } from '../../../emulator';
import { emulatorCredentialData, APP_REGISTRATION_CREDENTIAL } from '../../../scripts/n8n/emulator-credential';
import { startN8n } from '../../../scripts/n8n/harness';

export interface EditorSandbox {
  source: 'npm start' | 'harness';
  n8nUrl: string;
  email: string;
  password: string;
  /** The App Registration credential pointing at the emulator's Dataverse. */
  credentialName: string;
  /** The account row as the emulator stores it, or undefined when there is none with that id. */
  readAccount(id: string): Promise<Record<string, unknown> | undefined>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const START_JS = path.join(ROOT, 'dist', 'scripts', 'start.js');

export function startEditorSandbox(): Promise<EditorSandbox> {
  return process.env.BROWSER_E2E_SOURCE === 'harness' ? startHarnessSandbox() : startNpmStartSandbox();
}

/** `node dist/scripts/start.js` in a fresh directory, so its state (.sandbox, .emulator-data) is this test's alone. */
export async function startNpmStartSandbox(timeoutMs = 10 * 60_000): Promise<EditorSandbox> {
  if (!fs.existsSync(START_JS)) throw new Error(`${START_JS} is missing: run \`npm run build\` first`);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-sandbox-'));
  const child = spawn(process.execPath, [START_JS], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
  const stop = async () => {
    await stopChild(child);
    fs.rmSync(cwd, { recursive: true, force: true });
  };
  try {
    const ready = await readyLine(child, () => out, timeoutMs);
    const credential = (ready.credentials ?? []).find((c: { key: string }) => c.key === 'dataverse');
    if (!ready.n8nUrl || !ready.email || !ready.password || !credential) throw new Error(`npm start printed no n8n login or Dataverse credential: ${Object.keys(ready).join(', ')}`);
    const dv = connectDataverse({
      environmentUrl: ready.dataverseUrl,
      ca: fs.readFileSync(ready.caCertFile),
      credentials: { kind: 'secret', authorityUrl: ready.authorityUrl, clientId: ready.clientId, clientSecret: ready.clientSecret },
    });
    return {
      source: 'npm start',
      n8nUrl: ready.n8nUrl,
      email: ready.email,
      password: ready.password,
      credentialName: credential.name,
      readAccount: async (id) => {
        try {
          return (await dv.retrieve('accounts', id)) as Record<string, unknown>;
        } catch (e) {
          if ((e as { status?: number }).status === 404) return undefined;
          throw e;
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw new Error(`npm start did not get ready: ${(e as Error).message}\n--- stderr (tail) ---\n${err.slice(-4000)}`);
  }
}

export async function startHarnessSandbox(): Promise<EditorSandbox> {
  const owner = { email: 'editor@browser.test', firstName: 'Browser', lastName: 'Test', password: 'Br0wser-Passw0rd!' };
  const emulator = await startEmulator({ limits: 'off' });
  try {
    const n8n = await startN8n({ extraCaFile: emulator.caCertFile, owner });
    const credential = await n8n.api.createCredential(APP_REGISTRATION_CREDENTIAL, emulatorCredentialData(emulator), 'Dataverse emulator').catch(async (e) => {
      await n8n.stop();
      throw e;
    });
    return {
      source: 'harness',
      n8nUrl: n8n.url,
      email: owner.email,
      password: owner.password,
      credentialName: credential.name,
      readAccount: async (id) => emulator.service.store.get('account', id) as Record<string, unknown> | undefined,
      stop: async () => {
        await n8n.stop();
        await emulator.stop();
      },
    };
  } catch (e) {
    await emulator.stop();
    throw e;
  }
}

/** The JSON object `npm start` prints as its last stdout line once everything is up. */
async function readyLine(child: ChildProcess, stdout: () => string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = stdout()
      .split('\n')
      .find((l) => l.startsWith('{') && l.endsWith('}'));
    if (line) return JSON.parse(line);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    if (Date.now() > deadline) throw new Error(`no JSON line after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGINT as Ctrl+C sends it (the sandbox stops n8n, then the emulator), SIGKILL to the group if that hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 90_000)))]).finally(() => clearTimeout(timer));
  if (!inTime) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
  }
}
