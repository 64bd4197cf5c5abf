/**
 * `d365-connectors generate --service fno` on the emulator's live F&O URL: $metadata is downloaded through the F&O
 * client (token for the F&O environment, the emulator's CA), both styles are written, and `validate` passes them.
 * The secret is never printed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { runCli, tempDir } from './cli-helpers';

let emulator: RunningEmulator;
let tmp: string;
beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off', sampleData: false });
  tmp = tempDir('fno-cli-');
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test.each([
  ['typed', ['--tables', 'CustomersV3,SalesOrderHeadersV2']],
  ['dynamic', []],
])('--style %s from the live F&O URL generates a connector that validates', async (style, extra) => {
  const out = path.join(tmp, style);
  const run = await runCli(
    ['generate', '--metadata', emulator.fnoUrl!, '--service', 'fno', '--style', style, ...extra, '--out', out,
      '--client-id', emulator.clientId, '--authority', emulator.authorityUrl, '--ca', emulator.caCertFile],
    { env: { D365_CLIENT_SECRET: emulator.clientSecret } },
  );
  expect(run.stderr).not.toContain(emulator.clientSecret);
  expect(run.stdout).not.toContain(emulator.clientSecret);
  expect(run.code).toBe(0);
  const [folder] = fs.readdirSync(out).map((d) => path.join(out, d));
  const swagger = JSON.parse(fs.readFileSync(path.join(folder, 'apiDefinition.swagger.json'), 'utf8'));
  expect(swagger.basePath).toBe('/data');
  expect(swagger.paths['/BusinessEventsEndpoints'].post['x-ms-trigger']).toBe('single');
  if (style === 'typed') expect(Object.keys(swagger.paths)).toContain('/CustomersV3');
  else expect(Object.keys(swagger.paths)).toContain('/{entityset}');
  expect(fs.existsSync(path.join(folder, 'script.csx'))).toBe(true);
  const validated = await runCli(['validate', folder]);
  expect(validated.stdout).not.toMatch(/^error/m);
  expect(validated.code).toBe(0);
}, 120_000);

test('a wrong secret for the F&O URL is an input error (3) that never prints the secret', async () => {
  const secret = `${emulator.clientSecret}-wrong`;
  const run = await runCli([
    'generate', '--metadata', emulator.fnoUrl!, '--service', 'fno', '--out', path.join(tmp, 'bad'),
    '--client-id', emulator.clientId, '--client-secret', secret, '--authority', emulator.authorityUrl, '--ca', emulator.caCertFile,
  ]);
  expect(run.code).toBe(3);
  expect(run.stderr).toMatch(/^d365-connectors: /m);
  expect(run.stderr + run.stdout).not.toContain(secret);
});
