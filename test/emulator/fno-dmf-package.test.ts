/**
 * The data package readers against hostile input: the ZIP reader (zip bombs, lying sizes, path traversal names,
 * bad CRCs, overlapping or duplicate entries, encryption, truncation) and the package validator (Manifest.xml and
 * PackageHeader.xml with DOCTYPE/entity tricks, wrong roots and namespaces, missing or malformed data files).
 */
import * as zlib from 'node:zlib';
import { writeCsv, parseCsv } from '../../emulator/fno/package/csv';
import { DM_NAMESPACE, writeHeader, writeManifest } from '../../emulator/fno/package/descriptors';
import { openPackage } from '../../emulator/fno/package/open-package';
import { readXml } from '../../emulator/fno/package/xml-reader';
import { readZip } from '../../emulator/fno/zip/zip-reader';
import { writeZip } from '../../emulator/fno/zip/zip-writer';

const text = (s: string) => Buffer.from(s, 'utf8');

/** Offsets of the central directory records of an archive written by writeZip. */
function centralOffsets(zip: Buffer): number[] {
  const eocd = zip.length - 22;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(p);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

describe('zip reader', () => {
  test('reads what the writer wrote, names and bytes intact (UTF-8 names, empty and binary entries)', () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    const zip = writeZip([{ name: 'Manifest.xml', data: text('<a/>') }, { name: 'Kunden/Müller.csv', data: text('x') }, { name: 'empty.txt', data: Buffer.alloc(0) }, { name: 'b.bin', data: binary }]);
    const entries = readZip(zip);
    expect(entries.map((e) => e.name)).toEqual(['Manifest.xml', 'Kunden/Müller.csv', 'empty.txt', 'b.bin']);
    expect(entries[3].data.equals(binary)).toBe(true);
    expect(entries[2].data.length).toBe(0);
  });

  test.each([
    ['../evil.csv', "'..' segments"],
    ['data/../../evil.csv', "'..' segments"],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/win.ini', 'absolute path'],
    ['data\\..\\evil.csv', 'backslash'],
    ['a\u0000b.csv', 'control characters'],
    ['./Manifest.xml', "'..' segments"],
  ])('refuses the entry name %j', (name, why) => {
    expect(() => readZip(writeZip([{ name, data: text('x') }]))).toThrow(why);
  });

  test('refuses a zip bomb by its compression ratio before inflating it', () => {
    const zip = writeZip([{ name: 'bomb.csv', data: Buffer.alloc(50 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(200_000);
    expect(() => readZip(zip)).toThrow('looks like a zip bomb');
  });

  test('an entry that inflates beyond the size it declares is stopped at that size', () => {
    const zip = writeZip([{ name: 'liar.csv', data: Buffer.alloc(100_000, 0x41) }]);
    // Declare 5,000 bytes in both headers: the ratio looks harmless, inflation must stop at the declared size.
    const [central] = centralOffsets(zip);
    zip.writeUInt32LE(5_000, central + 24);
    zip.writeUInt32LE(5_000, 22);
    expect(() => readZip(zip)).toThrow('inflates beyond its declared size of 5000 bytes');
  });

  test('refuses entries and archives above the size limits, and too many entries', () => {
    const zip = writeZip([{ name: 'a.csv', data: Buffer.alloc(5_000, 0x42) }, { name: 'b.csv', data: Buffer.alloc(5_000, 0x43) }]);
    expect(() => readZip(zip, { maxEntryBytes: 4_000 })).toThrow("'a.csv' is 5000 bytes uncompressed; the limit is 4000");
    expect(() => readZip(zip, { maxTotalBytes: 8_000 })).toThrow('expands to more than 8000 bytes');
    expect(() => readZip(zip, { maxEntries: 1 })).toThrow('The archive has 2 entries; at most 1 are allowed');
  });

  test('a bad CRC is refused', () => {
    const zip = writeZip([{ name: 'a.csv', data: text('CUSTOMERACCOUNT\r\nC-1\r\n') }]);
    const [central] = centralOffsets(zip);
    zip.writeUInt32LE((zip.readUInt32LE(central + 16) ^ 0xff) >>> 0, central + 16);
    expect(() => readZip(zip)).toThrow("The CRC-32 of 'a.csv' does not match");
  });

  test('corrupted deflate data is refused with the entry name', () => {
    const zip = writeZip([{ name: 'a.csv', data: text('x'.repeat(1000) + 'y') }]);
    const dataStart = 30 + 'a.csv'.length;
    zip.fill(0xff, dataStart, dataStart + 4);
    expect(() => readZip(zip)).toThrow("'a.csv' is not valid deflate data");
  });

  test('two directory entries pointing at the same data (overlap) are refused', () => {
    const one = writeZip([{ name: 'a.csv', data: text('1') }, { name: 'b.csv', data: text('2') }]);
    const [, second] = centralOffsets(one);
    one.writeUInt32LE(0, second + 42); // b.csv now claims a.csv's local header
    expect(() => readZip(one)).toThrow(/names a different file|overlap/);
  });

  test('duplicate names (in any case), encryption, ZIP64 markers and truncation are refused', () => {
    expect(() => readZip(writeZip([{ name: 'A.csv', data: text('1') }, { name: 'a.CSV', data: text('2') }]))).toThrow("contains 'a.CSV' more than once");
    const encrypted = writeZip([{ name: 'a.csv', data: text('1') }]);
    const [central] = centralOffsets(encrypted);
    encrypted.writeUInt16LE(encrypted.readUInt16LE(central + 8) | 1, central + 8);
    expect(() => readZip(encrypted)).toThrow('is encrypted');
    const zip64 = writeZip([{ name: 'a.csv', data: text('1') }]);
    zip64.writeUInt32LE(0xffffffff, zip64.length - 22 + 16);
    expect(() => readZip(zip64)).toThrow('ZIP64 archives are not supported');
    const whole = writeZip([{ name: 'a.csv', data: text('hello') }]);
    expect(() => readZip(whole.subarray(0, whole.length - 10))).toThrow('no end of central directory');
    expect(() => readZip(Buffer.from('PK'))).toThrow('too short');
    expect(() => readZip(Buffer.from('this is not a zip archive at all, just some text'))).toThrow('not a ZIP archive');
  });

  test('only stored and deflate methods are read', () => {
    const zip = writeZip([{ name: 'a.csv', data: text('1') }]);
    const [central] = centralOffsets(zip);
    zip.writeUInt16LE(14, central + 10); // LZMA
    zip.writeUInt16LE(14, 8);
    expect(() => readZip(zip)).toThrow('uses compression method 14');
  });

  test('a stored (uncompressed) entry is read', () => {
    const data = text('stored bytes');
    const name = text('s.txt');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(zlib.crc32(data) >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(zlib.crc32(data) >>> 0, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 8);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(46 + name.length, 12);
    eocd.writeUInt32LE(30 + name.length + data.length, 16);
    const [entry] = readZip(Buffer.concat([local, name, data, central, name, eocd]));
    expect(entry.data.toString()).toBe('stored bytes');
  });
});

function manifestXml(body: string, namespace = DM_NAMESPACE, root = 'DataManagementPackageManifest'): Buffer {
  return text(`<?xml version="1.0" encoding="utf-8"?><${root} xmlns="${namespace}">${body}</${root}>`);
}

const ENTITY = '<PackageEntityList><DataManagementPackageEntityData><EntityName>Customers V3</EntityName><InputFilePath>Customers V3.csv</InputFilePath><SourceFormat>CSV-Unicode</SourceFormat></DataManagementPackageEntityData></PackageEntityList>';

function pkg(files: Record<string, Buffer>): Buffer {
  return writeZip(Object.entries(files).map(([name, data]) => ({ name, data })));
}

describe('package validation', () => {
  const header = writeHeader('Test');

  test('a package as F&O tooling writes it opens: UTF-16 descriptors and data file, quoted fields, CRLF', () => {
    const manifest = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(manifestXml(`<DefinitionGroupName>G</DefinitionGroupName>${ENTITY}`).toString().replace('utf-8', 'utf-16'), 'utf16le')]);
    const csv = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('CUSTOMERACCOUNT,ORGANIZATIONNAME\r\nC-1,"Smith, ""Jr"" & Co"\r\nC-2,"two\r\nlines"\r\n', 'utf16le')]);
    const opened = openPackage(pkg({ 'Manifest.xml': manifest, 'PackageHeader.xml': header, 'Customers V3.csv': csv }));
    expect(opened.manifest.definitionGroupName).toBe('G');
    expect(opened.header.packageType).toBe('DefinitionGroup');
    expect(opened.files[0].columns).toEqual(['CUSTOMERACCOUNT', 'ORGANIZATIONNAME']);
    expect(opened.files[0].records).toEqual([{ line: 2, values: ['C-1', 'Smith, "Jr" & Co'] }, { line: 3, values: ['C-2', 'two\r\nlines'] }]);
  });

  test('the writers produce a package the validator accepts (UTF-8 with BOM)', () => {
    const data = writeCsv([['A', 'B'], ['1', ' padded '], ['x"y', '']]);
    expect([...data.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(data)).toEqual([['A', 'B'], ['1', ' padded '], ['x"y', '']]);
    const manifest = writeManifest({ definitionGroupName: 'G & H', description: 'd', entities: [{ entityName: 'CustomersV3', inputFilePath: 'CustomersV3.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] });
    const opened = openPackage(pkg({ 'Manifest.xml': manifest, 'PackageHeader.xml': header, 'CustomersV3.csv': data }));
    expect(opened.manifest.definitionGroupName).toBe('G & H');
    expect(opened.files[0].records).toHaveLength(2);
  });

  test.each([
    ['external entity (XXE)', '<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '&xxe;'],
    ['billion laughs', '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>', '&b;'],
    ['parameter entity', '<!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>', ''],
  ])('a Manifest.xml with a DOCTYPE (%s) is refused without resolving anything', (_label, doctype, use) => {
    const manifest = text(`<?xml version="1.0"?>${doctype}<DataManagementPackageManifest xmlns="${DM_NAMESPACE}"><DefinitionGroupName>${use}</DefinitionGroupName>${ENTITY}</DataManagementPackageManifest>`);
    expect(() => openPackage(pkg({ 'Manifest.xml': manifest, 'PackageHeader.xml': header, 'Customers V3.csv': text('A\r\n') }))).toThrow(
      'Manifest.xml is not valid XML: DOCTYPE declarations are not allowed',
    );
  });

  test('undeclared entity references, bad character references, mismatched tags and deep nesting are refused', () => {
    expect(() => readXml('<a>&xxe;</a>')).toThrow("Unknown entity reference '&xxe;'");
    expect(() => readXml('<a>&#0;</a>')).toThrow('Invalid character reference');
    expect(() => readXml('<a><b></a></b>')).toThrow('End tag </a> does not match <b>');
    expect(() => readXml('<a>'.repeat(40) + '</a>'.repeat(40))).toThrow('nested deeper than 32 levels');
    expect(() => readXml('<a/><b/>')).toThrow('More than one root element');
    expect(() => readXml('<a x="1" x="2"/>')).toThrow('appears twice');
    expect(readXml('<a t="&lt;&#x41;&amp;">x<![CDATA[<&>]]>y</a>').text).toBe('x<&>y');
  });

  test.each([
    [{ 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A\r\n' }, 'The package has no Manifest.xml at its root.'],
    [{ 'Manifest.xml': 'manifest', 'Customers V3.csv': 'A\r\n' }, 'The package has no PackageHeader.xml at its root.'],
    [{ 'Manifest.xml': 'manifest', 'PackageHeader.xml': 'header' }, "The data file 'Customers V3.csv' of entity 'Customers V3' is not in the package."],
    [{ 'Manifest.xml': 'manifest', 'PackageHeader.xml': 'header', 'Customers V3.csv': '' }, "'Customers V3.csv' is empty"],
    [{ 'Manifest.xml': 'manifest', 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A,"b\r\n1,2\r\n' }, 'unterminated quoted field'],
    [{ 'Manifest.xml': 'manifest', 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A,a\r\n1,2\r\n' }, "names the column 'a' twice"],
    [{ 'Manifest.xml': 'wrong-namespace', 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A\r\n' }, `Manifest.xml must use the namespace ${DM_NAMESPACE}`],
    [{ 'Manifest.xml': 'wrong-root', 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A\r\n' }, 'must have the root element <DataManagementPackageManifest>, not <Manifest>'],
    [{ 'Manifest.xml': 'no-entities', 'PackageHeader.xml': 'header', 'Customers V3.csv': 'A\r\n' }, 'Manifest.xml lists no entity'],
    [{ 'Manifest.xml': 'manifest', 'PackageHeader.xml': 'bad-header', 'Customers V3.csv': 'A\r\n' }, '<PackageType> must be DefinitionGroup'],
  ])('a broken package is refused with a specific error (%#)', (files, message) => {
    const contents: Record<string, Buffer> = {
      manifest: manifestXml(ENTITY),
      'wrong-namespace': manifestXml(ENTITY, 'urn:other'),
      'wrong-root': manifestXml(ENTITY, DM_NAMESPACE, 'Manifest'),
      'no-entities': manifestXml('<PackageEntityList/>'),
      header,
      'bad-header': text(`<DataManagementPackageHeader xmlns="${DM_NAMESPACE}"><PackageType>Other</PackageType></DataManagementPackageHeader>`),
    };
    const built = Object.fromEntries(Object.entries(files).map(([name, v]) => [name, contents[v] ?? text(v)]));
    expect(() => openPackage(pkg(built))).toThrow(message);
  });

  test('a package that is not a ZIP says so', () => {
    expect(() => openPackage(text('CUSTOMERACCOUNT\r\nC-1\r\n'))).toThrow('The package is not a valid ZIP archive: The file is not a ZIP archive');
  });
});
