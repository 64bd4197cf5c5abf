/**
 * Runs a real n8n (2.41.1, Node 24, SQLite) headless on 127.0.0.1 (end-to-end tests, benchmarks, the sandbox), with THIS package installed
 * the way n8n installs community packages (npm pack + untar into `.n8n/nodes/node_modules/<pkg>`, no node_modules of
 * its own, so `n8n-workflow` resolves to n8n's copy). Recipe: shared/reference/n8n-community-nodes.md §3–4.
 *
 *   const n8n = await startN8n({ extraCaFile: emulator.caCertFile });
 *   const cred = await n8n.api.createCredential('myCredType', { ... });
 *   const run = await n8n.api.executeWorkflow({ nodes, connections });   // run data of a real execution
 *   await n8n.stop();
 *
 * Requires `npm run build` first (dist/ is packed as is; the harness never rebuilds, other suites may be using dist/).
 */
import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureN8nInstalled, N8nInstall } from './install';

export const PACKAGE_NAME = 'n8n-nodes-dynamics365';
const ROOT = process.env.N8N_E2E_PROJECT_ROOT ?? projectRoot(__dirname);

/** The package root, whether this file runs from the sources (scripts/n8n) or from dist/scripts/n8n. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json of ${PACKAGE_NAME} not found above ${from}`);
  }
}
export interface N8nOwner {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
}
const OWNER: N8nOwner = { email: 'owner@e2e.test', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Passw0rd!' };
const BROWSER_ID = 'n8n-e2e-harness';

export interface StartN8nOptions {
  /** CA bundle for NODE_EXTRA_CA_CERTS (the emulator's caCertFile already includes any existing bundle). */
  extraCaFile?: string;
  /** Extra environment for n8n (wins over the harness defaults). */
  env?: Record<string, string>;
  /** Readiness timeout (default 180 s). */
  startTimeoutMs?: number;
  /** Keep the user folder after stop() (also N8N_E2E_KEEP=1); its path is printed. */
  keep?: boolean;
  /**
   * Start on the user folder of an earlier run (stopped with `keep`): its database, credentials, active workflows
   * and static data, as after a restart of the same n8n. The folder is kept after stop().
   */
  userFolder?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** The instance owner to set up and log in as (default: the test owner). */
  owner?: N8nOwner;
  /** With userFolder: set up the owner first, for a persistent folder whose n8n runs for the first time. */
  setupOwner?: boolean;
}

export interface WorkflowJson {
  name?: string;
  nodes: any[];
  connections: Record<string, any>;
  settings?: Record<string, any>;
}

export interface ExecutionResult {
  executionId: string;
  status: string;
  /** `data.resultData.runData`: node name → runs. */
  runData: Record<string, any[]>;
  /** Error of the run, if any (`data.resultData.error`). */
  error?: any;
  /** The whole execution as the public API returns it (includeData=true). */
  execution: any;
  /** First output's items (json only) of a node's last run. */
  output(nodeName: string): any[];
}

export interface DynamicParamsRequest {
  /** Full node type, e.g. `n8n-nodes-dynamics365.dataverse`. */
  nodeType: string;
  typeVersion: number;
  methodName: string;
  /** Parameter path, e.g. `parameters.table` (default `parameters.<methodName>`). */
  path?: string;
  currentNodeParameters?: Record<string, any>;
  /** `{ <credentialType>: { id, name } }` */
  credentials?: Record<string, { id: string; name: string }>;
  /** listSearch only */
  filter?: string;
  paginationToken?: string;
}

export interface N8nApi {
  /** Cookie-authenticated internal REST API (`/rest/...`); returns the `data` member of the answer. */
  rest(method: string, pathname: string, body?: unknown): Promise<any>;
  /** Public API (`/api/v1/...`) with the X-N8N-API-KEY header; returns the parsed body. */
  publicApi(method: string, pathname: string, body?: unknown): Promise<any>;
  createCredential(type: string, data: Record<string, unknown>, name?: string): Promise<{ id: string; name: string; type: string }>;
  /** Creates a workflow through the public API; returns its id. */
  createWorkflow(workflow: WorkflowJson): Promise<string>;
  /** Imports workflow JSON (id kept if ≤ 21 chars) through the CLI `n8n import:workflow`; returns its id. */
  importWorkflow(workflow: WorkflowJson & { id?: string }): Promise<string>;
  /**
   * Runs a workflow on the live server and returns the execution with its run data. The workflow's start node must be
   * a Manual Trigger (`n8n-nodes-base.manualTrigger`, replaced by a Webhook node of the same name, so it outputs the
   * webhook request instead of one empty item) or a Webhook node. Implementation (recipe §4.7): create, activate, POST
   * the production webhook, read the execution through the public API, then deactivate and delete the workflow.
   */
  executeWorkflow(workflow: WorkflowJson, input?: unknown): Promise<ExecutionResult>;
  /** POST /rest/dynamic-node-parameters/options (loadOptions) → INodePropertyOptions[] */
  loadOptions(req: DynamicParamsRequest): Promise<any[]>;
  /** POST /rest/dynamic-node-parameters/resource-locator-results (listSearch) → { results, paginationToken? } */
  listSearch(req: DynamicParamsRequest): Promise<{ results: any[]; paginationToken?: unknown }>;
  /** POST /rest/dynamic-node-parameters/resource-mapper-fields → { fields } */
  resourceMapperFields(req: DynamicParamsRequest): Promise<{ fields: any[]; emptyFieldsNotice?: string }>;
  /** Node types the server knows (GET /types/nodes.json). */
  nodeTypes(): Promise<any[]>;
  /** Credential types the server knows (GET /types/credentials.json). */
  credentialTypes(): Promise<any[]>;
}

export interface RunningN8n {
  url: string;
  userFolder: string;
  /** Where this package is installed: `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-dynamics365`. */
  packageDir: string;
  api: N8nApi;
  /** n8n's stdout+stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

const alive = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of alive) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves true when `p` settles within `ms`, false otherwise; leaves no timer behind. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
}

/** `npm pack` of the built project into `dir`; returns the tarball path. */
export function packProject(dir: string): string {
  if (!fs.existsSync(path.join(ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return path.join(dir, JSON.parse(out.slice(out.indexOf('[')))[0].filename);
}

/**
 * Installs this package into `<userFolder>/.n8n/nodes/node_modules/<pkg>` as n8n's own installer does (recipe §3,
 * `downloadPackage`): the packed tarball unpacked with --strip-components=1, devDependencies/peerDependencies/
 * optionalDependencies removed from its package.json, then `npm install --omit=dev --ignore-scripts
 * --install-strategy=shallow --package-lock=false`, so its runtime dependencies (@azure/msal-node 7, not n8n's hoisted
 * 3.x) are its own while n8n-workflow resolves to n8n's copy. Returns the package directory.
 */
export function installPackageInto(userFolder: string, inst: N8nInstall): string {
  const pkgDir = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
  fs.mkdirSync(pkgDir, { recursive: true });
  const packDir = fs.mkdtempSync(path.join(userFolder, 'pack-'));
  try {
    execFileSync('tar', ['xzf', packProject(packDir), '-C', pkgDir, '--strip-components=1'], { timeout: 60_000 });
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  delete pj.devDependencies;
  delete pj.peerDependencies;
  delete pj.optionalDependencies;
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(pj, null, 2));
  if (Object.keys(pj.dependencies ?? {}).length > 0) {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_(config_(ignore_scripts|legacy_peer_deps|omit|include)|package_|lifecycle_)/i.test(k)) env[k] = v;
    env.PATH = `${inst.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`;
    // Cached metadata first (the dependencies were fetched before on this machine) and bounded fetches: a registry
    // connection that stalls must not hold the suite; npm may ignore SIGTERM while it waits, hence SIGKILL and a retry.
    const args = ['install', '--omit=dev', '--ignore-scripts=true', '--install-strategy=shallow', '--package-lock=false', '--no-audit', '--no-fund',
      '--prefer-offline', '--fetch-timeout=60000', '--fetch-retries=3'];
    for (let attempt = 1; ; attempt++) {
      try {
        execFileSync('npm', args, { cwd: pkgDir, env, timeout: 240_000, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
        break;
      } catch (e) {
        if (attempt >= 2) throw e;
        process.stderr.write(`[n8n-harness] npm install of the package failed or stalled (${(e as Error).message.split('\n')[0]}); trying once more\n`);
      }
    }
  }
  if (fs.existsSync(path.join(pkgDir, 'node_modules', 'n8n-workflow'))) throw new Error("n8n-workflow must resolve to n8n's copy, not the package's");
  return pkgDir;
}

/** The environment `startN8n` gives n8n; queue-mode workers start from the same one. */
export function n8nEnv(inst: N8nInstall, userFolder: string, port: number, brokerPort: number, opts: StartN8nOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|N8N_|DB_|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$|NODE_TLS_REJECT_UNAUTHORIZED$|NODE_ENV$|JEST_|EXECUTIONS_)/i.test(k)) continue;
    env[k] = v;
  }
  const url = `http://127.0.0.1:${port}/`;
  Object.assign(env, {
    PATH: `${inst.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_EDITOR_BASE_URL: url,
    WEBHOOK_URL: url,
    DB_TYPE: 'sqlite',
    N8N_ENCRYPTION_KEY: 'n8n-nodes-dynamics365-e2e-key-0001',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_SECURE_COOKIE: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_RUNNERS_MODE: 'internal',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_RUNNERS_TASK_TIMEOUT: '60',
    N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
    N8N_PYTHON_ENABLED: 'false',
    N8N_LOG_LEVEL: 'info',
    N8N_LOG_OUTPUT: 'console',
    N8N_HIDE_USAGE_PAGE: 'true',
  });
  if (opts.extraCaFile) env.NODE_EXTRA_CA_CERTS = opts.extraCaFile;
  Object.assign(env, opts.env ?? {});
  return env;
}

export async function startN8n(opts: StartN8nOptions = {}): Promise<RunningN8n> {
  const inst = await ensureN8nInstalled();
  const restart = opts.userFolder !== undefined;
  const userFolder = opts.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
  const keep = restart || opts.keep || process.env.N8N_E2E_KEEP === '1';
  let child: ChildProcess | undefined;
  let logText = '';
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const c = child;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      killGroup(c, 'SIGTERM');
      if (!(await within(exited, 15_000))) {
        killGroup(c, 'SIGKILL');
        await within(exited, 5_000);
      }
    }
    if (child) {
      killGroup(child, 'SIGKILL'); // the task runner child, if it outlived its parent
      alive.delete(child);
    }
    if (keep) process.stderr.write(`[n8n-harness] kept user folder ${userFolder}\n`);
    else fs.rmSync(userFolder, { recursive: true, force: true });
  };

  try {
    if (!restart) {
      const tPkg = Date.now();
      installPackageInto(userFolder, inst);
      process.stderr.write(`[n8n-harness] package installed into the user folder in ${((Date.now() - tPkg) / 1000).toFixed(1)} s\n`);
    }
    const port = opts.port ?? (await freePort());
    let brokerPort = await freePort();
    while (brokerPort === port) brokerPort = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const logFile = path.join(userFolder, 'n8n.log');
    const t0 = Date.now();
    child = spawn(inst.nodeBin, [inst.n8nBin, 'start'], {
      cwd: userFolder,
      env: n8nEnv(inst, userFolder, port, brokerPort, opts),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    alive.add(child);
    const append = (b: Buffer) => {
      logText += b.toString();
      if (logText.length > 2_000_000) logText = logText.slice(-1_000_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const closed = new Promise<void>((r) => child!.once('close', () => r()));
    child.on('exit', () => fs.existsSync(userFolder) && fs.writeFileSync(logFile, logText));

    const timeout = opts.startTimeoutMs ?? 180_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await within(closed, 3_000); // let the pipes drain so the log shows why
        throw new Error(`n8n exited early (${child.exitCode ?? child.signalCode})`);
      }
      if (Date.now() - t0 > timeout) throw new Error(`n8n not ready after ${timeout / 1000} s`);
      if (logText.includes('Editor is now accessible via')) {
        // Readiness, then the REST layer itself: on a busy machine the first REST call can meet a socket closed
        // while n8n is still wiring its routes.
        const answers = async (pathname: string) =>
          fetch(`${url}${pathname}`, { signal: AbortSignal.timeout(5_000) }).then(
            (r) => r.status === 200,
            () => false,
          );
        if ((await answers('/healthz/readiness')) && (await answers('/rest/settings'))) break;
      }
      await sleep(250);
    }
    process.stderr.write(`[n8n-harness] n8n ready on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    const api = await connect(url, inst, userFolder, () => n8nEnv(inst, userFolder, port, brokerPort, opts), restart && !opts.setupOwner, opts.owner ?? OWNER);
    return { url, userFolder, packageDir: path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME), api, log: () => logText, stop };
  } catch (e) {
    const tail = logText.split('\n').slice(-60).join('\n');
    await stop();
    throw new Error(`${e.message}\n--- n8n log (tail) ---\n${tail}`);
  }
}

async function connect(url: string, inst: N8nInstall, userFolder: string, envOf: () => NodeJS.ProcessEnv, restart: boolean, owner: N8nOwner): Promise<N8nApi> {
  let cookie = '';
  let apiKey = '';
  const call = async (method: string, pathname: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(url + pathname, {
      method,
      headers: { accept: 'application/json', 'browser-id': BROWSER_ID, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 400) throw Object.assign(new Error(`${method} ${pathname} → ${res.status}: ${text.slice(0, 2000)}`), { status: res.status, body: json ?? text });
    return { res, json };
  };
  const rest = async (method: string, pathname: string, body?: unknown) => {
    const { json } = await call(method, `/rest${pathname.startsWith('/') ? '' : '/'}${pathname}`, body, cookie ? { cookie } : {});
    return json && typeof json === 'object' && 'data' in json ? json.data : json;
  };
  const publicApi = async (method: string, pathname: string, body?: unknown) =>
    (await call(method, `/api/v1${pathname.startsWith('/') ? '' : '/'}${pathname}`, body, { 'x-n8n-api-key': apiKey })).json;

  // Owner, login (cookie), API key: recipe §4.6.
  if (!restart) await rest('POST', '/owner/setup', owner);
  const { res } = await call('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password }, {});
  const setCookies = res.headers.getSetCookie();
  const auth = setCookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
  if (!auth) throw new Error(`login gave no n8n-auth cookie: ${JSON.stringify(setCookies)}`);
  cookie = auth;
  const scopes = await rest('GET', '/api-keys/scopes');
  apiKey = (await rest('POST', '/api-keys', { label: `e2e-${randomUUID().slice(0, 8)}`, scopes, expiresAt: null })).rawApiKey;
  if (!apiKey) throw new Error('no API key created');

  const dynamic = (endpoint: string, r: DynamicParamsRequest, extra: Record<string, unknown> = {}) =>
    rest('POST', `/dynamic-node-parameters/${endpoint}`, {
      path: r.path ?? `parameters.${r.methodName}`,
      nodeTypeAndVersion: { name: r.nodeType, version: r.typeVersion },
      currentNodeParameters: r.currentNodeParameters ?? {},
      methodName: r.methodName,
      ...(r.credentials ? { credentials: r.credentials } : {}),
      ...extra,
    });

  const createWorkflow = async (wf: WorkflowJson) => {
    const created = await publicApi('POST', '/workflows', {
      name: wf.name ?? `e2e ${randomUUID().slice(0, 8)}`,
      nodes: wf.nodes,
      connections: wf.connections,
      settings: wf.settings ?? { executionOrder: 'v1' },
    });
    return String(created.id);
  };

  const api: N8nApi = {
    rest,
    publicApi,
    async createCredential(type, data, name) {
      const c = await publicApi('POST', '/credentials', { name: name ?? `${type} ${randomUUID().slice(0, 8)}`, type, data });
      return { id: String(c.id), name: c.name, type: c.type };
    },
    createWorkflow,
    async importWorkflow(wf) {
      const file = path.join(userFolder, `import-${randomUUID()}.json`);
      const id = wf.id ?? randomUUID().replace(/-/g, '').slice(0, 16);
      fs.writeFileSync(file, JSON.stringify({ settings: { executionOrder: 'v1' }, name: `e2e ${id}`, active: false, ...wf, id }));
      const env = envOf();
      env.N8N_RUNNERS_BROKER_PORT = String(await freePort()); // the server holds its own broker port
      execFileSync(inst.nodeBin, [inst.n8nBin, 'import:workflow', `--input=${file}`], { cwd: userFolder, env, timeout: 120_000, stdio: 'pipe' });
      fs.rmSync(file, { force: true });
      return id;
    },
    async executeWorkflow(wf, input = {}) {
      const webhookPath = `e2e-${randomUUID()}`;
      let starts = 0;
      const nodes = wf.nodes.map((n) => {
        if (n.type === 'n8n-nodes-base.manualTrigger' || n.type === 'n8n-nodes-base.webhook') {
          starts++;
          return {
            ...n,
            type: 'n8n-nodes-base.webhook',
            typeVersion: 2,
            webhookId: randomUUID(),
            parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
          };
        }
        return n;
      });
      if (starts !== 1) throw new Error('executeWorkflow needs exactly one Manual Trigger or Webhook node');
      const id = await createWorkflow({ ...wf, nodes });
      try {
        await publicApi('POST', `/workflows/${id}/activate`);
        let answer: Response | undefined;
        const deadline = Date.now() + 30_000;
        for (;;) {
          answer = await fetch(`${url}/webhook/${webhookPath}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(input),
            signal: AbortSignal.timeout(300_000),
          });
          if (answer.status !== 404 || Date.now() > deadline) break; // activation returns before webhooks are live
          await answer.text();
          await sleep(100);
        }
        await answer.text();
        let execution: any;
        const until = Date.now() + 30_000;
        for (;;) {
          const list = await publicApi('GET', `/executions?workflowId=${id}&includeData=true&limit=5`);
          execution = list.data?.find((e: any) => e.finished || ['success', 'error', 'crashed', 'canceled'].includes(e.status));
          if (execution || Date.now() > until) break;
          await sleep(200);
        }
        if (!execution) throw new Error(`no finished execution for workflow ${id} (webhook answered ${answer.status})`);
        const runData = execution.data?.resultData?.runData ?? {};
        return {
          executionId: String(execution.id),
          status: execution.status,
          runData,
          error: execution.data?.resultData?.error,
          execution,
          output: (node: string) => {
            const runs = runData[node];
            if (!runs?.length) throw new Error(`node "${node}" did not run; ran: ${Object.keys(runData).join(', ')}`);
            return (runs[runs.length - 1].data?.main?.[0] ?? []).map((i: any) => i.json);
          },
        };
      } finally {
        await publicApi('POST', `/workflows/${id}/deactivate`).catch(() => undefined);
        await publicApi('DELETE', `/workflows/${id}`).catch(() => undefined);
      }
    },
    loadOptions: (r) => dynamic('options', r),
    listSearch: (r) => dynamic('resource-locator-results', r, { ...(r.filter !== undefined ? { filter: r.filter } : {}), ...(r.paginationToken !== undefined ? { paginationToken: r.paginationToken } : {}) }),
    resourceMapperFields: (r) => dynamic('resource-mapper-fields', r),
    nodeTypes: async () => (await call('GET', '/types/nodes.json', undefined, { cookie })).json,
    credentialTypes: async () => (await call('GET', '/types/credentials.json', undefined, { cookie })).json,
  };
  return api;
}
