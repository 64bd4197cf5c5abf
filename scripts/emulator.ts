#!/usr/bin/env node
/**
 * npm run emulator -- [--port N] [--metadata FILE] [--limits real|test|off] [--faults SPEC] [--data DIR]
 * Prints one JSON line when ready, then serves until SIGINT/SIGTERM.
 */
import { startEmulator, EmulatorOptions } from '../emulator';
import { parseFaultSpec } from '../emulator/faults';

const USAGE = `Usage: npm run emulator -- [options]

  --port N           port on 127.0.0.1 (default: a free one)
  --metadata FILE    serve this CSDL ($metadata) instead of the built-in model
  --limits PRESET    service protection limits: real (default), test or off
  --faults SPEC      inject faults, e.g. "rate=0.1:429-requests,503,reset;seed=42"
  --data DIR         keep rows in DIR across restarts (atomic, journaled writes)
  --no-sample-data   start with empty tables
  --token-lifetime S access token lifetime in seconds (default 3600)
  --help             show this help

Prints one JSON line when ready: dataverseUrl, authorityUrl, tenantId, clientId, clientSecret, caCertFile, fnoUrl.`;

export function parseEmulatorArgs(argv: string[]): EmulatorOptions {
  const options: EmulatorOptions = {};
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--port': {
        const port = Number(value(i++, arg));
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be an integer from 0 to 65535');
        options.port = port;
        break;
      }
      case '--metadata': options.metadataFile = value(i++, arg); break;
      case '--limits': {
        const preset = value(i++, arg);
        if (preset !== 'real' && preset !== 'test' && preset !== 'off') throw new Error('--limits must be real, test or off');
        options.limits = preset;
        break;
      }
      case '--faults':
        options.faults = value(i++, arg);
        parseFaultSpec(options.faults); // a bad spec is a usage error (exit 2), named by FaultSpecError
        break;
      case '--data': options.dataDir = value(i++, arg); break;
      case '--no-sample-data': options.sampleData = false; break;
      case '--token-lifetime': options.tokenLifetimeSeconds = Number(value(i++, arg)); break;
      default: throw new Error(`unknown option '${arg}'`);
    }
  }
  return options;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let options: EmulatorOptions;
  try {
    options = parseEmulatorArgs(argv);
  } catch (e) {
    process.stderr.write(`emulator: ${(e as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator(options);
  process.stdout.write(`${emulator.readyLine()}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`emulator: ${signal} received, stopping\n`);
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`emulator: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
