/**
 * n8n 2.41.1 in queue mode on loopback: a private redis-server, one main (`n8n start`, which receives webhooks and
 * enqueues executions) and `n8n worker` processes that run them, all on the same SQLite file and user folder (so the
 * workers load this package from the same `.n8n/nodes`) with the same encryption key.
 *
 *   const cluster = await startQueueCluster({ extraCaFile: emulator.caCertFile, workers: 2 });
 *   cluster.main.api…; cluster.workers[0].kill('SIGKILL'); await cluster.stop();
 *
 * Requires redis-server on the PATH (scripts/ci/install-redis.sh) and `npm run build` (see harness.ts).
 */
import { spawn, ChildProcess, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, n8nEnv, RunningN8n, startN8n, StartN8nOptions } from './harness';
import { ensureN8nInstalled } from './install';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const spawned = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of spawned) signalGroup(child, 'SIGKILL');
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Ends a process group: SIGTERM, then SIGKILL after `graceMs`. */
async function endGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (isRunning(child)) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  signalGroup(child, 'SIGKILL'); // children that outlived their parent (the task runner)
  spawned.delete(child);
}

/** Spawns a detached process group whose output is kept (bounded) for diagnostics. */
function spawnLogged(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; log: () => string } {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  spawned.add(child);
  let text = '';
  const append = (b: Buffer) => {
    text += b.toString();
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return { child, log: () => text };
}

/** Polls `probe` until it is true; throws with the process log tail when the process exits or the bound passes. */
async function waitUntilReady(what: string, child: ChildProcess, log: () => string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning(child)) throw new Error(`${what} exited early (${child.exitCode ?? child.signalCode})\n${log().split('\n').slice(-40).join('\n')}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s\n${log().split('\n').slice(-40).join('\n')}`);
    await sleep(200);
  }
}

export interface RunningRedis {
  host: string;
  port: number;
  /** Runs redis-cli against this server and returns its output (e.g. `redisCli('LLEN', 'bull:jobs:wait')`). */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

/** The failure globalSetup recorded while installing Redis, or why redis-server cannot be found. */
export function redisUnavailable(): string | undefined {
  if (process.env.REDIS_INSTALL_ERROR) return `redis-server install failed in globalSetup: ${process.env.REDIS_INSTALL_ERROR}`;
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return undefined;
  } catch {
    return 'redis-server is not on the PATH: run scripts/ci/install-redis.sh';
  }
}

/**
 * A redis-server of its own on 127.0.0.1 (free port, temp dir, no persistence, not daemonized) that ends with
 * stop() or with this process.
 */
export async function startRedis(): Promise<RunningRedis> {
  const missing = redisUnavailable();
  if (missing) throw new Error(missing);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-e2e-'));
  const port = await freePort();
  const { child, log } = spawnLogged(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
    { cwd: dir, env: process.env },
  );
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 }).trim();
  const stop = async () => {
    await endGroup(child, 5_000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady('redis-server', child, log, async () => cli('PING') === 'PONG', 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host: '127.0.0.1', port, cli, stop };
}

export interface RunningWorker {
  /** Its health endpoint base, `http://127.0.0.1:PORT`. */
  healthUrl: string;
  pid: number;
  log(): string;
  /** Sends a signal to the worker's process group (SIGKILL: a crash with no chance to hand its jobs back). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
  stop(): Promise<void>;
}

export interface QueueClusterOptions extends StartN8nOptions {
  /** Number of `n8n worker` processes (default 2). */
  workers?: number;
  /** Jobs each worker runs at once (`--concurrency`, default 10). */
  concurrency?: number;
}

export interface QueueCluster {
  redis: RunningRedis;
  main: RunningN8n;
  workers: RunningWorker[];
  /** Starts one more worker on the same database, user folder and queue. */
  startWorker(): Promise<RunningWorker>;
  stop(): Promise<void>;
}

/**
 * Bull's stall detection, shortened so a crashed worker's jobs are noticed in seconds rather than minutes: a worker
 * renews the lock of each job it runs every 2 s, a lock lapses 10 s after the last renewal, and live workers look
 * for lapsed locks every 5 s. n8n sets maxStalledCount to 0, so a stalled job is failed, never re-queued.
 * Main's queue recovery (marks executions left "new" or "running" without a job as crashed) runs every minute
 * instead of every 3 hours.
 */
const QUEUE_ENV = {
  EXECUTIONS_MODE: 'queue',
  N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
  QUEUE_WORKER_LOCK_DURATION: '10000',
  QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
  QUEUE_WORKER_STALLED_INTERVAL: '5000',
  OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
  QUEUE_HEALTH_CHECK_ACTIVE: 'true',
  N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
};

export async function startQueueCluster(opts: QueueClusterOptions = {}): Promise<QueueCluster> {
  const inst = await ensureN8nInstalled();
  const redis = await startRedis();
  const env = { ...QUEUE_ENV, QUEUE_BULL_REDIS_HOST: redis.host, QUEUE_BULL_REDIS_PORT: String(redis.port), ...(opts.env ?? {}) };
  let main: RunningN8n;
  try {
    // Kept: the workers still use the folder while main stops; stop() removes it last.
    main = await startN8n({ ...opts, env, keep: true });
  } catch (e) {
    await redis.stop();
    throw e;
  }
  const mainPort = Number(new URL(main.url).port);
  const workers: RunningWorker[] = [];

  const startWorker = async (): Promise<RunningWorker> => {
    const healthPort = await freePort();
    let brokerPort = await freePort();
    while (brokerPort === healthPort) brokerPort = await freePort();
    // Each worker runs its own task broker, so it needs a port of its own (the default 5679 would collide).
    const workerEnv = n8nEnv(inst, main.userFolder, mainPort, brokerPort, { ...opts, env: { ...env, QUEUE_HEALTH_CHECK_PORT: String(healthPort) } });
    const { child, log } = spawnLogged(inst.nodeBin, [inst.n8nBin, 'worker', `--concurrency=${opts.concurrency ?? 10}`], { cwd: main.userFolder, env: workerEnv });
    const healthUrl = `http://127.0.0.1:${healthPort}`;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const worker: RunningWorker = {
      healthUrl,
      pid: child.pid!,
      log,
      kill: (signal) => signalGroup(child, signal),
      exited: () => exited,
      stop: () => endGroup(child, 20_000),
    };
    try {
      await waitUntilReady(
        'n8n worker',
        child,
        log,
        async () => (await fetch(`${healthUrl}/healthz/readiness`, { signal: AbortSignal.timeout(5_000) })).status === 200,
        opts.startTimeoutMs ?? 180_000,
      );
    } catch (e) {
      await worker.stop();
      throw e;
    }
    workers.push(worker);
    return worker;
  };

  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await main.stop();
    await redis.stop();
    if (!opts.keep && process.env.N8N_E2E_KEEP !== '1') fs.rmSync(main.userFolder, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < (opts.workers ?? 2); i++) await startWorker();
  } catch (e) {
    await stop();
    throw e;
  }
  return { redis, main, workers, startWorker, stop };
}
