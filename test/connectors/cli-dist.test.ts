/** The built CLI (dist/scripts/d365-connectors.js, the package's bin) as a child process: exit codes and streams. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, SMALL_CSDL, tempDir } from './cli-helpers';

const BIN = path.resolve(__dirname, '..', '..', 'dist', 'scripts', 'd365-connectors.js');
const built = fs.existsSync(BIN);
if (!built) {
  console.warn(`cli-dist: ${BIN} does not exist (run npm run build); the child-process case is skipped.`);
}

(built ? describe : describe.skip)('dist/scripts/d365-connectors.js as a child process', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = tempDir('d365-connectors-dist-');
    fs.writeFileSync(path.join(tmp, 'small.xml'), SMALL_CSDL);
    fs.writeFileSync(path.join(tmp, 'bad.xml'), '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, D365_CLIENT_SECRET: '' } });

  it('starts with a node shebang', () => {
    expect(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('answers --help (0), a usage error (2), hostile input (3), and generates and validates (0)', async () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toBe((await runCli(['--help'])).stdout);
    expect(run(['generate', '--nope']).status).toBe(2);
    const hostile = run(['generate', '--metadata', path.join(tmp, 'bad.xml'), '--out', path.join(tmp, 'o')]);
    expect(hostile.status).toBe(3);
    expect(hostile.stderr).toMatch(/DOCTYPE declarations are not allowed/);
    const generate = run(['generate', '--metadata', path.join(tmp, 'small.xml'), '--out', path.join(tmp, 'out')]);
    expect(generate.stderr).toBe('');
    expect(generate.status).toBe(0);
    const folder = generate.stdout.trim().split('\n')[0];
    const validate = run(['validate', folder]);
    expect(validate.status).toBe(0);
    expect(validate.stdout).toMatch(/0 errors/);
  });
});
