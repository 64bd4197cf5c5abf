#!/usr/bin/env node
/**
 * d365-connectors: Power Automate custom connectors from Dynamics 365 $metadata (generate) and checks of connector
 * folders (validate). The logic lives in scripts/connectors-cli; this entry only binds it to the process.
 */
import { main } from './connectors-cli/main';

// `d365-connectors … | head` closes the pipe early; that is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`d365-connectors: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
