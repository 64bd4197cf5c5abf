#!/usr/bin/env node
/**
 * d365-connectors: Power Automate custom connector generator. The generate and validate commands are not part
 * of this version yet; the command answers --help and --version and says so plainly instead of pretending.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const USAGE = `Usage: d365-connectors <command> [options]

Commands (not available in this version yet):
  generate --metadata <FILE|URL> --out <DIR>   write a Power Automate custom connector
  validate <DIR>                               check a connector folder

Options:
  --help       show this help
  --version    print the package version`;

function main(argv: string[]): number {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv.includes('--version')) {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  process.stderr.write(`d365-connectors: '${argv[0]}' is not available in this version.\n\n${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
