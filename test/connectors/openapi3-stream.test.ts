/**
 * writeOpenApi3: the document toOpenApi3 builds, streamed part by part. The same JSON text (compact, or indented
 * like JSON.stringify(doc, null, indent)), the same warnings, backpressure on a slow stream, and errors passed on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { parseCsdl } from '../../client/metadata/csdl';
import { GeneratorError } from '../../connectors/errors';
import { toOpenApi3, writeOpenApi3, type OpenApi3Options } from '../../connectors/openapi3';
import type { GeneratorWarning } from '../../connectors/types';
import { METADATA_FIXTURES } from '../helpers/shared';

const dataverse = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));
const bc = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/businesscentral/bc-api-v2.0-metadata.xml`, 'utf8'));

async function streamed(model: typeof dataverse, options: Parameters<typeof writeOpenApi3>[1]) {
  const chunks: string[] = [];
  const stats = await writeOpenApi3(model, options, (chunk) => {
    chunks.push(chunk);
  });
  return { text: chunks.join(''), chunks, stats };
}

describe('writeOpenApi3', () => {
  const cases: [string, typeof dataverse, OpenApi3Options][] = [
    ['Dataverse v8.2, every entity set', dataverse, {}],
    ['Dataverse v8.2, two tables', dataverse, { tables: ['accounts', 'contacts'], title: 'Two tables' }],
    ['Business Central', bc, {}],
  ];
  test.each(cases)('%s: the same JSON as toOpenApi3, and the same warnings', async (_name, model, options) => {
    const memoryWarnings: GeneratorWarning[] = [];
    const streamWarnings: GeneratorWarning[] = [];
    const document = toOpenApi3(model, { ...options, warnings: memoryWarnings });
    const { text, chunks, stats } = await streamed(model, { ...options, warnings: streamWarnings });
    expect(JSON.parse(text)).toEqual(document);
    expect(text).toBe(JSON.stringify(document));
    expect(streamWarnings).toEqual(memoryWarnings);
    expect(stats).toMatchObject({
      entitySets: document.tags!.length,
      paths: Object.keys(document.paths).length,
      schemas: Object.keys(document.components!.schemas!).length,
      bytes: Buffer.byteLength(text),
      chunks: chunks.length,
    });
  });

  test('indent: the text of JSON.stringify(document, null, indent)', async () => {
    const document = toOpenApi3(bc);
    for (const indent of [2, 4]) expect((await streamed(bc, { indent })).text).toBe(JSON.stringify(document, null, indent));
  });

  test('the whole document is never one chunk of a large model', async () => {
    const { chunks, stats } = await streamed(dataverse, {});
    expect(chunks.length).toBeGreaterThan(4);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(stats.bytes / 4);
  });

  test('a slow stream: write() asking to wait is waited for (drain), and everything arrives in order', async () => {
    const received: string[] = [];
    let pending = 0;
    let maxPending = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        pending++;
        maxPending = Math.max(maxPending, pending);
        received.push(chunk);
        setTimeout(() => {
          pending--;
          callback();
        }, 1);
      },
    });
    const stats = await writeOpenApi3(dataverse, {}, slow);
    slow.end();
    await once(slow, 'finish');
    expect(maxPending).toBe(1);
    expect(received.length).toBe(stats.chunks);
    expect(received.join('')).toBe(JSON.stringify(toOpenApi3(dataverse)));
  });

  test('a file stream, as the CLI writes it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi3-stream-'));
    try {
      const file = path.join(dir, 'openapi.json');
      const out = fs.createWriteStream(file);
      const stats = await writeOpenApi3(bc, {}, out);
      out.end();
      await once(out, 'finish');
      expect(fs.statSync(file).size).toBe(stats.bytes);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(toOpenApi3(bc));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a failing stream rejects; an unknown table is refused before anything is written', async () => {
    const failing = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    failing.on('error', () => undefined);
    await expect(writeOpenApi3(dataverse, {}, failing)).rejects.toThrow('disk full');

    const written: string[] = [];
    await expect(writeOpenApi3(dataverse, { tables: ['acount'] }, (c) => void written.push(c))).rejects.toThrow(GeneratorError);
    expect(written).toEqual([]);
  });

  test('an asynchronous function output is awaited chunk by chunk', async () => {
    let inside = 0;
    let overlapped = false;
    const chunks: string[] = [];
    await writeOpenApi3(bc, {}, async (chunk) => {
      if (inside++) overlapped = true;
      await new Promise((r) => setImmediate(r));
      chunks.push(chunk);
      inside--;
    });
    expect(overlapped).toBe(false);
    expect(chunks.join('')).toBe(JSON.stringify(toOpenApi3(bc)));
  });
});
