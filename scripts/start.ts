#!/usr/bin/env node
/**
 * npm start: the local sandbox. Starts the emulator on https://127.0.0.1:8443 (or a free port if taken) with sample
 * data kept in .emulator-data/, prints how to connect, and runs until Ctrl+C.
 */
import * as path from 'node:path';
import { startEmulator, RunningEmulator } from '../emulator';
import { parseEmulatorArgs } from './emulator';

async function main() {
  const options = parseEmulatorArgs(process.argv.slice(2));
  options.dataDir ??= path.resolve(process.cwd(), '.emulator-data');
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ port: 8443, ...options });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port !== undefined) throw e;
    emulator = await startEmulator({ ...options, port: 0 });
  }
  const lines = [
    '',
    'Dynamics 365 sandbox is running (Dataverse Web API + Entra ID token endpoint, HTTPS on loopback only).',
    '',
    `  Environment URL   ${emulator.dataverseUrl}`,
    `  Web API           ${emulator.dataverseUrl}api/data/v9.2/`,
    ...(emulator.fnoUrl ? [`  F&O environment   ${emulator.fnoUrl}   (OData ${emulator.fnoUrl}data/, tokens for scope ${emulator.fnoUrl}.default)`] : []),
    `  Authority         ${emulator.authorityUrl}`,
    `  Tenant ID         ${emulator.tenantId}`,
    `  Client ID         ${emulator.clientId}`,
    `  Client secret     ${emulator.clientSecret}`,
    `  Trust this CA     ${emulator.caCertFile}   (e.g. NODE_EXTRA_CA_CERTS=<file>)`,
    `  Data kept in      ${options.dataDir}`,
    '',
    'Try it:',
    `  TOKEN=$(curl -s --cacert ${emulator.caCertFile} -d grant_type=client_credentials \\`,
    `    -d client_id=${emulator.clientId} --data-urlencode client_secret='${emulator.clientSecret}' \\`,
    `    -d scope=${emulator.dataverseUrl}.default ${emulator.authorityUrl}/oauth2/v2.0/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -s --cacert ${emulator.caCertFile} -H "Authorization: Bearer $TOKEN" '${emulator.dataverseUrl}api/data/v9.2/accounts?$select=name&$top=3'`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.stdout.write(`${emulator.readyLine()}\n`);
  const stop = async () => {
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`start: ${(e as Error).message}\n`);
  process.exit(1);
});
