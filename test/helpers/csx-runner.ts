/**
 * Runs a connector's script.csx for real: Mono's C# compiler builds it together with the documented ScriptBase /
 * IScriptContext types (csx/ScriptBase.cs, csx/Logging.cs) and a small gateway (csx/ProxyHost.cs) into one
 * program, which listens on 127.0.0.1. swagger-client sends the connector's requests there instead of to the
 * environment; operations of scriptOperations go through Script.ExecuteAsync, whose SendAsync reaches the
 * emulator over HTTPS, and every other operation goes to the emulator directly. TLS trust: Node verifies the
 * emulator's certificate against its CA once, and the host accepts exactly that certificate (Mono's X509Chain cannot
 * read the emulator's EC keys, so it cannot check the chain itself).
 *
 * Nothing is installed here: without Mono the runner fails and says to run scripts/ci/install-mono.sh.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isIP } from 'node:net';
import * as readline from 'node:readline';
import * as tls from 'node:tls';

/** What Power Automate has in scope for custom code, minus assemblies the Debian packages do not ship. */
const SCRIPT_NAMESPACES = [
  'System',
  'System.Collections',
  'System.Collections.Generic',
  'System.Diagnostics',
  'System.IO',
  'System.Linq',
  'System.Net',
  'System.Net.Http',
  'System.Net.Http.Headers',
  'System.Net.Security',
  'System.Security.Authentication',
  'System.Security.Cryptography',
  'System.Text',
  'System.Text.RegularExpressions',
  'System.Threading',
  'System.Threading.Tasks',
  'System.Xml',
  'System.Xml.Linq',
  'Microsoft.Extensions.Logging',
  'Newtonsoft.Json',
  'Newtonsoft.Json.Linq',
];

const SHIM_DIR = path.join(__dirname, 'csx');
const SHIM_FILES = ['ScriptBase.cs', 'Logging.cs', 'ProxyHost.cs'];
const ASSEMBLIES = ['System.dll', 'System.Core.dll', 'System.Net.Http.dll', 'System.Xml.dll', 'System.Xml.Linq.dll'];
export const OPERATION_HEADER = 'X-Connector-Operation-Id';
/** Power Automate's limit for one run of custom code. */
export const SCRIPT_TIME_LIMIT_MS = 5000;
const INSTALL_HINT = 'Install Mono with scripts/ci/install-mono.sh (Debian: mono-mcs, mono-runtime, libmono-system-net-http4.0-cil, libnewtonsoft-json5.0-cil).';

export interface ScriptExecution {
  operationId: string;
  correlationId: string;
  outcome: 'ok' | 'timeout' | 'exception' | 'no-response';
  status: number;
  milliseconds: number;
}

export interface ScriptLog {
  level: string;
  correlationId: string;
  message: string;
}

export interface ScriptProxy {
  /** http://127.0.0.1:PORT: the connector's requests go here, with the environment's path and query. */
  url: string;
  executions: ScriptExecution[];
  logs: ScriptLog[];
  stop(): Promise<void>;
}

export interface ScriptProxyOptions {
  /** The text of script.csx. */
  script: string;
  /** apiProperties.json scriptOperations. */
  scriptOperations: string[];
  /** The environment's origin (the emulator's dataverseUrl). */
  targetUrl: string;
  /** The emulator's CA certificate (PEM): the server certificate SendAsync accepts must chain to it. */
  caCertPem: string;
  timeLimitMs?: number;
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Newtonsoft.Json as Debian installs it (libnewtonsoft-json5.0-cil), or NEWTONSOFT_JSON_DLL. */
function newtonsoftJson(): string | undefined {
  if (process.env.NEWTONSOFT_JSON_DLL) return process.env.NEWTONSOFT_JSON_DLL;
  const root = '/usr/lib/cli';
  try {
    for (const dir of fs.readdirSync(root).filter((d) => d.startsWith('Newtonsoft.Json-')).sort().reverse()) {
      const dll = path.join(root, dir, 'Newtonsoft.Json.dll');
      if (fs.existsSync(dll)) return dll;
    }
  } catch {
    // no /usr/lib/cli
  }
  return undefined;
}

/** Why Mono cannot run scripts here, or undefined when it can. */
export function monoMissing(): string | undefined {
  const missing = ['mcs', 'mono'].filter((c) => !which(c));
  if (!newtonsoftJson()) missing.push('Newtonsoft.Json.dll');
  if (!missing.length) return undefined;
  const failedInstall = process.env.MONO_INSTALL_ERROR ? ` The install before the tests failed: ${process.env.MONO_INSTALL_ERROR}` : '';
  return `Cannot run script.csx: ${missing.join(', ')} not found. ${INSTALL_HINT}${failedInstall}`;
}

/** The script as Power Automate compiles it: the supported namespaces in scope, then the file unchanged. */
function scriptSource(script: string): { text: string; offset: number } {
  const usings = SCRIPT_NAMESPACES.map((ns) => `using ${ns};`);
  return { text: `${usings.join('\n')}\n${script.replace(/^\uFEFF/, '')}`, offset: usings.length };
}

/** Compiles script + shim once per distinct script (cached by hash in the temp directory); returns the program. */
export async function compileScript(script: string): Promise<string> {
  const problem = monoMissing();
  if (problem) throw new Error(problem);
  const shims = SHIM_FILES.map((f) => fs.readFileSync(path.join(SHIM_DIR, f), 'utf8'));
  const hash = createHash('sha256').update(script).update(shims.join('\u0000')).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `csx-runner-${hash}`);
  const program = path.join(dir, 'ScriptHost.exe');
  if (fs.existsSync(program)) return program;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'csx-build-'));
  try {
    const source = scriptSource(script);
    fs.writeFileSync(path.join(work, 'Script.cs'), source.text);
    SHIM_FILES.forEach((f, i) => fs.writeFileSync(path.join(work, f), shims[i]));
    const out = path.join(work, 'ScriptHost.exe');
    const args = ['-nologo', '-target:exe', `-out:${out}`, ...ASSEMBLIES.map((a) => `-r:${a}`), `-r:${newtonsoftJson()}`, 'Script.cs', ...SHIM_FILES];
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile('mcs', args, { cwd: work, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) || 1 : 0, output: `${stdout}${stderr}` });
      });
    });
    if (result.code !== 0 || !fs.existsSync(out)) {
      // Script.cs lines are script.csx lines shifted by the using directives put in front.
      const output = result.output.replace(/Script\.cs\((\d+),(\d+)\)/g, (_m, line: string, col: string) => `script.csx(${Number(line) - source.offset},${col})`);
      throw new Error(`script.csx does not compile with Mono's C# compiler:\n${output.trim()}`);
    }
    fs.mkdirSync(dir, { recursive: true });
    // Renamed into place so a concurrent run never sees half a program.
    const staged = `${program}.${process.pid}.tmp`;
    fs.copyFileSync(out, staged);
    fs.renameSync(staged, program);
    return program;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The SHA-1 thumbprint of the server certificate at `origin`, after Node verified it against `caCertPem`. */
function verifiedThumbprint(origin: URL, caCertPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const servername = isIP(origin.hostname) ? undefined : origin.hostname;
    const socket = tls.connect({ host: origin.hostname, port: Number(origin.port || 443), ca: caCertPem, servername }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      if (!socket.authorized || !peer?.fingerprint) reject(new Error(`The server certificate of ${origin.origin} is not trusted: ${String(socket.authorizationError)}`));
      else resolve(peer.fingerprint.replace(/:/g, ''));
    });
    socket.once('error', reject);
  });
}

export async function startScriptProxy(options: ScriptProxyOptions): Promise<ScriptProxy> {
  const program = await compileScript(options.script);
  const target = new URL(options.targetUrl);
  const pin = await verifiedThumbprint(target, options.caCertPem);
  const child: ChildProcess = spawn(
    'mono',
    [program, '--target', target.origin, '--pin', pin, '--operations', options.scriptOperations.join(','), '--time-limit-ms', String(options.timeLimitMs ?? SCRIPT_TIME_LIMIT_MS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const executions: ScriptExecution[] = [];
  const logs: ScriptLog[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    child.once('error', (e) => reject(new Error(`Cannot start mono: ${e.message}. ${INSTALL_HINT}`)));
    child.once('exit', (code) => reject(new Error(`The script host exited (${code}) before it was ready: ${stderr.trim()}`)));
    lines.on('line', (line) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.ready) resolve(String(event.url));
      else if (typeof event.execution === 'string') {
        executions.push({
          operationId: event.execution,
          correlationId: String(event.correlationId),
          outcome: event.outcome as ScriptExecution['outcome'],
          status: Number(event.status),
          milliseconds: Number(event.milliseconds),
        });
      } else if (typeof event.log === 'string') logs.push({ level: event.log, correlationId: String(event.correlationId), message: String(event.message) });
    });
  });
  return {
    url,
    executions,
    logs,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
