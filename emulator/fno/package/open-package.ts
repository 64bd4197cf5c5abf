/**
 * Opens an uploaded data package: a ZIP holding Manifest.xml, PackageHeader.xml and one data file per manifest
 * entity. Anything structurally wrong is a PackageError naming the file and the problem; row-level problems are
 * left to the import, which reports them per row.
 */
import { readZip, ZipError, ZipLimits } from '../zip/zip-reader';
import { CsvError, parseCsv } from './csv';
import { PackageError, PackageHeader, PackageManifest, parseHeader, parseManifest, type ManifestEntity } from './descriptors';

export { PackageError } from './descriptors';

export interface PackageDataFile {
  entity: ManifestEntity;
  /** Column names as written in the header row. */
  columns: string[];
  /** Data records (header excluded), each with its 1-based line number in the file for error messages. */
  records: { line: number; values: string[] }[];
}

export interface OpenedPackage {
  manifest: PackageManifest;
  header: PackageHeader;
  files: PackageDataFile[];
}

const SUPPORTED_FORMATS = /^csv/i;

export function openPackage(zip: Buffer, limits: Partial<ZipLimits> = {}): OpenedPackage {
  let entries;
  try {
    entries = readZip(zip, limits);
  } catch (e) {
    if (e instanceof ZipError) throw new PackageError(`The package is not a valid ZIP archive: ${e.message}`);
    throw e;
  }
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e.data]));
  const manifestBytes = byName.get('manifest.xml');
  if (!manifestBytes) throw new PackageError('The package has no Manifest.xml at its root.');
  const headerBytes = byName.get('packageheader.xml');
  if (!headerBytes) throw new PackageError('The package has no PackageHeader.xml at its root.');
  const manifest = parseManifest(manifestBytes);
  const header = parseHeader(headerBytes);
  const files = manifest.entities.map((entity): PackageDataFile => {
    if (!SUPPORTED_FORMATS.test(entity.sourceFormat)) {
      throw new PackageError(`The source format '${entity.sourceFormat}' of '${entity.entityName}' is not supported by the emulator; use a CSV format.`);
    }
    const data = byName.get(entity.inputFilePath.replace(/\\/g, '/').toLowerCase());
    if (!data) throw new PackageError(`The data file '${entity.inputFilePath}' of entity '${entity.entityName}' is not in the package.`);
    let records: string[][];
    try {
      records = parseCsv(data);
    } catch (e) {
      if (e instanceof CsvError) throw new PackageError(`The data file '${entity.inputFilePath}' is not valid CSV: ${e.message}`);
      throw e;
    }
    if (records.length === 0) throw new PackageError(`The data file '${entity.inputFilePath}' is empty; it needs a header row of field names.`);
    const columns = records[0].map((c) => c.trim());
    const seen = new Set<string>();
    for (const c of columns) {
      if (c === '') throw new PackageError(`The header row of '${entity.inputFilePath}' has an empty column name.`);
      if (seen.has(c.toUpperCase())) throw new PackageError(`The header row of '${entity.inputFilePath}' names the column '${c}' twice.`);
      seen.add(c.toUpperCase());
    }
    const rows = records.slice(1)
      .map((values, n) => ({ line: n + 2, values }))
      .filter((r) => !(r.values.length === 1 && r.values[0] === ''));
    return { entity, columns, records: rows };
  });
  return { manifest, header, files };
}
