/** d365-connectors in-process: help, usage errors, generate (file, .gz, URL) and validate, exit codes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { FIXTURE, hasFixture, runCli, SMALL_CSDL, tempDir } from './cli-helpers';

let tmp: string;
let small: string;
beforeAll(() => {
  tmp = tempDir('d365-connectors-cli-');
  small = path.join(tmp, 'small.xml');
  fs.writeFileSync(small, SMALL_CSDL);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixtureIt = hasFixture ? it : it.skip;

describe('help and usage', () => {
  it.each([[['--help']], [['-h']], [['help']]])('%j prints the program help with the exit codes', async (argv) => {
    const run = await runCli(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Usage: d365-connectors <command>/);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*0 {2}success[\s\S]*1 {2}validation[\s\S]*2 {2}usage[\s\S]*3 {2}input/);
  });

  it('prints the help of each command', async () => {
    const generate = await runCli(['generate', '--help']);
    expect(generate.code).toBe(0);
    expect(generate.stdout).toMatch(/--metadata FILE\|URL/);
    expect(generate.stdout).toMatch(/--format F/);
    expect(generate.stdout).toMatch(/Exit codes:/);
    const validate = await runCli(['validate', '-h']);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/error <rule> <path>: <message>/);
    expect((await runCli(['help', 'generate'])).stdout).toBe(generate.stdout);
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [[], /Usage: d365-connectors/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['generate', '--out', 'x'], /--metadata <FILE\|URL> is required/],
    [['generate', '--metadata', 'x.xml'], /--out <DIR> is required/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--bogus'], /Unknown option '--bogus'/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--service', 'crm'], /--service must be dataverse or fno, not 'crm'/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--style', 'fancy'], /--style must be dynamic or typed/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--format', 'raml'], /--format must be swagger2 or openapi3/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--tables', ','], /--tables needs at least one name/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', '--max-metadata-mb', 'lots'], /--max-metadata-mb must be a positive number/],
    [['generate', '--metadata', 'x.xml', '--out', 'o', 'extra'], /unexpected argument 'extra'/],
    [['generate', '--metadata'], /--metadata/],
    [['validate'], /validate needs the connector folder/],
    [['validate', 'a', 'b'], /validate takes one folder/],
    [['validate', '--strict', 'a'], /Unknown option '--strict'/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('checks flags before reading the metadata (a bad flag with a missing file is exit 2, not 3)', async () => {
    const run = await runCli(['generate', '--metadata', path.join(tmp, 'missing.xml'), '--out', tmp, '--style', 'x']);
    expect(run.code).toBe(2);
  });
});

describe('generate', () => {
  it('writes a dynamic Dataverse connector that validates, printing the folder', async () => {
    const out = path.join(tmp, 'out-dynamic');
    const run = await runCli(['generate', '--metadata', small, '--out', out]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const folders = run.stdout.trim().split('\n');
    expect(folders.length).toBe(1);
    expect(fs.existsSync(path.join(folders[0], 'apiDefinition.swagger.json'))).toBe(true);
    const validate = await runCli(['validate', folders[0]]);
    expect(validate.stdout).toMatch(/0 errors/);
    expect(validate.code).toBe(0);
  });

  it('writes a typed connector for the tables asked for', async () => {
    const out = path.join(tmp, 'out-typed');
    const run = await runCli(['generate', '--metadata', small, '--out', out, '--style', 'typed', '--tables', 'accounts', '--title', 'Accounts Only']);
    expect(run.code).toBe(0);
    const swagger = JSON.parse(fs.readFileSync(path.join(run.stdout.trim().split('\n')[0], 'apiDefinition.swagger.json'), 'utf8'));
    expect(swagger.info.title).toBe('Accounts Only');
    expect(JSON.stringify(Object.keys(swagger.paths))).toMatch(/accounts/);
    expect(JSON.stringify(Object.keys(swagger.paths))).not.toMatch(/contacts/);
  });

  it('refuses an unknown table with exit code 1', async () => {
    const run = await runCli(['generate', '--metadata', small, '--out', path.join(tmp, 'out-unknown'), '--style', 'typed', '--tables', 'nosuchtable']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^d365-connectors: .*nosuchtable/m);
  });

  it('writes one openapi.json with --format openapi3', async () => {
    const out = path.join(tmp, 'out-oas3');
    const run = await runCli(['generate', '--metadata', small, '--out', out, '--format', 'openapi3']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(path.join(out, 'openapi.json'));
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'openapi.json'), 'utf8'));
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/accounts'))).toBe(true);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/contacts'))).toBe(true);
  });

  it('reads gzip-compressed metadata (by extension or by content)', async () => {
    const gz = path.join(tmp, 'small.xml.gz');
    fs.writeFileSync(gz, zlib.gzipSync(SMALL_CSDL));
    const noExt = path.join(tmp, 'small-metadata');
    fs.writeFileSync(noExt, zlib.gzipSync(SMALL_CSDL));
    for (const file of [gz, noExt]) {
      const run = await runCli(['generate', '--metadata', file, '--out', path.join(tmp, `out-gz-${path.basename(file)}`), '--format', 'openapi3']);
      expect(run.code).toBe(0);
    }
  });

  it('an output folder that cannot be written is exit 3 with the path', async () => {
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const run = await runCli(['generate', '--metadata', small, '--out', path.join(blocker, 'sub'), '--format', 'openapi3']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^d365-connectors: cannot write to .*a-file.sub: /m);
    const swagger = await runCli(['generate', '--metadata', small, '--out', blocker]);
    expect(swagger.code).toBe(3);
  });

  it('prints warnings with their code and location on stderr, and --quiet hides them', async () => {
    // A property of an unknown type and a set of an unknown type: the generator warns and goes on.
    const odd = path.join(tmp, 'odd.xml');
    fs.writeFileSync(odd, SMALL_CSDL.replace('<Property Name="fullname" Type="Edm.String" MaxLength="160" />',
      '<Property Name="fullname" Type="Edm.String" MaxLength="160" /><Property Name="strange" Type="mscrm.nosuchtype" />'));
    const loud = await runCli(['generate', '--metadata', odd, '--out', path.join(tmp, 'out-odd'), '--format', 'openapi3']);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toMatch(/^warning UnknownType( \S+)?: .*nosuchtype/m);
    const quiet = await runCli(['generate', '--metadata', odd, '--out', path.join(tmp, 'out-odd-q'), '--format', 'openapi3', '--quiet']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('shows progress only with --progress or on a terminal', async () => {
    const plain = await runCli(['generate', '--metadata', small, '--out', path.join(tmp, 'out-p0'), '--format', 'openapi3']);
    expect(plain.stderr).toBe('');
    const forced = await runCli(['generate', '--metadata', small, '--out', path.join(tmp, 'out-p1'), '--format', 'openapi3', '--progress']);
    expect(forced.stderr).toMatch(/reading .*small\.xml: .* MB of .* MB/);
    expect(forced.stderr).toMatch(/generating: 2 of 2 entity sets/);
    const tty = await runCli(['generate', '--metadata', small, '--out', path.join(tmp, 'out-p2'), '--format', 'openapi3'], { tty: true });
    expect(tty.stderr).toContain('\r\u001b[K');
  });

  fixtureIt('converts the real Dataverse v8.2 $metadata (both formats)', async () => {
    const oas = await runCli(['generate', '--metadata', FIXTURE, '--out', path.join(tmp, 'v82-oas3'), '--format', 'openapi3', '--quiet']);
    expect(oas.stderr).toBe('');
    expect(oas.code).toBe(0);
    const dynamic = await runCli(['generate', '--metadata', FIXTURE, '--out', path.join(tmp, 'v82-dyn'), '--quiet']);
    expect(dynamic.code).toBe(0);
    const validate = await runCli(['validate', dynamic.stdout.trim().split('\n')[0]]);
    expect(validate.code).toBe(0);
  });
});

describe('validate', () => {
  it('prints one line per issue and a summary, exit code 1 on errors', async () => {
    const out = path.join(tmp, 'out-broken');
    const gen = await runCli(['generate', '--metadata', small, '--out', out]);
    const folder = gen.stdout.trim().split('\n')[0];
    const file = path.join(folder, 'apiDefinition.swagger.json');
    const swagger = JSON.parse(fs.readFileSync(file, 'utf8'));
    swagger.info.title = 'A title that is much longer than thirty characters';
    delete swagger.info.description;
    fs.writeFileSync(file, JSON.stringify(swagger, null, 2));
    const run = await runCli(['validate', folder]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error ')).length).toBeGreaterThanOrEqual(1);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^(error|warning) \S+( \S+)?: .+/);
    expect(run.stdout).toMatch(/apiDefinition\.swagger\.json#\/info/);
    expect(lines[lines.length - 1]).toMatch(/: [1-9]\d* errors?, \d+ warnings?$/);
    const quiet = await runCli(['validate', '--quiet', folder]);
    expect(quiet.stdout).not.toMatch(/^warning /m);
  });

  it('an empty folder is a validation error (1); a missing folder or a file is an input error (3)', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const none = await runCli(['validate', empty]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^error file-missing/m);
    const missing = await runCli(['validate', path.join(tmp, 'nowhere')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nowhere: no such folder/);
    const file = await runCli(['validate', small]);
    expect(file.code).toBe(3);
    expect(file.stderr).toMatch(/not a folder/);
  });
});

describe('--metadata URL (the emulator)', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ limits: 'off', sampleData: false });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('downloads $metadata through the client with credentials from flags and the environment', async () => {
    const out = path.join(tmp, 'out-url');
    const run = await runCli(
      ['generate', '--metadata', emulator.dataverseUrl, '--out', out, '--format', 'openapi3', '--client-id', emulator.clientId,
        '--authority', emulator.authorityUrl, '--ca', emulator.caCertFile],
      { env: { D365_CLIENT_SECRET: emulator.clientSecret } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(out, 'openapi.json'), 'utf8'));
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/accounts'))).toBe(true);
  });

  it('an authentication failure is an input error (3) and never prints the secret', async () => {
    const secret = `${emulator.clientSecret}-wrong`;
    const run = await runCli(
      ['generate', '--metadata', emulator.dataverseUrl, '--out', path.join(tmp, 'out-url-bad'), '--client-id', emulator.clientId,
        '--client-secret', secret, '--authority', emulator.authorityUrl, '--ca', emulator.caCertFile, '--progress'],
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^d365-connectors: /m);
    expect(run.stderr + run.stdout).not.toContain(secret);
    expect(run.stderr + run.stdout).not.toContain(emulator.clientSecret);
  });

  it('missing credentials are a usage error (2); an untrusted certificate an input error (3)', async () => {
    const noCreds = await runCli(['generate', '--metadata', emulator.dataverseUrl, '--out', tmp]);
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toMatch(/--client-id or D365_CLIENT_ID/);
    const untrusted = await runCli(
      ['generate', '--metadata', emulator.dataverseUrl, '--out', tmp, '--authority', emulator.authorityUrl],
      { env: { D365_CLIENT_ID: emulator.clientId, D365_CLIENT_SECRET: emulator.clientSecret } },
    );
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).not.toContain(emulator.clientSecret);
  });

  it('--service fno with a URL needs credentials like Dataverse (usage error 2)', async () => {
    const run = await runCli(['generate', '--metadata', 'https://contoso.operations.dynamics.com', '--out', tmp, '--service', 'fno']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--client-id or D365_CLIENT_ID/);
  });
});
