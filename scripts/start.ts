#!/usr/bin/env node
/**
 * npm start: the whole local sandbox in one command, run in (and keeping its state under) the current directory.
 *
 *   1. The emulator: Dataverse on https://127.0.0.1:8443 and Finance & Operations on 8444 (free ports when taken),
 *      with sample data kept in .emulator-data/.
 *   2. Power Automate connectors generated from the emulator's live $metadata (Dataverse and F&O, dynamic style)
 *      into ./connectors-out/.
 *   3. Unless --no-n8n: a real n8n 2.41.1 on http://127.0.0.1:5678 (or a free port) with this package installed,
 *      its user folder in .sandbox/n8n, an owner whose generated password is kept in .sandbox/state.json, two
 *      credentials pointing at the emulator and the example workflows of scripts/sandbox/workflows, published.
 *      The first start installs n8n into ~/.cache/n8n-nodes-dynamics365 (minutes); later starts reuse it, and reuse
 *      the installed package while dist/ is unchanged. Files the workflows write go to .sandbox/files.
 *
 * Progress goes to stderr. When everything is up, stdout gets a short human-readable block and then, as its LAST
 * line, one JSON object for scripts and browser tests (fields are null when not started, e.g. with --no-n8n):
 *
 *   {"n8nUrl":"http://127.0.0.1:5678","email":"…","password":"…","connectorsDir":"/abs/connectors-out",
 *    "connectors":["/abs/connectors-out/<folder>",…],"dataverseUrl":"https://127.0.0.1:8443/","fnoUrl":"https://127.0.0.1:8444/",
 *    "authorityUrl":"…","tenantId":"…","clientId":"…","clientSecret":"…","caCertFile":"…","sandboxDir":"/abs/.sandbox",
 *    "n8nPackageInstalled":true,"credentials":[{"key":"dataverse","id":"…","name":"…"},…],
 *    "workflows":[{"file":"…","id":"…","name":"…","active":true},…]}
 *
 * Ctrl+C (SIGINT) or SIGTERM stops n8n, then the emulator, and exits 0.
 */
import type { RunningEmulator } from '../emulator';
import { parseSandboxArgs, SANDBOX_USAGE, type SandboxArgs } from './sandbox/args';
import { writeSandboxConnectors, type SandboxConnector } from './sandbox/connectors';
import { startSandboxEmulator } from './sandbox/emulator';
import { startSandboxN8n, type SandboxN8n } from './sandbox/n8n';
import { sandboxPaths, type SandboxPaths } from './sandbox/paths';

const progress = (line: string) => process.stderr.write(`[start ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function summary(emulator: RunningEmulator, connectorsDir: string, connectors: SandboxConnector[], n8n: SandboxN8n | undefined, sandboxDir: string): string[] {
  const lines = [
    '',
    'Dynamics 365 sandbox is running (loopback only).',
    '',
    `  Dataverse         ${emulator.dataverseUrl}   (Web API ${emulator.dataverseUrl}api/data/v9.2/)`,
    ...(emulator.fnoUrl ? [`  Finance & Ops     ${emulator.fnoUrl}   (OData ${emulator.fnoUrl}data/)`] : []),
    `  Entra authority   ${emulator.authorityUrl}`,
    `  App registration  client ${emulator.clientId}, secret ${emulator.clientSecret}`,
    `  Trust this CA     ${emulator.caCertFile}`,
    `  Connectors        ${connectorsDir}   (${connectors.map((c) => c.folder.slice(connectorsDir.length + 1)).join(', ')})`,
  ];
  if (n8n) {
    lines.push(
      `  n8n               ${n8n.url}   login ${n8n.email} / ${n8n.password}`,
      `  n8n workflows     ${n8n.workflows.map((w) => `${w.name}${w.active ? '' : ' (not published)'}`).join('; ')}`,
      `  Sandbox files     ${sandboxDir}`,
    );
  }
  lines.push('', 'Press Ctrl+C to stop everything.', '');
  return lines;
}

/** What is running, for a stop at any point of the start. */
interface Running {
  emulator?: RunningEmulator;
  n8n?: SandboxN8n;
  stopping: boolean;
}

async function startAll(args: SandboxArgs, paths: SandboxPaths, running: Running): Promise<void> {
  progress('emulator: starting (Dataverse and Finance & Operations)');
  const emulator = (running.emulator = await startSandboxEmulator(args.emulator));
  progress(`emulator: Dataverse ${emulator.dataverseUrl}, F&O ${emulator.fnoUrl ?? '(off)'}, data in ${paths.emulatorData}`);
  if (running.stopping) return;

  progress(`connectors: generating from the emulator's $metadata into ${paths.connectorsDir}`);
  const connectors = await writeSandboxConnectors(emulator, paths.connectorsDir);
  if (running.stopping) return;

  let n8n: SandboxN8n | undefined;
  if (args.n8n) {
    n8n = await startSandboxN8n(emulator, paths, progress);
    if (running.stopping) {
      await n8n.n8n.stop();
      return;
    }
    running.n8n = n8n;
    for (const w of n8n.workflows) if (w.activationError) progress(`n8n: workflow "${w.name}" could not be published: ${w.activationError}`);
  }

  const ready = {
    n8nUrl: n8n?.url ?? null,
    email: n8n?.email ?? null,
    password: n8n?.password ?? null,
    connectorsDir: paths.connectorsDir,
    connectors: connectors.map((c) => c.folder),
    dataverseUrl: emulator.dataverseUrl,
    fnoUrl: emulator.fnoUrl ?? null,
    authorityUrl: emulator.authorityUrl,
    tenantId: emulator.tenantId,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    caCertFile: emulator.caCertFile,
    sandboxDir: paths.root,
    n8nPackageInstalled: n8n ? n8n.packageInstalled : null,
    credentials: n8n ? n8n.credentials.map(({ key, id, name }) => ({ key, id, name })) : [],
    workflows: n8n ? n8n.workflows.map(({ file, id, name, active }) => ({ file, id, name, active })) : [],
  };
  process.stdout.write(summary(emulator, paths.connectorsDir, connectors, n8n, paths.root).join('\n'));
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

async function main(args: SandboxArgs): Promise<void> {
  const paths = sandboxPaths(process.cwd(), args.emulator.dataDir);
  args.emulator.dataDir = paths.emulatorData;
  const running: Running = { stopping: false };
  const stop = async (signal: string) => {
    if (running.stopping) return;
    running.stopping = true;
    progress(`${signal}: stopping`);
    try {
      await running.n8n?.n8n.stop();
      await running.emulator?.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await startAll(args, paths, running);
  } catch (e) {
    await running.n8n?.n8n.stop().catch(() => undefined);
    await running.emulator?.stop().catch(() => undefined);
    throw e;
  }
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${SANDBOX_USAGE}\n`);
} else {
  let args: SandboxArgs | undefined;
  try {
    args = parseSandboxArgs(argv);
  } catch (e) {
    process.stderr.write(`start: ${(e as Error).message}\n\n${SANDBOX_USAGE}\n`);
    process.exitCode = 2;
  }
  if (args) {
    main(args).catch((e) => {
      process.stderr.write(`start: ${(e as Error).message}\n`);
      process.exit(1);
    });
  }
}
