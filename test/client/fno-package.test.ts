/**
 * Data package files written and read by client/fno: the emulator's own package validator (an independent
 * reader) accepts what the client writes, the client reads what the emulator writes, and hostile archives are
 * refused by the client's reader (bombs, path traversal, lying sizes, bad CRCs, DOCTYPEs).
 */
import { randomBytes } from 'node:crypto';
import { buildPackage, readPackage, readZip, writeZip } from '../../client/fno';
import { crc32 } from '../../client/fno/package/crc32';
import { openPackage } from '../../emulator/fno/package/open-package';
import { readZip as emulatorReadZip } from '../../emulator/fno/zip/zip-reader';
import { writeZip as emulatorWriteZip } from '../../emulator/fno/zip/zip-writer';
import { writeHeader, writeManifest } from '../../emulator/fno/package/descriptors';
import { writeCsv as emulatorWriteCsv } from '../../emulator/fno/package/csv';

const rows = [
  { CustomerGroupId: 'A1', Description: 'Comma, "quote"\r\nnew line', IsSalesTaxIncludedInPrice: 'No', Count: 3, Flag: true, Day: new Date('2024-01-31T00:00:00Z') },
  { CustomerGroupId: 'A2', Description: ' ü € ', IsSalesTaxIncludedInPrice: 'Yes', Count: null, Flag: false },
];

describe('packages the client writes', () => {
  test.each(['utf16le', 'utf8'] as const)('are accepted by the emulator package validator (%s)', (encoding) => {
    const zip = buildPackage({ definitionGroupId: 'Groups', entities: [{ entityName: 'CustomerGroups', rows }, { entityName: 'VendorGroups', rows: [{ VendorGroupId: 'V1' }] }], encoding });
    const opened = openPackage(zip);
    expect(opened.header.packageType).toBe('DefinitionGroup');
    expect(opened.manifest.definitionGroupName).toBe('Groups');
    expect(opened.manifest.entities.map((e) => [e.entityName, e.inputFilePath, e.sourceFormat, e.sequenceInLevel])).toEqual([
      ['CustomerGroups', 'CustomerGroups.csv', encoding === 'utf8' ? 'CSV' : 'CSV-Unicode', 1],
      ['VendorGroups', 'VendorGroups.csv', encoding === 'utf8' ? 'CSV' : 'CSV-Unicode', 2],
    ]);
    const [groups] = opened.files;
    expect(groups.columns).toEqual(['CustomerGroupId', 'Description', 'IsSalesTaxIncludedInPrice', 'Count', 'Flag', 'Day']);
    expect(groups.records.map((r) => r.values)).toEqual([
      ['A1', 'Comma, "quote"\r\nnew line', 'No', '3', 'true', '2024-01-31T00:00:00.000Z'],
      ['A2', ' ü € ', 'Yes', '', 'false', ''],
    ]);
    // And the client reads its own package back the same way.
    expect(readPackage(zip).entities[0].rows[0].Description).toBe('Comma, "quote"\r\nnew line');
  });

  test('entries that do not compress are stored, and every entry passes the emulator reader CRC checks', () => {
    const noise = randomBytes(4096);
    const zip = writeZip([{ name: 'noise.bin', data: noise }, { name: 'text.txt', data: Buffer.from(Array.from({ length: 500 }, (_, i) => `row ${i * 7919},${i}`).join('\r\n')) }]);
    expect(zip.readUInt16LE(8)).toBe(0); // first local header: method 0 (stored)
    const second = 30 + 'noise.bin'.length + 4096;
    expect(zip.readUInt16LE(second + 8)).toBe(8); // deflated
    const read = emulatorReadZip(zip);
    expect(read.map((e) => e.name)).toEqual(['noise.bin', 'text.txt']);
    expect(read[0].data.equals(noise)).toBe(true);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  test('bad input is refused with the reason', () => {
    expect(() => buildPackage({ definitionGroupId: '', entities: [{ entityName: 'X', rows: [{ a: 1 }] }] })).toThrow(/definitionGroupId/);
    expect(() => buildPackage({ definitionGroupId: 'P', entities: [{ entityName: 'X', rows: [{ a: { nested: 1 } }] }] })).toThrow(/'a' is an object/);
    expect(() => buildPackage({ definitionGroupId: 'P', entities: [{ entityName: 'X', rows: [{}] }] })).toThrow(/no fields/);
    expect(() => writeZip([{ name: '../x', data: Buffer.alloc(1) }])).toThrow(/Invalid file name/);
  });
});

describe('packages the client reads', () => {
  test('an export written by the emulator unpacks into rows', () => {
    const csv = emulatorWriteCsv([['CUSTOMERGROUPID', 'DESCRIPTION'], ['10', 'Wholesale, "big"'], ['20', '']]);
    const zip = emulatorWriteZip([
      { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: 'E', description: 'E', entities: [{ entityName: 'CustomerGroups', inputFilePath: 'CustomerGroups.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) },
      { name: 'PackageHeader.xml', data: writeHeader('E') },
      { name: 'CustomerGroups.csv', data: csv },
    ]);
    const opened = readPackage(zip, { columnName: (_entity, column) => column.toLowerCase() });
    expect(opened.entities).toEqual([{ entityName: 'CustomerGroups', fileName: 'CustomerGroups.csv', columns: ['customergroupid', 'description'], rows: [{ customergroupid: '10', description: 'Wholesale, "big"' }, { customergroupid: '20', description: '' }] }]);
  });

  test('a zip bomb is refused by its ratio and never inflated', () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const bomb = emulatorWriteZip([{ name: 'data.csv', data: zeros }]);
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => readZip(bomb)).toThrow(/expands \d+ times/);
    expect(() => readPackage(bomb)).toThrow(/not a valid ZIP archive/);
  });

  test('an entry whose declared size is a lie is refused', () => {
    const zip = emulatorWriteZip([{ name: 'a.txt', data: Buffer.from('abcdefghij'.repeat(20)) }]);
    // Declare 20 bytes in the central directory instead of 200.
    const eocd = zip.length - 22;
    const central = zip.readUInt32LE(eocd + 16);
    zip.writeUInt32LE(20, central + 24);
    expect(() => readZip(zip)).toThrow(/a\.txt/);
  });

  test.each([['../../etc/passwd'], ['/abs.csv'], ['C:/x.csv'], ['dir\\x.csv']])('a path that escapes a folder (%s) is refused', (name) => {
    const zip = emulatorWriteZip([{ name, data: Buffer.from('x') }]);
    expect(() => readZip(zip)).toThrow(/has (a '\.\.' segment|an absolute path|a control character or backslash)/);
  });

  test('a damaged CRC, a truncated archive and a DOCTYPE manifest are refused', () => {
    const zip = buildPackage({ definitionGroupId: 'P', entities: [{ entityName: 'CustomerGroups', rows: [{ CustomerGroupId: 'A' }] }], encoding: 'utf8' });
    const entries = readZip(zip);
    const bad = Buffer.from(zip);
    bad.writeUInt32LE((bad.readUInt32LE(14) ^ 1) >>> 0, 14);
    const central = bad.readUInt32LE(bad.length - 22 + 16);
    bad.writeUInt32LE((bad.readUInt32LE(central + 16) ^ 1) >>> 0, central + 16);
    expect(() => readZip(bad)).toThrow(/CRC/);
    expect(() => readZip(zip.subarray(0, zip.length - 10))).toThrow(/end of central directory/);
    const doctype = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><DataManagementPackageManifest/>');
    const hostile = writeZip(entries.map((e) => (e.name === 'Manifest.xml' ? { name: e.name, data: doctype } : e)));
    expect(() => readPackage(hostile)).toThrow(/Manifest\.xml cannot be read.*DOCTYPE/i);
  });

  test('a data file with broken CSV is named', () => {
    const zip = buildPackage({ definitionGroupId: 'P', entities: [{ entityName: 'CustomerGroups', file: Buffer.from('A,B\r\n"open,1\r\n'), fileName: 'g.csv' }] });
    expect(() => readPackage(zip)).toThrow(/'g\.csv' is not valid CSV: .*unterminated/);
  });
});
