/**
 * README.md's two "Set up" commands, read from the README and run as written with `bash -c` in a fresh copy of the
 * repository (its files as in the working tree, no node_modules, no dist, no sandbox state; `../shared` linked
 * beside it; npm's and n8n's caches reused).
 *
 * `npm install && npm start` must do what the README says: an n8n whose printed login works, the emulator's
 * Dataverse and F&O answering a token from its Entra service with sample rows, the two connectors written to
 * `connectors-out/` of the copy, a human-readable block that names the URL, login, connectors and Ctrl+C, and a last
 * line of JSON with the keys the README lists; Ctrl+C (SIGINT to the process group) stops everything and frees the
 * ports.
 *
 * `npm test` is run as written with jest arguments appended, not as a whole: the whole suite inside the suite would
 * double the CI time, and CI already runs the README's `npm test` on a clean clone. `npm test -- --listTests` still
 * builds, type-checks and lints the copy and must list exactly the repository's test files; `npm test -- <one unit
 * test>` must run it and pass. The nested runs set README_COMMANDS_NESTED=1, under which this suite skips itself.
 *
 * The temporary directory is removed when everything passed and kept (its path printed) otherwise.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectDataverse, connectFno } from '../../client/connect';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { copyWorkingTree, testFilesUnder } from '../helpers/readme-clone';
import { readSetUpCommands, withJestArgs, type SetUpCommands } from '../helpers/readme-setup';
import { processesUnder, ShellRun, userShellEnv } from '../helpers/readme-shell';
import { SHARED_DIR } from '../helpers/shared';

const ROOT = path.resolve(__dirname, '..', '..');
const NESTED = process.env.README_COMMANDS_NESTED === '1';
/** A pure unit suite: fast, no emulator, no ports. */
const UNIT_TEST = 'test/client/odata-builders.test.ts';
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ready {
  n8nUrl: string;
  email: string;
  password: string;
  connectorsDir: string;
  connectors: string[];
  dataverseUrl: string;
  fnoUrl: string;
  authorityUrl: string;
  clientId: string;
  clientSecret: string;
  caCertFile: string;
  sandboxDir: string;
  credentials: Array<{ key: string }>;
  workflows: Array<{ active: boolean }>;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(300);
  }
}

/** The last stdout line, if it is a JSON object: `npm start` prints it when everything is up. */
function lastJsonLine(stdout: string): Ready | undefined {
  const last = stdout.trimEnd().split('\n').pop() ?? '';
  if (!last.startsWith('{')) return undefined;
  try {
    return JSON.parse(last) as Ready;
  } catch {
    return undefined; // still being written
  }
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not readable JSON: ${(e as Error).message}`);
  }
}

(NESTED ? describe.skip : describe)("README's Set up commands in a fresh copy of the repository", () => {
  let commands: SetUpCommands;
  let base = '';
  let clone = '';
  let failed = false;
  const runs: ShellRun[] = [];
  const env = () => userShellEnv(ROOT, { README_COMMANDS_NESTED: '1' });
  const run = (line: string, name: string) => {
    const r = new ShellRun(line, clone, env(), path.join(base, name));
    runs.push(r);
    return r;
  };
  const guard = async (body: () => Promise<void>) => {
    try {
      await body();
    } catch (e) {
      failed = true;
      throw e;
    }
  };

  beforeAll(async () => {
    await guard(async () => {
      commands = readSetUpCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
      if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
      // Normally a no-op (jest's globalSetup installed it): npm start would otherwise spend its time limit on it.
      await ensureN8nInstalled();
      base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-commands-')));
      clone = path.join(base, path.basename(ROOT));
      const files = copyWorkingTree(ROOT, clone);
      if (!fs.existsSync(SHARED_DIR)) throw new Error(`the shared reference folder ${SHARED_DIR} is missing`);
      fs.symlinkSync(SHARED_DIR, path.join(base, 'shared'));
      process.stderr.write(`[readme commands] ${files} files copied into ${clone}\n`);
    });
  }, 40 * MINUTE);

  afterAll(async () => {
    for (const r of runs) await r.stop();
    if (clone) {
      for (const pid of processesUnder(clone)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    if (!base) return;
    if (failed) process.stderr.write(`[readme commands] a test failed: the copy and its logs are kept in ${base}\n`);
    else fs.rmSync(base, { recursive: true, force: true });
  }, 5 * MINUTE);

  test('the Set up section names both commands and the keys of the JSON line', () => {
    expect(commands.start).toMatch(/\bnpm start\b/);
    expect(commands.test).toMatch(/^npm test\b/);
    expect(commands.jsonKeys).toEqual(expect.arrayContaining(['n8nUrl', 'email', 'password', 'connectorsDir', 'dataverseUrl', 'fnoUrl']));
  });

  test('the install-and-start command brings up n8n, the emulator and the connectors; Ctrl+C stops it all', async () => {
    await guard(async () => {
      const start = run(commands.start, 'start');
      const ready = await start.waitFor('the last JSON line of npm start', () => lastJsonLine(start.stdout()), 20 * MINUTE);
      process.stderr.write(`[readme commands] \`${commands.start}\` ready in ${start.seconds().toFixed(0)} s\n`);

      // The JSON line has every key the README lists, with a value.
      for (const key of commands.jsonKeys) expect({ key, value: (ready as unknown as Record<string, unknown>)[key] ?? null }).toEqual({ key, value: expect.anything() });
      expect(fs.existsSync(path.join(clone, 'node_modules', '.bin', 'jest'))).toBe(true);
      expect(fs.existsSync(path.join(clone, 'dist', 'scripts', 'start.js'))).toBe(true);
      expect(ready.sandboxDir).toBe(path.join(clone, '.sandbox'));
      expect(fs.existsSync(path.join(clone, '.emulator-data'))).toBe(true);

      // The human-readable block: n8n URL and login, where the connectors are, how to stop.
      expect(start.stdout()).toContain(ready.n8nUrl);
      expect(start.stdout()).toContain(`login ${ready.email} / ${ready.password}`);
      expect(start.stdout()).toContain(ready.connectorsDir);
      expect(start.stdout()).toContain('Ctrl+C');

      // n8n answers and the printed login works; credentials for both services and three published workflows.
      expect(ready.n8nUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${ready.n8nUrl}/healthz`, { signal: AbortSignal.timeout(30_000) })).status).toBe(200);
      const login = await fetch(`${ready.n8nUrl}/rest/login`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'browser-id': 'readme-commands' },
        body: JSON.stringify({ emailOrLdapLoginId: ready.email, password: ready.password }),
        signal: AbortSignal.timeout(60_000),
      });
      expect(login.status).toBe(200);
      expect(((await login.json()) as { data: { email: string } }).data.email).toBe(ready.email);
      expect(login.headers.getSetCookie().some((c) => c.startsWith('n8n-auth='))).toBe(true);
      expect(ready.credentials.map((c) => c.key).sort()).toEqual(['dataverse', 'fno']);
      expect(ready.workflows.map((w) => w.active)).toEqual([true, true, true]);

      // The connectors: one Dataverse and one F&O folder under connectors-out/ of the copy, with their definitions.
      expect(ready.connectorsDir).toBe(path.join(clone, 'connectors-out'));
      const folders = fs.readdirSync(ready.connectorsDir, { withFileTypes: true }).filter((e) => e.isDirectory());
      expect(folders).toHaveLength(2);
      const titles: string[] = [];
      for (const folder of folders) {
        const dir = path.join(ready.connectorsDir, folder.name);
        const swagger = readJson(path.join(dir, 'apiDefinition.swagger.json'));
        const properties = readJson(path.join(dir, 'apiProperties.json'));
        expect({ folder: folder.name, swagger: swagger.swagger, paths: Object.keys(swagger.paths ?? {}).length > 0 }).toEqual({ folder: folder.name, swagger: '2.0', paths: true });
        expect(properties.properties).toEqual(expect.objectContaining({ connectionParameters: expect.any(Object) }));
        titles.push(String(swagger.info?.title));
      }
      expect(titles.filter((t) => /dataverse/i.test(t))).toHaveLength(1);
      expect(titles.filter((t) => /finance|operations/i.test(t))).toHaveLength(1);

      // The emulator: both services answer with a token from its Entra service, and the sample data is there.
      const ca = fs.readFileSync(ready.caCertFile);
      const credentials = { kind: 'secret' as const, authorityUrl: ready.authorityUrl, clientId: ready.clientId, clientSecret: ready.clientSecret };
      const dv = connectDataverse({ environmentUrl: ready.dataverseUrl, ca, credentials });
      const fno = connectFno({ environmentUrl: ready.fnoUrl, ca, credentials });
      try {
        expect((await dv.whoAmI()).UserId).toMatch(/^[0-9a-f-]{36}$/);
        expect(await dv.count('accounts')).toBeGreaterThan(0);
        expect(await fno.count('LegalEntities')).toBeGreaterThan(0);
      } finally {
        dv.close();
        fno.close();
      }

      // Ctrl+C: the command ends, nothing it started lives on, the ports are free again.
      const ports = [ready.dataverseUrl, ready.fnoUrl, ready.n8nUrl].map((u) => Number(new URL(u).port));
      const status = await start.interrupt(3 * MINUTE);
      process.stderr.write(`[readme commands] after Ctrl+C: exit code ${status.code}, signal ${status.signal}\n`);
      expect(status.code === 0 || status.code === 130 || status.signal === 'SIGINT').toBe(true);
      expect(start.stderr()).toContain('SIGINT: stopping');
      await until('every process of the sandbox to end', () => processesUnder(clone).length === 0, 2 * MINUTE);
      for (const port of ports) await until(`port ${port} to be free`, () => canListen(port), MINUTE);
    });
  }, 30 * MINUTE);

  test('the test command builds, type-checks and lints the copy, lists every test file and runs a unit suite', async () => {
    await guard(async () => {
      if (!fs.existsSync(path.join(clone, 'node_modules'))) throw new Error('node_modules is missing in the copy: the install-and-start command did not install');

      const list = run(withJestArgs(commands.test, ['--listTests']), 'test-list');
      const listed = await list.waitForExit(20 * MINUTE);
      process.stderr.write(`[readme commands] \`${list.line}\` took ${list.seconds().toFixed(0)} s\n`);
      expect({ exit: listed, stderr: listed.code === 0 ? '' : list.describe() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
      expect(fs.existsSync(path.join(clone, 'dist', 'scripts', 'start.js'))).toBe(true);
      const files = list
        .stdout()
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => path.isAbsolute(l) && l.endsWith('.test.ts'))
        .map((l) => path.relative(clone, l))
        .sort();
      expect(files).toEqual(testFilesUnder(clone, path.join(clone, 'test')));
      expect(files).toContain('test/e2e/readme-commands.test.ts');
      expect(files).toContain(UNIT_TEST);

      const unit = run(withJestArgs(commands.test, [UNIT_TEST]), 'test-unit');
      const ran = await unit.waitForExit(20 * MINUTE);
      process.stderr.write(`[readme commands] \`${unit.line}\` took ${unit.seconds().toFixed(0)} s\n`);
      expect({ exit: ran, stderr: ran.code === 0 ? '' : unit.describe() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
      const output = unit.stdout() + unit.stderr();
      expect(output).toMatch(/Test Suites:\s+1 passed, 1 total/);
      const tests = /Tests:\s+(\d+) passed, (\d+) total/.exec(output);
      expect(tests).not.toBeNull();
      expect(Number(tests![1])).toBeGreaterThan(0);
      expect(tests![1]).toBe(tests![2]);
      expect(output).not.toMatch(/\b[1-9]\d* failed/);
    });
  }, 45 * MINUTE);
});
