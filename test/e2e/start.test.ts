/**
 * `npm start` as a user runs it: `node dist/scripts/start.js` in an empty directory starts the emulator, writes the
 * two connectors and a real n8n 2.41.1 with this package, the credentials and the example workflows, and prints a
 * block whose last line is JSON. The printed login works, the package's nodes are loaded, both credentials pass
 * n8n's credential test, the three workflows are published and the webhook one is registered exactly once in the
 * emulator; the workflows do their job (an account gets a follow-up task, a confirmed purchase order a log line, the
 * export a ZIP file); SIGINT stops everything and frees the ports. A second start in the same directory reuses the
 * installed package, the credentials (still passing their test) and the workflows, which keep working. `--no-n8n`
 * starts the emulator and the connectors only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectDataverse, connectFno, type DataverseConnection } from '../../client/connect';
import { raw } from '../../client/odata';
import { validateConnectorFolder } from '../../connectors/validate';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { packageBuildHash } from '../../scripts/sandbox/package-hash';
import { projectRoot } from '../../scripts/sandbox/paths';

jest.setTimeout(25 * 60_000);

const ROOT = projectRoot(path.join(__dirname, '..', '..', 'scripts', 'sandbox'));
const START_JS = path.join(ROOT, 'dist', 'scripts', 'start.js');
const NODE_TYPES = ['dataverse', 'dataverseTrigger', 'dataverseChangesTrigger', 'financeOperations', 'fnoBusinessEventTrigger'].map((t) => `n8n-nodes-dynamics365.${t}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ready {
  n8nUrl: string | null;
  email: string | null;
  password: string | null;
  connectorsDir: string;
  connectors: string[];
  dataverseUrl: string;
  fnoUrl: string | null;
  authorityUrl: string;
  clientId: string;
  clientSecret: string;
  caCertFile: string;
  sandboxDir: string;
  n8nPackageInstalled: boolean | null;
  credentials: Array<{ key: string; id: string; name: string }>;
  workflows: Array<{ file: string; id: string; name: string; active: boolean }>;
}

interface Started {
  child: ChildProcess;
  ready: Ready;
  stdout: () => string;
  stderr: () => string;
  seconds: number;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

/** Runs start.js in `cwd` and resolves with its final JSON line; fails with its output if it exits or times out. */
async function startSandbox(cwd: string, args: string[] = [], timeoutMs = 8 * 60_000): Promise<Started> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [START_JS, ...args], { cwd, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const json = out.split('\n').find((l) => l.startsWith('{'));
    if (json) return { child, ready: JSON.parse(json) as Ready, stdout: () => out, stderr: () => err, seconds: (Date.now() - t0) / 1000 };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`start.js did not get ready (exit ${child.exitCode ?? child.signalCode ?? 'timeout'})\n--- stdout ---\n${out}\n--- stderr ---\n${err.slice(-6000)}`);
    }
    await sleep(250);
  }
}

/** SIGINT, as Ctrl+C sends it; resolves with the exit code. */
async function interrupt(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((r) => started.child.once('exit', (code) => r(code)));
  started.child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 90_000)))]).finally(() => clearTimeout(timer));
  if (code === 'timeout') {
    started.child.kill('SIGKILL');
    throw new Error(`start.js did not stop within 90 s of SIGINT\n${started.stderr().slice(-3000)}`);
  }
  return code;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

/** n8n's REST API as the editor uses it (cookie login) and its public API with a key made through it. */
async function n8nSession(url: string, email: string, password: string) {
  const headers = { accept: 'application/json', 'browser-id': 'start-e2e' };
  const login = await fetch(`${url}/rest/login`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ emailOrLdapLoginId: email, password }) });
  const loginBody = await login.text();
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${loginBody}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
  if (!cookie) throw new Error('login gave no n8n-auth cookie');
  const call = async (method: string, pathname: string, body: unknown, extra: Record<string, string>) => {
    const res = await fetch(url + pathname, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${pathname} → ${res.status}: ${text.slice(0, 1000)}`);
    return text ? JSON.parse(text) : undefined;
  };
  const rest = async (method: string, pathname: string, body?: unknown) => {
    const json = await call(method, `/rest${pathname}`, body, { cookie });
    return json && typeof json === 'object' && 'data' in json ? json.data : json;
  };
  const scopes = await rest('GET', '/api-keys/scopes');
  const apiKey = (await rest('POST', '/api-keys', { label: `start-e2e-${randomUUID().slice(0, 8)}`, scopes, expiresAt: null })).rawApiKey as string;
  const publicApi = (method: string, pathname: string, body?: unknown) => call(method, `/api/v1${pathname}`, body, { 'x-n8n-api-key': apiKey });
  const get = (pathname: string) => call('GET', pathname, undefined, { cookie });
  return { rest, publicApi, get };
}

function dataverseOf(ready: Ready): DataverseConnection {
  return connectDataverse({
    environmentUrl: ready.dataverseUrl,
    ca: fs.readFileSync(ready.caCertFile),
    credentials: { kind: 'secret', authorityUrl: ready.authorityUrl, clientId: ready.clientId, clientSecret: ready.clientSecret },
  });
}

/** The service endpoints the Dataverse Trigger of workflow `id` registered in the emulator. */
async function registrationsOf(dv: DataverseConnection, workflowId: string): Promise<Array<{ name: string; url: string }>> {
  const rows: Array<{ name: string; url: string }> = [];
  for await (const row of dv.iterateRows('serviceendpoints', { select: ['name', 'url'], filter: raw(`startswith(name,'n8n ${workflowId} ')`) })) {
    rows.push(row as { name: string; url: string });
  }
  return rows;
}

async function expectValidConnectors(ready: Ready): Promise<void> {
  const folders = fs.readdirSync(ready.connectorsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(ready.connectorsDir, e.name));
  expect(folders.sort()).toEqual([...ready.connectors].sort());
  expect(folders).toHaveLength(2);
  for (const folder of folders) {
    const report = await validateConnectorFolder(folder);
    expect({ folder, errors: report.errors }).toEqual({ folder, errors: [] });
  }
}

async function expectStoppedAndPortsFree(started: Started): Promise<void> {
  expect(await interrupt(started)).toBe(0);
  const { ready } = started;
  const ports = [portOf(ready.dataverseUrl), ...(ready.fnoUrl ? [portOf(ready.fnoUrl)] : []), ...(ready.n8nUrl ? [portOf(ready.n8nUrl)] : [])];
  for (const port of ports) expect({ port, free: await waitFor(`port ${port} to be free`, async () => ((await canListen(port)) ? true : undefined), 30_000) }).toEqual({ port, free: true });
}

describe('npm start: emulator, connectors and a real n8n 2.41.1 in one command', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-start-'));
  const running: Started[] = [];
  let first: Started | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(START_JS)) throw new Error(`${START_JS} is missing: run \`npm run build\` first`);
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
  }, 40 * 60_000);

  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) await interrupt(s).catch(() => s.child.kill('SIGKILL'));
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test('first start: n8n with the package, credentials and published workflows that work; connectors valid; SIGINT frees the ports', async () => {
    first = await startSandbox(dir);
    running.push(first);
    const { ready } = first;
    process.stderr.write(`[start e2e] first start ready in ${first.seconds.toFixed(1)} s\n`);
    expect(ready).toMatchObject({
      n8nUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      email: expect.stringContaining('@'),
      password: expect.any(String),
      connectorsDir: path.join(fs.realpathSync(dir), 'connectors-out'),
      dataverseUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/$/),
      fnoUrl: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/$/),
      n8nPackageInstalled: true,
    });
    // The human-readable block names the same things.
    expect(first.stdout()).toContain(`login ${ready.email} / ${ready.password}`);
    expect(first.stdout()).toContain(ready.connectorsDir);
    expect(first.stdout()).toContain('Ctrl+C');

    const health = await fetch(`${ready.n8nUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const n8n = await n8nSession(ready.n8nUrl!, ready.email!, ready.password!);
    const types = (await n8n.get('/types/nodes.json')) as Array<{ name: string }>;
    for (const t of NODE_TYPES) expect(types.map((n) => n.name)).toContain(t);

    expect(ready.credentials.map((c) => c.key)).toEqual(['dataverse', 'fno']);
    for (const cred of ready.credentials) {
      const stored = await n8n.rest('GET', `/credentials/${cred.id}?includeData=true`);
      expect(stored.type).toBe('dynamics365AppRegistrationApi');
      const result = await n8n.rest('POST', '/credentials/test', { credentials: { id: cred.id, name: cred.name, type: stored.type, data: stored.data } });
      expect({ cred: cred.key, ...result }).toEqual({
        cred: cred.key,
        status: 'OK',
        message: cred.key === 'fno' ? expect.stringMatching(/^Connected to Finance & Operations/) : expect.stringMatching(/^Connected as user /),
      });
    }

    expect(ready.workflows.map((w) => w.file)).toEqual(['1-new-account-follow-up-task.json', '2-business-event-to-log.json', '3-nightly-dmf-export.json']);
    for (const w of ready.workflows) {
      const stored = await n8n.publicApi('GET', `/workflows/${w.id}`);
      expect({ name: stored.name, active: stored.active }).toEqual({ name: w.name, active: true });
    }

    const [accountsFlow, eventsFlow, exportFlow] = ready.workflows;
    const dv = dataverseOf(ready);
    const fno = connectFno({
      environmentUrl: ready.fnoUrl!,
      ca: fs.readFileSync(ready.caCertFile),
      credentials: { kind: 'secret', authorityUrl: ready.authorityUrl, clientId: ready.clientId, clientSecret: ready.clientSecret },
    });
    try {
      const registrations = await registrationsOf(dv, accountsFlow.id);
      expect(registrations).toHaveLength(1);
      expect(registrations[0].url.startsWith(`${ready.n8nUrl}/webhook/`)).toBe(true);

      // Workflow 1: a new account gets a follow-up task regarding it.
      const name = `Start e2e ${randomUUID().slice(0, 8)}`;
      const { id: accountId } = await dv.create('accounts', { name });
      const task = await waitFor('the follow-up task', async () => {
        for await (const row of dv.iterateRows('tasks', { select: ['subject', '_regardingobjectid_value'], filter: raw(`_regardingobjectid_value eq ${accountId}`) })) return row;
        return undefined;
      });
      expect(task.subject).toBe(`Follow up with ${name}`);

      // Workflow 2: a confirmed purchase order is logged in the sandbox's files.
      const log = path.join(ready.sandboxDir, 'files', 'business-events.log');
      await fno.callAction('PurchaseOrderHeadersV2', { dataAreaId: 'usmf', PurchaseOrderNumber: 'USPO-00001' }, 'ConfirmPurchaseOrder', {});
      const line = await waitFor('the business event log line', () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').find((l) => l.includes('USPO-00001')) : undefined));
      expect(JSON.parse(line)).toMatchObject({ event: 'PurchaseOrderConfirmedBusinessEvent', company: 'USMF', data: expect.objectContaining({ PurchaseOrderNumber: 'USPO-00001' }) });

      // Workflow 3 as published, started by a webhook instead of the nightly schedule: the package lands as a ZIP.
      const original = await n8n.publicApi('GET', `/workflows/${exportFlow.id}`);
      const hookPath = `start-e2e-${randomUUID()}`;
      const scheduleNode = original.nodes.find((n: any) => n.type === 'n8n-nodes-base.scheduleTrigger');
      const nodes = original.nodes.map((n: any) =>
        n === scheduleNode ? { ...n, type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'lastNode', options: {} } } : n,
      );
      const copy = await n8n.publicApi('POST', '/workflows', { name: `${original.name} (start e2e)`, nodes, connections: original.connections, settings: { executionOrder: 'v1' } });
      try {
        await n8n.publicApi('POST', `/workflows/${copy.id}/activate`);
        const answer = await waitFor('the export webhook', async () => {
          const res = await fetch(`${ready.n8nUrl}/webhook/${hookPath}`, { method: 'POST', signal: AbortSignal.timeout(180_000) });
          const body = await res.text();
          return res.status === 404 ? undefined : { status: res.status, body };
        });
        expect(answer.status).toBe(200);
        const zip = fs.readdirSync(path.join(ready.sandboxDir, 'files')).find((f) => /^CustomerExport-\d{4}-\d{2}-\d{2}\.zip$/.test(f));
        expect(zip).toBeDefined();
        expect(fs.readFileSync(path.join(ready.sandboxDir, 'files', zip!)).subarray(0, 2).toString()).toBe('PK');
      } finally {
        await n8n.publicApi('POST', `/workflows/${copy.id}/deactivate`);
        // Unpublishing finishes in the background; until then a delete is answered 409.
        await waitFor('the copy to be deleted', () =>
          n8n.publicApi('DELETE', `/workflows/${copy.id}`).then(
            () => true,
            (e: Error) => {
              if (/→ 409/.test(e.message)) return undefined;
              throw e;
            },
          ),
        );
      }
      // The F&O trigger workflow ran once per event it got.
      const runs = await n8n.publicApi('GET', `/executions?workflowId=${eventsFlow.id}`);
      expect(runs.data.map((e: any) => e.status)).toEqual(['success']);
    } finally {
      dv.close();
      fno.close();
    }

    await expectValidConnectors(ready);
    await expectStoppedAndPortsFree(first);
  });

  test('second start in the same directory: the package is not reinstalled; credentials and workflows are reused and still work', async () => {
    expect(first).toBeDefined();
    if (first!.child.exitCode === null && first!.child.signalCode === null) await interrupt(first!); // the first test failed early
    const state = JSON.parse(fs.readFileSync(path.join(first!.ready.sandboxDir, 'state.json'), 'utf8')) as { packageHash: string };
    const current = packageBuildHash(ROOT);
    expect(packageBuildHash(ROOT)).toBe(current); // the hash is stable, so "changed" below means dist/ really changed
    const distChanged = current !== state.packageHash;
    if (distChanged) process.stderr.write('[start e2e] dist/ was rebuilt with other content between the two starts: a reinstall is expected\n');

    const second = await startSandbox(dir, [], 5 * 60_000);
    running.push(second);
    const { ready } = second;
    process.stderr.write(`[start e2e] first start ${first!.seconds.toFixed(1)} s, second start ${second.seconds.toFixed(1)} s\n`);
    expect(ready.n8nPackageInstalled).toBe(distChanged);
    if (!distChanged) expect(second.stderr()).toContain('unchanged since the last start, not reinstalled');
    expect({ email: ready.email, password: ready.password }).toEqual({ email: first!.ready.email, password: first!.ready.password });
    expect(ready.credentials.map((c) => c.id)).toEqual(first!.ready.credentials.map((c) => c.id));
    expect(ready.workflows.map((w) => [w.id, w.active])).toEqual(first!.ready.workflows.map((w) => [w.id, true]));

    const n8n = await n8nSession(ready.n8nUrl!, ready.email!, ready.password!);
    const all = await n8n.publicApi('GET', '/workflows?limit=100');
    expect(all.data.filter((w: any) => String(w.name).startsWith('Sandbox: '))).toHaveLength(3);
    for (const cred of ready.credentials) {
      const stored = await n8n.rest('GET', `/credentials/${cred.id}?includeData=true`);
      expect(stored.data.environmentUrl).toBe(cred.key === 'fno' ? ready.fnoUrl : ready.dataverseUrl);
      const result = await n8n.rest('POST', '/credentials/test', { credentials: { id: cred.id, name: cred.name, type: stored.type, data: stored.data } });
      expect({ cred: cred.key, status: result.status }).toEqual({ cred: cred.key, status: 'OK' });
    }
    const dv = dataverseOf(ready);
    try {
      const registrations = await registrationsOf(dv, ready.workflows[0].id);
      expect(registrations).toHaveLength(1);
      expect(registrations[0].url.startsWith(`${ready.n8nUrl}/webhook/`)).toBe(true);
      // After the restart, a new account still gets its task.
      const name = `Start e2e again ${randomUUID().slice(0, 8)}`;
      const { id: accountId } = await dv.create('accounts', { name });
      const task = await waitFor('the follow-up task after the restart', async () => {
        for await (const row of dv.iterateRows('tasks', { select: ['subject'], filter: raw(`_regardingobjectid_value eq ${accountId}`) })) return row;
        return undefined;
      });
      expect(task.subject).toBe(`Follow up with ${name}`);
    } finally {
      dv.close();
    }
    await expectStoppedAndPortsFree(second);
  });

  test('--no-n8n: the emulator and the connectors only', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-start-bare-'));
    try {
      const started = await startSandbox(bare, ['--no-n8n'], 3 * 60_000);
      running.push(started);
      const { ready } = started;
      expect(ready).toMatchObject({ n8nUrl: null, email: null, password: null, n8nPackageInstalled: null, workflows: [], credentials: [] });
      expect(fs.existsSync(path.join(bare, '.sandbox', 'n8n'))).toBe(false);
      expect(started.stderr()).not.toContain('n8n 2.41.1');
      const dv = dataverseOf(ready);
      try {
        expect((await dv.whoAmI()).UserId).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        dv.close();
      }
      await expectValidConnectors(ready);
      await expectStoppedAndPortsFree(started);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
