/**
 * Hostile and broken $metadata given to d365-connectors: every case is one clear message naming the input and,
 * where there is one, the line and column; exit code 3; bounded time and memory. Large inputs are generated into a
 * temp folder as streams and removed afterwards.
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FIXTURE, hasFixture, runCli, SMALL_CSDL, tempDir } from './cli-helpers';

jest.setTimeout(180_000);

let tmp: string;
beforeAll(() => {
  tmp = tempDir('d365-connectors-bad-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function generateFrom(name: string, content: string | Buffer, extra: string[] = []) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  const started = Date.now();
  const run = await runCli(['generate', '--metadata', file, '--out', path.join(tmp, `out-${name}`), ...extra]);
  return { ...run, file, ms: Date.now() - started };
}

/** Streams `total` bytes of `body` (repeated) between head and tail into a file, optionally gzip-compressed. */
async function writeLarge(file: string, head: string, body: string, total: number, tail: string, gzip: boolean): Promise<void> {
  const out = fs.createWriteStream(file);
  const gz = gzip ? zlib.createGzip({ level: 1 }) : undefined;
  gz?.pipe(out);
  const sink: NodeJS.WritableStream = gz ?? out;
  const block = body.repeat(Math.ceil((1024 * 1024) / body.length));
  const write = async (text: string) => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  await write(head);
  for (let written = 0; written < total; written += block.length) await write(block);
  sink.end(tail);
  await once(out, 'finish');
}

/** Everything before </Schema>: the large documents repeat a body inside the schema, then close it. */
const HEAD = SMALL_CSDL.slice(0, SMALL_CSDL.indexOf('</Schema>'));

const expectInputError = (run: { code: number; stderr: string; stdout: string }, file: string, message: RegExp) => {
  expect(run.code).toBe(3);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith(`d365-connectors: ${file}: `)).toBe(true);
  expect(lines[0]).toMatch(message);
};

describe('bad metadata files are input errors (exit 3) that say where', () => {
  it('a missing file, a folder, an empty file', async () => {
    const missing = path.join(tmp, 'nope.xml');
    expectInputError(await runCli(['generate', '--metadata', missing, '--out', tmp]), missing, /no such file/);
    expectInputError(await runCli(['generate', '--metadata', tmp, '--out', tmp]), tmp, /not a file/);
    const empty = await generateFrom('empty.xml', '');
    expectInputError(empty, empty.file, /empty/);
  });

  it('not XML (JSON, plain text, binary)', async () => {
    const json = await generateFrom('metadata.json', '{"$Version":"4.0"}');
    expectInputError(json, json.file, /not well-formed XML: .*\(line 1, column \d+\)/);
    const text = await generateFrom('notes.xml', 'hello world\n');
    expectInputError(text, text.file, /not well-formed XML.*\(line 1, column \d+\)/);
    const binary = await generateFrom('blob.xml', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 0xff, 0xfe]));
    expectInputError(binary, binary.file, /not well-formed XML/);
  });

  it('XML but not CSDL (HTML login page, a different root, no DataServices)', async () => {
    const html = await generateFrom('login.xml', '<html><body><p>Sign in</p></body></html>');
    expectInputError(html, html.file, /root element is <html>, expected <edmx:Edmx>/);
    const noServices = await generateFrom('noservices.xml', '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"></edmx:Edmx>');
    expectInputError(noServices, noServices.file, /no <edmx:DataServices> element/);
  });

  it('a truncated document names the element left open and the position', async () => {
    const cut = await generateFrom('cut.xml', SMALL_CSDL.slice(0, Math.floor(SMALL_CSDL.length / 2)));
    expectInputError(cut, cut.file, /unexpected end of document.*\(line \d+, column \d+\)/);
  });

  (hasFixture ? it : it.skip)('a truncated real document and a truncated .gz', async () => {
    const xml = fs.readFileSync(FIXTURE);
    const cut = await generateFrom('v82-cut.xml', xml.subarray(0, 1_000_000));
    expectInputError(cut, cut.file, /unexpected end of document/);
    const gz = zlib.gzipSync(xml);
    const cutGz = await generateFrom('v82-cut.xml.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expectInputError(cutGz, cutGz.file, /gzip data is corrupt or truncated/);
    const notGz = await generateFrom('plain.xml.gz', SMALL_CSDL);
    expectInputError(notGz, notGz.file, /gzip data is corrupt or truncated/);
  });

  it('XXE: a DOCTYPE with an external entity is refused before anything is resolved', async () => {
    const secret = path.join(tmp, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
    const xxe = await generateFrom('xxe.xml', `<?xml version="1.0"?>\n<!DOCTYPE edmx:Edmx [ <!ENTITY xxe SYSTEM "file://${secret}"> ]>\n`
      + SMALL_CSDL.replace('<?xml version="1.0" encoding="utf-8"?>\n', '').replace('MaxLength="160"', 'MaxLength="&xxe;"'));
    expectInputError(xxe, xxe.file, /DOCTYPE declarations are not allowed.*\(line 2, column \d+\)/);
    expect(xxe.stderr).not.toContain('TOP-SECRET');
  });

  it('billion laughs: refused at the DOCTYPE, at once', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const bomb = await generateFrom('lol.xml', `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities.join('\n')}\n]>\n<lolz>&lol9;</lolz>\n`);
    expectInputError(bomb, bomb.file, /DOCTYPE declarations are not allowed/);
    expect(bomb.ms).toBeLessThan(20_000); // an expanded bomb would not finish; generous for a loaded machine
  });

  it('deep nesting and oversized attributes are refused by the tokenizer limits', async () => {
    const deep = await generateFrom('deep.xml', `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</edmx:Edmx>`);
    expectInputError(deep, deep.file, /deeper than|depth|nest/i);
    const attr = await generateFrom('attr.xml', `<edmx:Edmx Version="${'9'.repeat(2 * 1024 * 1024)}"/>`);
    expectInputError(attr, attr.file, /attribute|tag/i);
  });

  it('a 200 MB file is refused by the size limit before it is read', async () => {
    const file = path.join(tmp, 'huge.xml');
    await writeLarge(file, HEAD, '      <!-- padding padding padding padding padding padding -->\n', 200 * 1024 * 1024, '</Schema></edmx:DataServices></edmx:Edmx>\n', false);
    expect(fs.statSync(file).size).toBeGreaterThan(200 * 1024 * 1024);
    const started = Date.now();
    const run = await runCli(['generate', '--metadata', file, '--out', path.join(tmp, 'out-huge')]);
    expectInputError(run, file, /200\.\d MB is over the metadata size limit of 128 MB \(raise it with --max-metadata-mb\)/);
    expect(Date.now() - started).toBeLessThan(20_000); // the size message comes from the file size; this only bounds a hang
    fs.rmSync(file);
  });

  it('a .gz that unzips to 200 MB stops at the limit, in bounded time and memory', async () => {
    const file = path.join(tmp, 'bomb.xml.gz');
    await writeLarge(file, HEAD, '      <!-- padding padding padding padding padding padding -->\n', 200 * 1024 * 1024, '</Schema></edmx:DataServices></edmx:Edmx>\n', true);
    expect(fs.statSync(file).size).toBeLessThan(20 * 1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = Date.now();
    // A low limit keeps the test quick; the default (128 MB) works the same way, only later.
    const run = await runCli(['generate', '--metadata', file, '--out', path.join(tmp, 'out-bomb'), '--max-metadata-mb', '32']);
    clearInterval(sampler);
    expectInputError(run, file, /over the size limit of 32 MB once unzipped/);
    expect(Date.now() - started).toBeLessThan(60_000);
    // Loose: the document is never held whole (200 MB as a string would be 200–400 MB more).
    expect(peak - rssBefore).toBeLessThan(150 * 1024 * 1024);
  });
});
