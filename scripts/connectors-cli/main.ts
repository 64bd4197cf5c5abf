/**
 * d365-connectors as a function: main(argv, io) returns the exit code and writes only through io, so tests run it
 * in-process. Errors the user can act on are one line `d365-connectors: <message>` on stderr; anything else is a
 * bug and keeps its stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GENERATE_HELP, parseGenerateArgs, parseValidateArgs, PROGRAM_HELP, VALIDATE_HELP } from './args';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { runGenerate } from './generate-command';
import type { CliIo } from './io';
import { runValidate } from './validate-command';

export type { CliIo } from './io';
export { EXIT } from './exit-codes';

function version(): string {
  // scripts/connectors-cli (ts-jest) or dist/scripts/connectors-cli (built): the package root is above either.
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return String(JSON.parse(fs.readFileSync(file, 'utf8')).version);
  }
  return 'unknown';
}

async function dispatch(argv: string[], io: CliIo): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0] === 'generate') io.stdout(`${GENERATE_HELP}\n`);
    else if (command === 'help' && rest[0] === 'validate') io.stdout(`${VALIDATE_HELP}\n`);
    else (command === undefined ? io.stderr : io.stdout)(`${PROGRAM_HELP}\n`);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === '--version') {
    io.stdout(`${version()}\n`);
    return EXIT.OK;
  }
  if (command === 'generate') {
    const parsed = parseGenerateArgs(rest);
    if (parsed.help) {
      io.stdout(`${GENERATE_HELP}\n`);
      return EXIT.OK;
    }
    return runGenerate(parsed.args, io);
  }
  if (command === 'validate') {
    const parsed = parseValidateArgs(rest);
    if (parsed.help) {
      io.stdout(`${VALIDATE_HELP}\n`);
      return EXIT.OK;
    }
    return runValidate(parsed.args, io);
  }
  throw new CliError(`unknown command '${command}' (commands: generate, validate; see --help)`, EXIT.USAGE);
}

export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`d365-connectors: ${e.message}\n`);
      if (e.exitCode === EXIT.USAGE) io.stderr('Run d365-connectors --help (or <command> --help) for usage.\n');
      return e.exitCode;
    }
    io.stderr(`d365-connectors: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.FAILED;
  }
}
