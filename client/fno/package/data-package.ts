/**
 * Data packages: a ZIP with Manifest.xml, PackageHeader.xml and one CSV data file per entity. Built from rows or
 * from a ready data file for import, and unpacked into rows after an export.
 */
import { D365Error } from '../../http/errors';
import { cellText, CsvFormatError, decodeText, parseCsv, writeCsv, type CsvEncoding } from './csv';
import { MANIFEST_TYPE, readManifest, writeManifest, writePackageHeader, type PackageManifest } from './descriptors';
import { readZip, ZipFormatError, type ZipReadLimits } from './zip-reader';
import { writeZip } from './zip-writer';

export interface PackageEntityInput {
  /** The entity as Data management names it (entity set or entity name, e.g. `CustomerGroups`). */
  entityName: string;
  /** Rows to write; columns are `columns`, or every field the rows use, in the order first seen. */
  rows?: Iterable<Record<string, unknown>>;
  columns?: string[];
  /** A ready data file (its bytes go in unchanged) instead of rows. */
  file?: Buffer;
  /** Name of the data file inside the package; default `<entityName>.csv`. */
  fileName?: string;
  /** Data source format configured in F&O; default `CSV-Unicode` (UTF-16), or `CSV` (UTF-8) with encoding utf8. */
  sourceFormat?: string;
}

export interface BuildPackageOptions {
  definitionGroupId: string;
  description?: string;
  entities: PackageEntityInput[];
  /** Encoding of data files written from rows; default utf16le (CSV-Unicode). */
  encoding?: CsvEncoding;
}

export function invalidPackage(message: string, cause?: unknown): D365Error {
  return new D365Error(message, { code: 'InvalidPackage', retryable: false, ...(cause !== undefined ? { cause } : {}) });
}

function columnsOf(rows: Record<string, unknown>[], given?: string[]): string[] {
  if (given) {
    if (given.length === 0 || given.some((c) => typeof c !== 'string' || !c.trim())) throw invalidPackage('columns must be non-empty field names.');
    return given;
  }
  const seen = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row)) if (!name.startsWith('@') && !seen.has(name)) seen.add(name);
  if (seen.size === 0) throw invalidPackage('The rows have no fields; a data file needs at least one column.');
  return [...seen];
}

function dataFile(entity: PackageEntityInput, encoding: CsvEncoding): Buffer {
  if (entity.file) {
    if (entity.rows) throw invalidPackage(`'${entity.entityName}': give rows or a file, not both.`);
    return entity.file;
  }
  if (!entity.rows) throw invalidPackage(`'${entity.entityName}' has neither rows nor a data file.`);
  const rows = [...entity.rows];
  const columns = columnsOf(rows, entity.columns);
  try {
    return writeCsv([columns, ...rows.map((row) => columns.map((c) => cellText(row[c], c)))], encoding);
  } catch (e) {
    if (e instanceof CsvFormatError) throw invalidPackage(`'${entity.entityName}': ${e.message}`, e);
    throw e;
  }
}

export function buildPackage(options: BuildPackageOptions): Buffer {
  if (!options.definitionGroupId?.trim()) throw invalidPackage('definitionGroupId (the data project) is required.');
  if (!options.entities?.length) throw invalidPackage('A package needs at least one entity.');
  const encoding = options.encoding ?? 'utf16le';
  const files = options.entities.map((entity, n) => {
    if (!entity.entityName?.trim()) throw invalidPackage(`Entity ${n + 1} of the package has no name.`);
    const fileName = entity.fileName ?? `${entity.entityName.replace(/[^\w .-]/g, '_')}.csv`;
    return { entity, fileName, data: dataFile(entity, encoding) };
  });
  const manifest: PackageManifest = {
    definitionGroupName: options.definitionGroupId,
    description: options.description ?? options.definitionGroupId,
    entities: files.map(({ entity, fileName }, n) => ({
      entityName: entity.entityName,
      inputFilePath: fileName,
      sourceFormat: entity.sourceFormat ?? (encoding === 'utf8' ? 'CSV' : 'CSV-Unicode'),
      sequence: n + 1,
    })),
  };
  try {
    return writeZip([
      { name: 'Manifest.xml', data: writeManifest(manifest) },
      { name: 'PackageHeader.xml', data: writePackageHeader(manifest.description) },
      ...files.map((f) => ({ name: f.fileName, data: f.data })),
    ]);
  } catch (e) {
    throw invalidPackage(`The package could not be written: ${(e as Error).message}`, e);
  }
}

export interface PackageEntityData {
  entityName: string;
  fileName: string;
  /** Header row as written in the file. */
  columns: string[];
  /** One object per record, keyed by column. */
  rows: Record<string, string>[];
}

export interface OpenedPackage {
  manifest: PackageManifest;
  entities: PackageEntityData[];
}

export interface ReadPackageOptions {
  limits?: Partial<ZipReadLimits>;
  /** Renames columns (e.g. upper-case export headers to the entity's field names). */
  columnName?: (entityName: string, column: string) => string;
}

/** Opens a package and its data files; anything malformed is an InvalidPackage error naming the file. */
export function readPackage(zip: Buffer, options: ReadPackageOptions = {}): OpenedPackage {
  let entries;
  try {
    entries = readZip(zip, options.limits);
  } catch (e) {
    if (e instanceof ZipFormatError) throw invalidPackage(`The package is not a valid ZIP archive: ${e.message}.`, e);
    throw e;
  }
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e.data]));
  const manifestBytes = byName.get('manifest.xml');
  if (!manifestBytes) throw invalidPackage('The package has no Manifest.xml at its root.');
  const header = byName.get('packageheader.xml');
  if (!header) throw invalidPackage('The package has no PackageHeader.xml at its root.');
  if (!decodeText(header).includes(MANIFEST_TYPE)) throw invalidPackage('PackageHeader.xml does not describe a Data management package manifest.');
  let manifest: PackageManifest;
  try {
    manifest = readManifest(decodeText(manifestBytes));
  } catch (e) {
    throw invalidPackage(`Manifest.xml cannot be read: ${(e as Error).message}`, e);
  }
  const entities = manifest.entities.map((entity): PackageEntityData => {
    const data = byName.get(entity.inputFilePath.replace(/\\/g, '/').toLowerCase());
    if (!data) throw invalidPackage(`The data file '${entity.inputFilePath}' of '${entity.entityName}' is not in the package.`);
    let records: string[][];
    try {
      records = parseCsv(decodeText(data));
    } catch (e) {
      if (e instanceof CsvFormatError) throw invalidPackage(`The data file '${entity.inputFilePath}' is not valid CSV: ${e.message}.`, e);
      throw e;
    }
    const header = records[0] ?? [];
    const columns = header.map((c) => (options.columnName ? options.columnName(entity.entityName, c.trim()) : c.trim()));
    const rows = records.slice(1).filter((r) => !(r.length === 1 && r[0] === '')).map((values, n) => {
      if (values.length !== columns.length) throw invalidPackage(`Line ${n + 2} of '${entity.inputFilePath}' has ${values.length} fields; the header has ${columns.length}.`);
      const row: Record<string, string> = {};
      columns.forEach((c, i) => (row[c] = values[i]));
      return row;
    });
    return { entityName: entity.entityName, fileName: entity.inputFilePath, columns, rows };
  });
  return { manifest, entities };
}

/** Structure only: a readable ZIP with both descriptors and every data file the manifest names. */
export function checkPackage(zip: Buffer): void {
  readPackage(zip);
}
