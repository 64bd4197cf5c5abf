/**
 * Installs (once, cached) Node 24 and n8n 2.41.1 for the end-to-end tests, the benchmarks and the sandbox, following the tested headless recipe in
 * the n8n reference (§4.1–4.2): `npm i node@24`, then `npm i n8n@2.41.1 --save-exact --ignore-scripts` and
 * `npm rebuild sqlite3 isolated-vm` run on Node 24. The npm cache is the user's usual one, so a second machine-local
 * install is fast. A marker file is written last: an interrupted install is simply redone (npm steps are idempotent).
 *
 * Cache dir: `${N8N_E2E_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-dynamics365}/n8n-<version>/`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const N8N_VERSION = '2.41.1';
export const NODE_MAJOR = '24';
const MARKER = '.install-complete.json';

export interface N8nInstall {
  dir: string;
  /** Absolute path of the Node 24 binary. */
  nodeBin: string;
  /** Directory holding `node` (put first on PATH so npm and n8n's children run on Node 24). */
  nodeBinDir: string;
  /** n8n's CLI entry (`node_modules/n8n/bin/n8n`), run with nodeBin. */
  n8nBin: string;
  /** `node_modules` of the n8n app dir. */
  appNodeModules: string;
}

export function cacheRoot(): string {
  if (process.env.N8N_E2E_CACHE_DIR) return process.env.N8N_E2E_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'n8n-nodes-dynamics365');
}

export function installPaths(version = N8N_VERSION): N8nInstall {
  const dir = path.join(cacheRoot(), `n8n-${version}`);
  const nodeBinDir = path.join(dir, 'node24', 'node_modules', 'node', 'bin');
  return {
    dir,
    nodeBin: path.join(nodeBinDir, 'node'),
    nodeBinDir,
    n8nBin: path.join(dir, 'app', 'node_modules', 'n8n', 'bin', 'n8n'),
    appNodeModules: path.join(dir, 'app', 'node_modules'),
  };
}

export function isInstalled(version = N8N_VERSION): boolean {
  const p = installPaths(version);
  return fs.existsSync(path.join(p.dir, MARKER)) && fs.existsSync(p.nodeBin) && fs.existsSync(p.n8nBin);
}

function log(msg: string): void {
  process.stderr.write(`[n8n-install ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Environment for npm children: drop settings inherited from the project's npm run (e.g. ignore-scripts=true). */
function npmEnv(pathPrefix?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const lk = k.toLowerCase();
    if (lk.startsWith('npm_config_') && !/^npm_config_(cache|registry|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|nodedir|userconfig|globalconfig)$/.test(lk)) continue;
    if (lk.startsWith('npm_package_') || lk.startsWith('npm_lifecycle_')) continue;
    env[k] = v;
  }
  if (pathPrefix) env.PATH = `${pathPrefix}${path.delimiter}${env.PATH ?? ''}`;
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return env;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    log(`$ ${cmd} ${args.join(' ')}  (in ${opts.cwd})`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const keep = (b: Buffer) => {
      out += b.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const heartbeat = setInterval(() => log(`  … still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    const timer = setTimeout(() => {
      log(`  timed out after ${opts.timeoutMs / 1000} s, killing`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(heartbeat);
      clearTimeout(timer);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (code === 0) {
        log(`  done in ${secs} s`);
        resolve(out);
      } else reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}) after ${secs} s:\n${out.slice(-4000)}`));
    });
  });
}

/** A directory lock so that two processes never install into the same cache dir at once. */
async function withLock<T>(dir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        /* being created */
      }
      let alive = true;
      if (Number.isFinite(holder)) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        log(`removing stale lock of dead process ${holder}`);
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for install lock ${lock}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Ensures Node 24 and n8n are installed in the cache dir; returns their paths. Idempotent and fast when done
 * (marker present). Cold: ~6 min (empty npm cache); the steps have generous timeouts.
 */
export async function ensureN8nInstalled(version = N8N_VERSION): Promise<N8nInstall> {
  const p = installPaths(version);
  if (isInstalled(version)) return p;
  return withLock(p.dir, 40 * 60_000, async () => {
    if (isInstalled(version)) return p;
    const t0 = Date.now();
    log(`installing Node ${NODE_MAJOR} and n8n ${version} into ${p.dir} (first time: several minutes)`);
    fs.mkdirSync(p.dir, { recursive: true });
    fs.rmSync(path.join(p.dir, MARKER), { force: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

    const nodeDir = path.join(p.dir, 'node24');
    fs.mkdirSync(nodeDir, { recursive: true });
    if (!fs.existsSync(path.join(nodeDir, 'package.json'))) fs.writeFileSync(path.join(nodeDir, 'package.json'), '{"name":"node24","private":true}\n');
    // The `node` package's install script fetches the platform binary package, so scripts must run here.
    await run(npm, ['install', `node@${NODE_MAJOR}`, '--ignore-scripts=false', '--no-audit', '--no-fund'], {
      cwd: nodeDir,
      env: npmEnv(),
      timeoutMs: 10 * 60_000,
    });
    const nodeVersion = (await run(p.nodeBin, ['--version'], { cwd: nodeDir, env: npmEnv(), timeoutMs: 60_000 })).trim();
    if (!nodeVersion.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`expected Node ${NODE_MAJOR}, got ${nodeVersion}`);

    const appDir = path.join(p.dir, 'app');
    fs.mkdirSync(appDir, { recursive: true });
    if (!fs.existsSync(path.join(appDir, 'package.json'))) fs.writeFileSync(path.join(appDir, 'package.json'), '{"name":"n8n-app","private":true}\n');
    const env24 = npmEnv(p.nodeBinDir); // npm (#!/usr/bin/env node) then runs on Node 24 too
    await run(npm, ['install', `n8n@${version}`, '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: appDir,
      env: env24,
      timeoutMs: 25 * 60_000,
    });
    await run(npm, ['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false'], { cwd: appDir, env: env24, timeoutMs: 15 * 60_000 });
    const n8nVersion = (await run(p.nodeBin, [p.n8nBin, '--version'], { cwd: appDir, env: env24, timeoutMs: 120_000 })).trim();
    if (!n8nVersion.includes(version)) throw new Error(`expected n8n ${version}, got ${n8nVersion}`);

    const seconds = Math.round((Date.now() - t0) / 1000);
    fs.writeFileSync(path.join(p.dir, MARKER), JSON.stringify({ n8n: version, node: nodeVersion, seconds, at: new Date().toISOString() }) + '\n');
    log(`installed n8n ${version} on Node ${nodeVersion} in ${seconds} s`);
    return p;
  });
}

if (require.main === module) {
  const t0 = Date.now();
  ensureN8nInstalled().then(
    (p) => log(`ready: ${p.n8nBin} (${((Date.now() - t0) / 1000).toFixed(1)} s)`),
    (e) => {
      log(String(e?.stack ?? e));
      process.exit(1);
    },
  );
}
