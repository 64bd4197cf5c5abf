/**
 * The emulator CLI (dist/scripts/emulator.js, built by `npm test` / `npm run build`) as a child process: its ready
 * line, --data durability across SIGKILL (no acknowledged row lost, none duplicated), clean SIGTERM shutdown, and
 * its usage errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { httpsRequest, type HttpResult } from '../helpers/emulator';

const CLI = path.resolve(__dirname, '../../dist/scripts/emulator.js');
const READY_KEYS = ['authorityUrl', 'caCertFile', 'clientId', 'clientSecret', 'dataverseUrl', 'fnoUrl', 'tenantId'] as const;

/** The ready line's fields. */
type Ready = Pick<RunningEmulator, (typeof READY_KEYS)[number]>;

interface Cli {
  child: ChildProcess;
  ready: Ready;
  ca: { caCertPem: string };
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function requireCli() {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` builds before running jest).`);
  }
}

function startCli(args: string[]): Promise<Cli> {
  requireCli();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within 20 s; stdout: ${out} stderr: ${err}`));
    }, 20_000);
    const onData = () => {
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      try {
        const ready = JSON.parse(out.slice(0, newline)) as Ready;
        resolve({
          child,
          ready,
          ca: { caCertPem: fs.readFileSync(ready.caCertFile, 'utf8') },
          stdout: () => out,
          stderr: () => err,
          exited,
        });
      } catch (e) {
        child.kill('SIGKILL');
        reject(new Error(`the first stdout line is not JSON: ${out.slice(0, newline)} (${(e as Error).message})`));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before its ready line; stderr: ${err}`));
    });
  });
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  requireCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator ${args.join(' ')} did not exit within 20 s`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function tokenFor(cli: Cli): Promise<string> {
  const res = await httpsRequest(cli.ca, 'POST', `${cli.ready.authorityUrl}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: cli.ready.clientId,
      client_secret: cli.ready.clientSecret,
      scope: `${cli.ready.dataverseUrl}.default`,
    }).toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json.access_token;
}

function api(cli: Cli, token: string, method: string, relative: string, body?: unknown): Promise<HttpResult> {
  return httpsRequest(cli.ca, method, `${cli.ready.dataverseUrl}api/data/v9.2/${relative}`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'odata-version': '4.0',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function durRows(cli: Cli, token: string): Promise<Array<{ accountid: string; name: string }>> {
  const res = await api(cli, token, 'GET', `accounts?$select=name&$filter=${encodeURIComponent("startswith(name,'dur-')")}`);
  expect(res.status).toBe(200);
  expect(res.json['@odata.nextLink']).toBeUndefined();
  return res.json.value;
}

describe('emulator CLI with --data', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged row across SIGKILL, none twice, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'd365-durability-'));
    dirs.push(dataDir);
    const args = ['--data', dataDir, '--limits', 'off', '--port', '0'];

    const first = await startCli(args);
    children.push(first.child);
    expect(Object.keys(first.ready).sort()).toEqual(READY_KEYS);
    expect(first.ready.dataverseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(first.ready.authorityUrl).toBe(`${first.ready.dataverseUrl}${first.ready.tenantId}`);
    expect(first.ready.caCertFile.startsWith(dataDir)).toBe(true);
    expect(first.stdout().split('\n')).toEqual([expect.any(String), '']);
    // The private keys stay out of the ready line.
    expect(first.stdout()).not.toMatch(/PRIVATE KEY/);

    const token = await tokenFor(first);
    const TOTAL = 300;
    const WORKERS = 20;
    const KILL_AFTER = 150;
    const acknowledged = new Map<string, string>(); // id -> name
    let next = 0;
    let sent = 0;
    let failed = 0;
    let killed = false;
    const worker = async () => {
      while (next < TOTAL) {
        const name = `dur-${String(next++).padStart(3, '0')}`;
        sent++;
        try {
          const res = await api(first, token, 'POST', 'accounts', { name });
          if (res.status !== 204) throw new Error(`POST answered ${res.status}: ${res.text}`);
          const entityId = String(res.headers['odata-entityid']);
          const id = /accounts\(([0-9a-f-]{36})\)$/.exec(entityId)?.[1];
          if (!id) throw new Error(`no OData-EntityId in the 204: ${entityId}`);
          acknowledged.set(id, name);
          if (!killed && acknowledged.size >= KILL_AFTER) {
            killed = true;
            first.child.kill('SIGKILL'); // with up to 19 other POSTs in flight
          }
        } catch (e) {
          if (!killed) throw e;
          failed++;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(killed).toBe(true);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.size).toBeLessThan(TOTAL);
    expect(failed).toBeGreaterThan(0);

    const second = await startCli(args);
    children.push(second.child);
    expect(second.ready).toMatchObject({
      clientId: first.ready.clientId,
      clientSecret: first.ready.clientSecret,
      tenantId: first.ready.tenantId,
    });
    const token2 = await tokenFor(second);
    const rows = await durRows(second, token2);
    const byId = new Map(rows.map((r) => [r.accountid, r.name]));
    const lost = [...acknowledged].filter(([id, name]) => byId.get(id) !== name);
    expect(lost).toEqual([]);
    // No duplicates: every id and every name at most once; unacknowledged extras can only be in-flight ones.
    expect(byId.size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    expect(rows.length).toBeLessThanOrEqual(sent);
    console.info(
      `durability: ${acknowledged.size} acknowledged of ${sent} sent, SIGKILL with ${sent - acknowledged.size} unanswered; ` +
        `${rows.length} rows after restart, 0 lost`,
    );

    // The restarted emulator keeps accepting writes, then SIGTERM stops it with exit code 0.
    const after = await api(second, token2, 'POST', 'accounts', { name: 'dur-after-restart' });
    expect(after.status).toBe(204);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stderr()).toContain('SIGTERM received');
    expect(second.stdout().split('\n')).toEqual([expect.any(String), '']);

    // A clean stop leaves a full snapshot and an empty journal, which load again.
    const snapshot = JSON.parse(fs.readFileSync(path.join(dataDir, 'snapshot.json'), 'utf8'));
    expect(snapshot).toMatchObject({ format: 1, seq: expect.any(Number), data: expect.anything() });
    const journal = path.join(dataDir, 'journal.jsonl');
    expect(fs.existsSync(journal) ? fs.statSync(journal).size : 0).toBe(0);
    const reopened = await startEmulator({ dataDir, limits: 'off' });
    try {
      expect(reopened.clientId).toBe(first.ready.clientId);
      const names = [...reopened.service.store.rows('account').values()].map((r) => String(r.name)).filter((n) => n.startsWith('dur-'));
      expect(names.length).toBe(rows.length + 1);
      expect(names).toContain('dur-after-restart');
    } finally {
      await reopened.stop();
    }
  }, 180_000); // three emulator processes started one after the other; slow on a loaded machine

  it('--help prints the usage and exits 0', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: npm run emulator -- \[options\]/);
    for (const flag of ['--port', '--metadata', '--limits', '--faults', '--data', '--help']) expect(res.stdout).toContain(flag);
    expect(res.stderr).toBe('');
  });

  it('an unknown option, a bad value or a bad fault spec exits 2 with a message', async () => {
    const unknown = await runCli(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    expect(unknown.stderr).toContain('Usage:');
    expect(unknown.stdout).toBe('');

    const limits = await runCli(['--limits', 'fast']);
    expect(limits.code).toBe(2);
    expect(limits.stderr).toContain('--limits must be real, test or off');

    const faults = await runCli(['--faults', 'rate=1:418']);
    expect(faults.code).toBe(2);
    expect(faults.stderr).toContain('Invalid fault spec token "418"');
  });
});

describe('one emulator per data directory', () => {
  test('a second emulator on the same --data directory is refused and the first keeps its files', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { startEmulator } = await import('../../emulator');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'd365-lock-'));
    const first = await startEmulator({ dataDir: dir, limits: 'off' });
    try {
      const ca = fs.readFileSync(first.caCertFile, 'utf8');
      await expect(startEmulator({ dataDir: dir, limits: 'off' })).rejects.toThrow(/is in use by another emulator/);
      expect(fs.readFileSync(first.caCertFile, 'utf8')).toBe(ca);
    } finally {
      await first.stop();
    }
    const again = await startEmulator({ dataDir: dir, limits: 'off' });
    expect(again.clientSecret).toBe(first.clientSecret);
    await again.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
