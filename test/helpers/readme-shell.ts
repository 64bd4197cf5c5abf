/**
 * A command line run the way a user types it in a terminal: `bash -c` in its own process group, so that a SIGINT to
 * the group is what Ctrl+C does and nothing it started can outlive the test. Output is kept in memory and in log
 * files; what goes into error messages has the sandbox's generated password and client secret masked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function maskSecrets(text: string): string {
  return text
    .replace(/"(password|clientSecret)":"[^"]*"/g, '"$1":"***"')
    .replace(/(login \S+ \/ )\S+/g, '$1***')
    .replace(/(secret )\S+/g, '$1***');
}

/**
 * The environment of a user's shell: the caller's, minus what npm and jest add to their children (lifecycle
 * variables, the outer project's node_modules/.bin on PATH, NODE_ENV=test, install errors of the outer run).
 */
export function userShellEnv(outerRoot: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const keepNpm = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^npm_/i.test(k) && !keepNpm.has(k.toLowerCase())) continue;
    if (k === 'INIT_CWD' || k === 'JEST_WORKER_ID' || k.endsWith('_INSTALL_ERROR')) continue;
    if (k === 'NODE_ENV' && v === 'test') continue;
    env[k] = v;
  }
  env.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => p && !path.resolve(p).startsWith(path.resolve(outerRoot) + path.sep))
    .join(path.delimiter);
  return { ...env, ...extra };
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ShellRun {
  readonly child: ChildProcess;
  private out = '';
  private err = '';
  private exitStatus: ExitStatus | undefined;
  readonly started = Date.now();

  constructor(
    readonly line: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
    logPrefix: string,
  ) {
    const stdoutLog = fs.createWriteStream(`${logPrefix}.stdout.log`);
    const stderrLog = fs.createWriteStream(`${logPrefix}.stderr.log`);
    this.child = spawn('bash', ['-c', line], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (b: Buffer) => {
      this.out += b.toString();
      stdoutLog.write(b);
    });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.err += b.toString();
      stderrLog.write(b);
    });
    this.child.once('exit', (code, signal) => {
      this.exitStatus = { code, signal };
      stdoutLog.end();
      stderrLog.end();
    });
  }

  stdout(): string {
    return this.out;
  }

  stderr(): string {
    return this.err;
  }

  exited(): ExitStatus | undefined {
    return this.exitStatus;
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** The end of both streams, secrets masked, for an error message. */
  describe(chars = 6000): string {
    const status = this.exitStatus ? `exit code ${this.exitStatus.code}, signal ${this.exitStatus.signal}` : 'still running';
    return `\`${this.line}\` (${status}, after ${this.seconds().toFixed(0)} s)\n--- stdout (end) ---\n${maskSecrets(this.out.slice(-chars))}\n--- stderr (end) ---\n${maskSecrets(this.err.slice(-chars))}`;
  }

  /** Polls `probe` until it gives a value; fails when the command exits first or the limit passes. */
  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (this.exitStatus) throw new Error(`${what}: the command ended first: ${this.describe()}`);
      if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s: ${this.describe()}`);
      await sleep(500);
    }
  }

  /** Waits for the command to end by itself. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exitStatus) {
      if (Date.now() > deadline) throw new Error(`\`${this.line}\` did not finish within ${Math.round(timeoutMs / 1000)} s: ${this.describe()}`);
      await sleep(500);
    }
    return this.exitStatus;
  }

  /** Whether any process of the group is still alive (signal 0 probes without sending anything). */
  groupAlive(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      /* the group is gone already */
    }
  }

  /** Ctrl+C: SIGINT to the whole group, then waits until the command has exited and the group is empty. */
  async interrupt(timeoutMs: number): Promise<ExitStatus> {
    this.signalGroup('SIGINT');
    const status = await this.waitForExit(timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while (this.groupAlive()) {
      if (Date.now() > deadline) throw new Error(`processes of \`${this.line}\` still run ${Math.round(timeoutMs / 1000)} s after SIGINT`);
      await sleep(300);
    }
    return status;
  }

  /** For cleanup after a failure: SIGINT, then SIGKILL whatever is left of the group. */
  async stop(graceMs = 60_000): Promise<void> {
    if (!this.groupAlive() && this.exitStatus) return;
    this.signalGroup('SIGINT');
    const deadline = Date.now() + graceMs;
    while ((this.groupAlive() || !this.exitStatus) && Date.now() < deadline) await sleep(300);
    this.signalGroup('SIGKILL');
  }
}

/**
 * Processes whose working directory or environment points into `dir` (n8n runs in its own process group, with its
 * user folder inside the sandbox): what a stop must leave none of. Linux /proc only; elsewhere nothing is found.
 */
export function processesUnder(dir: string): number[] {
  const prefix = path.resolve(dir) + path.sep;
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return pids;
  }
  for (const e of entries) {
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${e}/cwd`);
      const environ = fs.readFileSync(`/proc/${e}/environ`, 'latin1');
      if ((cwd + path.sep).startsWith(prefix) || environ.split('\0').some((kv) => kv.includes(`=${prefix}`))) pids.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}
