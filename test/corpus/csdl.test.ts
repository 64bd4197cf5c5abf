/**
 * Hostile and broken $metadata from test/corpus/csdl: each is refused with a CsdlError naming the problem, both
 * whole (parseCsdl) and streamed in small slices (parseCsdlStream), by the emulator started with it as --metadata,
 * and by the connector generator with exit code 3; no file named by the input is read into the error, and the reader
 * still parses a valid document afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CsdlError, parseCsdl, parseCsdlStream } from '../../client/metadata/csdl';
import { startEmulator } from '../../emulator';
import { runCli, SMALL_CSDL } from '../connectors/cli-helpers';
import { CANARY_SECRET, caseName, corpusCases, corpusFile, corpusFiles, everythingShown, expectNoSecret, failureOf, fill, type CorpusCase } from './corpus-kit';

const FOLDER = 'csdl';
const cases = corpusCases(FOLDER);

let tmp: string;
let canaryFile: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-csdl-'));
  canaryFile = path.join(tmp, 'canary.txt');
  fs.writeFileSync(canaryFile, CANARY_SECRET);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function inputOf(c: CorpusCase): string {
  return fill(corpusFile(FOLDER, c.file!).toString('utf8'), { CANARY_FILE: canaryFile });
}

/** Slices of `size` characters, so that every token of the input is cut at some point. */
function slices(text: string, size: number): Readable {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return Readable.from(parts);
}

function expectRefusal(error: Error, c: CorpusCase): void {
  expect(error).toBeInstanceOf(CsdlError);
  expect(error.message).toContain(String(c.expect.message));
  if (typeof c.expect.line === 'number') expect((error as CsdlError).line).toBe(c.expect.line);
  expectNoSecret(everythingShown(error), [CANARY_SECRET]);
}

function expectStillHealthy(): void {
  const model = parseCsdl(SMALL_CSDL);
  expect(model.entitySets.size).toBeGreaterThan(0);
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.filter((c) => c.file).map((c) => c.file).sort());
});

describe.each(cases.filter((c) => c.file).map((c) => [caseName(c), c] as const))('%s', (_name, c) => {
  test('refused whole and streamed in 7-character slices, with the same message', async () => {
    const text = inputOf(c);
    const whole = await failureOf(() => parseCsdl(text));
    expectRefusal(whole, c);
    const streamed = await failureOf(() => parseCsdlStream(slices(text, 7)));
    expectRefusal(streamed, c);
    expect(streamed.message).toBe(whole.message);
    expectStillHealthy();
  });

  test('the connector generator exits with 3 and one message naming the input', async () => {
    const file = path.join(tmp, c.file!);
    fs.writeFileSync(file, inputOf(c));
    const run = await runCli(['generate', '--metadata', file, '--out', path.join(tmp, `out-${c.file}`)]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(String(c.expect.message));
    expectNoSecret(run.stderr, [CANARY_SECRET]);
    expect(fs.existsSync(path.join(tmp, `out-${c.file}`))).toBe(false);
  });

  test('the emulator refuses to start on it as --metadata, naming the problem', async () => {
    const file = path.join(tmp, `emulator-${c.file}`);
    fs.writeFileSync(file, inputOf(c));
    const error = await failureOf(() => startEmulator({ metadataFile: file, limits: 'off', fno: false }));
    expect(error.message).toContain(String(c.expect.message));
    expectNoSecret(everythingShown(error), [CANARY_SECRET]);
  });
});

describe('generated inputs', () => {
  const byName = new Map(cases.filter((c) => c.generate).map((c) => [c.generate!, c]));

  test('deep-nesting: refused at the depth limit, whole and streamed', async () => {
    const c = byName.get('deep-nesting')!;
    const text = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">${'<a>'.repeat(100_000)}`;
    expectRefusal(await failureOf(() => parseCsdl(text)), c);
    expectRefusal(await failureOf(() => parseCsdlStream(slices(text, 4096))), c);
    expectStillHealthy();
  });

  test('oversize-200mb-stream: refused by size while streaming; what was pulled and the memory used stay bounded', async () => {
    const c = byName.get('oversize-200mb-stream')!;
    const chunk = `<EntityType Name="t"><Property Name="p" Type="Edm.String" /></EntityType>`.repeat(900); // ~64 KB
    const total = 200 * 1024 * 1024;
    const state = { pulled: 0, released: false };
    async function* generate() {
      try {
        yield '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="X" xmlns="http://docs.oasis-open.org/odata/ns/edm">';
        for (let sent = 0; sent < total; sent += chunk.length) {
          state.pulled += chunk.length;
          yield chunk;
        }
      } finally {
        state.released = true;
      }
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      expectRefusal(await failureOf(() => parseCsdlStream(generate(), { maxLength: 16 * 1024 * 1024 })), c);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    // Refused near the limit, not after reading the 200 MB; the generator was let go.
    expect(state.pulled).toBeLessThan(32 * 1024 * 1024);
    expect(state.released).toBe(true);
    // Loose: the model built from 16 MB of types is what costs memory, never a 200 MB buffer.
    expect(peak - before).toBeLessThan(180 * 1024 * 1024);
    expectStillHealthy();
  });
});
