/**
 * Hostile and broken $metadata: every case ends quickly with a clear CsdlError, reads no file and opens no
 * connection, and abandons the stream instead of reading it to its end.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { CsdlError, parseCsdl, parseCsdlStream } from '../../client/metadata/csdl';
import { rejectedWith, thrownBy } from '../helpers/errors';
import { METADATA_FIXTURES } from '../helpers/shared';

const CRM_FILE = `${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`;
const FAST = 10_000;

const streamError = (source: AsyncIterable<string | Buffer> | NodeJS.ReadableStream) =>
  rejectedWith(CsdlError, () => parseCsdlStream(source), 'expected the stream to be refused');
const stringError = (xml: string) => thrownBy(CsdlError, () => parseCsdl(xml), 'expected the document to be refused');

/** Yields `head`, then `count` chunks of `chunk`; records how many were pulled and whether the reader let go. */
function endless(head: string, chunk: string, count: number) {
  const state = { pulled: 0, released: false };
  async function* generate() {
    try {
      yield head;
      for (let i = 0; i < count; i++) {
        state.pulled++;
        yield chunk;
      }
    } finally {
      state.released = true;
    }
  }
  return { source: generate(), state };
}

describe('XXE and entity expansion', () => {
  let server: http.Server;
  let hits = 0;
  let secretFile: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      res.end('<!ENTITY leak "leaked">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    secretFile = path.join(os.tmpdir(), `csdl-secret-${process.pid}.txt`);
    fs.writeFileSync(secretFile, 'TOP SECRET');
  });

  afterAll(async () => {
    fs.rmSync(secretFile, { force: true });
    await new Promise((resolve) => server.close(resolve));
  });

  test('a DOCTYPE with external entities (file and network) is refused before anything is fetched', async () => {
    const port = (server.address() as AddressInfo).port;
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE edmx:Edmx [
  <!ENTITY secret SYSTEM "file://${secretFile}">
  <!ENTITY % remote SYSTEM "http://127.0.0.1:${port}/evil.dtd"> %remote;
]>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="X" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Property Name="p" Type="Edm.String">
<Annotation Term="Org.OData.Core.V1.Description" String="&secret;&leak;" /></Property></EntityType></Schema></edmx:DataServices></edmx:Edmx>`;
    for (const error of [stringError(xxe), await streamError(Readable.from([xxe]))]) {
      expect(error.message).toBe(
        '$metadata is not well-formed XML: DOCTYPE declarations are not allowed: entities (external or internal) are never resolved or expanded (line 2, column 1)',
      );
      expect(error.message).not.toContain('TOP SECRET');
      expect([error.line, error.column]).toEqual([2, 1]);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hits).toBe(0);
  }, FAST);

  test('billion laughs is refused at once, with or without its DOCTYPE', () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><edmx:Edmx xmlns:edmx="x"><a b="&lol9;"/></edmx:Edmx>`;
    expect(stringError(laughs).message).toMatch(/DOCTYPE declarations are not allowed/);
    const withoutDoctype = '<edmx:Edmx xmlns:edmx="x"><a b="&lol9;"/></edmx:Edmx>';
    expect(stringError(withoutDoctype).message).toMatch(/undefined entity '&lol9;' \(only the predefined XML entities are accepted\) \(line 1, column 32\)$/);
  }, FAST);
});

describe('broken documents', () => {
  test('a document cut in the middle is an unexpected end, with line and column', async () => {
    const full = fs.readFileSync(CRM_FILE, 'utf8');
    const cut = full.slice(0, Math.floor(full.length / 2));
    const lines = cut.split('\n');
    const where = `(line ${lines.length}, column ${lines[lines.length - 1].length + 1})`;
    const fromString = stringError(cut);
    expect(fromString.message).toMatch(/^\$metadata is not well-formed XML: unexpected end of document/);
    expect(fromString.message.endsWith(where)).toBe(true);
    const fromStream = await streamError(Readable.from([cut.slice(0, 1_000_000), cut.slice(1_000_000)]));
    expect(fromStream.message).toBe(fromString.message);
    expect(fromStream.line).toBe(lines.length);
  }, FAST);

  test('garbage bytes are refused, never crash or hang', async () => {
    let seed = 12345;
    const bytes = Buffer.alloc(256 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = seed >>> 16;
    }
    for (const start of [0, 1000, 5000]) {
      const error = await streamError(Readable.from([bytes.subarray(start)]));
      expect(error.message).toMatch(/^\$metadata is not well-formed XML: .+ \(line \d+, column \d+\)$/);
    }
    expect((await streamError(Readable.from([Buffer.from([0xff, 0xfe, 0x00, 0x3c])]))).message).toMatch(/not well-formed XML/);
    expect(stringError('<edmx:Edmx xmlns:edmx="x"><\u0000/></edmx:Edmx>').message).toMatch(/expected a name/);
    expect(stringError('{"json": true}').message).toMatch(/text outside the root element/);
    const json = endless('{"error": "', 'x'.repeat(64 * 1024), 1000);
    expect((await streamError(json.source)).message).toMatch(/text outside the root element \(line 1, column 1\)$/);
    expect(json.state.pulled).toBeLessThan(2);
    expect(stringError('<html><body>502 Bad Gateway</body></html>').message).toMatch(/^\$metadata root element is <html>, expected <edmx:Edmx> \(line 1, column 1\)$/);
  }, FAST);

  test('a 50 MB attribute is refused once it passes the limit, without reading the rest', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const { source, state } = endless('<edmx:Edmx xmlns:edmx="x" Version="', chunk, 800); // 800 × 64 KiB = 50 MiB
    const error = await streamError(source);
    expect(error.message).toBe('$metadata is not well-formed XML: attribute value longer than 1048576 characters (line 1, column 35)');
    expect(state.pulled).toBeLessThan(20);
    expect(state.released).toBe(true);
    // Held whole in a string, it is refused as well.
    expect(stringError(`<edmx:Edmx xmlns:edmx="x" Version="${'a'.repeat(50 * 1024 * 1024)}"/>`).message).toMatch(/attribute value longer than 1048576 characters/);
  }, FAST);

  test('deeply nested elements stop at the depth limit', async () => {
    const { source, state } = endless('<edmx:Edmx xmlns:edmx="x">', '<a>'.repeat(1000), 1000);
    expect((await streamError(source)).message).toMatch(/^\$metadata is not well-formed XML: elements nested deeper than 256 \(line 1, column \d+\)$/);
    expect(state.pulled).toBeLessThan(3);
    expect(state.released).toBe(true);
    expect(stringError(`<edmx:Edmx xmlns:edmx="x">${'<a>'.repeat(100_000)}`).message).toMatch(/elements nested deeper than 256/);
  }, FAST);

  test('endless attributes, values, whitespace in a tag, comments and documents are bounded too', async () => {
    const attrs = endless('<edmx:Edmx xmlns:edmx="x" ', Array.from({ length: 100 }, (_, i) => `a${Math.random().toString(36).slice(2)}${i}="1" `).join(''), 1000);
    expect((await streamError(attrs.source)).message).toMatch(/more than 256 attributes/);
    // Each value is under the attribute limit; together they are not.
    const values = endless('<edmx:Edmx xmlns:edmx="x"', ` a="${'v'.repeat(900 * 1024)}"`, 1000);
    expect((await streamError(values.source)).message).toMatch(/start tag longer than 4194304 characters \(line 1, column 1\)$/);
    expect(values.state.pulled).toBeLessThan(6);
    const spaces = endless('<edmx:Edmx ', ' '.repeat(64 * 1024), 1000);
    expect((await streamError(spaces.source)).message).toMatch(/start tag has more than 65536 characters outside its attribute values/);
    const comment = endless('<edmx:Edmx xmlns:edmx="x"><!--', '-'.repeat(64 * 1024 - 1) + 'x', 1000);
    expect((await streamError(comment.source)).message).toMatch(/comment longer than 16777216 characters/);
    expect(comment.state.pulled).toBeLessThan(300);
    const total = endless('<edmx:Edmx xmlns:edmx="x">', '<a/>'.repeat(16 * 1024), 1000);
    await expect(parseCsdlStream(total.source, { maxLength: 1024 * 1024 })).rejects.toThrow(/document is larger than 1048576 characters/);
  }, FAST);
});
