/**
 * A bounded ZIP reader for uploaded data packages. Packages come from clients, so every field is distrusted: the
 * central directory must agree with the local headers, entries may not overlap (overlap is how zip bombs multiply
 * one compressed block), declared and actual sizes are capped before and during inflation, CRCs are checked, and
 * names that could escape a folder (absolute, `..`, drive letters, backslashes, control characters) are refused.
 * Only what data packages use is supported: stored and deflated entries, no encryption, no ZIP64, one disk.
 */
import * as zlib from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, already checked for traversal. */
  name: string;
  data: Buffer;
}

export interface ZipLimits {
  maxEntries: number;
  /** Largest uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest sum of uncompressed sizes. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of one deflated entry (zip bombs reach thousands). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
};

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;

interface CentralRecord {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export function readZip(buf: Buffer, limits: Partial<ZipLimits> = {}): ZipEntry[] {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const eocd = findEocd(buf);
  const diskNumber = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const entriesOnDisk = buf.readUInt16LE(eocd + 8);
  const totalEntries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (totalEntries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported.');
  if (diskNumber !== 0 || cdDisk !== 0 || entriesOnDisk !== totalEntries) throw new ZipError('Multi-disk (split) archives are not supported.');
  if (totalEntries > lim.maxEntries) throw new ZipError(`The archive has ${totalEntries} entries; at most ${lim.maxEntries} are allowed.`);
  if (cdOffset + cdSize > eocd) throw new ZipError('The central directory lies outside the archive.');

  const records = readCentralDirectory(buf, cdOffset, cdSize, totalEntries).filter((rec) => !rec.name.endsWith('/')); // folders carry no data
  // Every header is checked (names, sizes, totals, overlap) before a single byte is inflated.
  const seen = new Set<string>();
  const spans: { rec: CentralRecord; start: number; end: number }[] = [];
  let total = 0;
  for (const rec of records) {
    const key = rec.name.toLowerCase();
    if (seen.has(key)) throw new ZipError(`The archive contains '${rec.name}' more than once.`);
    seen.add(key);
    if (rec.flags & 0x1) throw new ZipError(`'${rec.name}' is encrypted; packages must not be encrypted.`);
    if (rec.size > lim.maxEntryBytes) throw new ZipError(`'${rec.name}' is ${rec.size} bytes uncompressed; the limit is ${lim.maxEntryBytes}.`);
    total += rec.size;
    if (total > lim.maxTotalBytes) throw new ZipError(`The archive expands to more than ${lim.maxTotalBytes} bytes.`);
    const start = dataStart(buf, rec, cdOffset);
    const end = start + rec.compressedSize;
    if (end > cdOffset) throw new ZipError(`The data of '${rec.name}' runs into the central directory.`);
    spans.push({ rec, start, end });
  }
  const ordered = [...spans].sort((a, b) => a.rec.localOffset - b.rec.localOffset);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].rec.localOffset < ordered[i - 1].end) throw new ZipError(`The entries '${ordered[i - 1].rec.name}' and '${ordered[i].rec.name}' overlap.`);
  }
  return spans.map(({ rec, start, end }) => ({ name: rec.name, data: extract(buf.subarray(start, end), rec, lim) }));
}

function findEocd(buf: Buffer): number {
  if (buf.length < EOCD_SIZE) throw new ZipError('The file is not a ZIP archive (it is too short).');
  const stop = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_SIZE; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + EOCD_SIZE + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipError('The file is not a ZIP archive (no end of central directory record).');
}

function readCentralDirectory(buf: Buffer, offset: number, size: number, count: number): CentralRecord[] {
  const records: CentralRecord[] = [];
  let p = offset;
  const end = offset + size;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > end || buf.readUInt32LE(p) !== CENTRAL_SIG) throw new ZipError(`Central directory entry ${i + 1} is damaged.`);
    const flags = buf.readUInt16LE(p + 8);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > end) throw new ZipError(`Central directory entry ${i + 1} is damaged.`);
    const rawName = buf.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength);
    const rec: CentralRecord = {
      name: checkName(decodeName(rawName, (flags & 0x800) !== 0)),
      flags,
      method: buf.readUInt16LE(p + 10),
      crc: buf.readUInt32LE(p + 16),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    };
    if (rec.compressedSize === 0xffffffff || rec.size === 0xffffffff || rec.localOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported.');
    records.push(rec);
    p = next;
  }
  return records;
}

function decodeName(raw: Buffer, utf8: boolean): string {
  const name = raw.toString(utf8 ? 'utf8' : 'latin1');
  if (utf8 && name.includes('\ufffd')) throw new ZipError('An entry name is not valid UTF-8.');
  return name;
}

/** Refuses names that could write outside a folder or mean different files on different systems. */
export function checkName(name: string): string {
  const shown = JSON.stringify(name.slice(0, 200));
  if (name.length === 0) throw new ZipError('An entry has an empty name.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new ZipError(`The entry name ${shown} contains control characters.`);
  if (name.includes('\\')) throw new ZipError(`The entry name ${shown} contains a backslash; ZIP paths use '/'.`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw new ZipError(`The entry name ${shown} is an absolute path.`);
  if (name.split('/').some((part) => part === '..' || part === '.')) throw new ZipError(`The entry name ${shown} contains '.' or '..' segments.`);
  if (name.includes('//')) throw new ZipError(`The entry name ${shown} contains an empty path segment.`);
  return name;
}

function dataStart(buf: Buffer, rec: CentralRecord, cdOffset: number): number {
  const p = rec.localOffset;
  if (p + LOCAL_SIZE > cdOffset || buf.readUInt32LE(p) !== LOCAL_SIG) throw new ZipError(`The local header of '${rec.name}' is missing or damaged.`);
  const nameLength = buf.readUInt16LE(p + 26);
  const extraLength = buf.readUInt16LE(p + 28);
  const localName = buf.subarray(p + LOCAL_SIZE, p + LOCAL_SIZE + nameLength).toString((rec.flags & 0x800) !== 0 ? 'utf8' : 'latin1');
  if (localName !== rec.name) throw new ZipError(`The local header of '${rec.name}' names a different file ('${localName.slice(0, 200)}').`);
  if (buf.readUInt16LE(p + 8) !== rec.method) throw new ZipError(`The local header of '${rec.name}' disagrees with the central directory.`);
  return p + LOCAL_SIZE + nameLength + extraLength;
}

function extract(raw: Buffer, rec: CentralRecord, lim: ZipLimits): Buffer {
  let data: Buffer;
  if (rec.method === 0) {
    if (rec.compressedSize !== rec.size) throw new ZipError(`The stored entry '${rec.name}' has different compressed and uncompressed sizes.`);
    data = raw;
  } else if (rec.method === 8) {
    if (rec.size > Math.max(1024, rec.compressedSize * lim.maxRatio)) {
      throw new ZipError(`'${rec.name}' expands more than ${lim.maxRatio} times; it looks like a zip bomb.`);
    }
    try {
      // One byte more than declared: an entry that lies about its size fails here instead of filling memory.
      data = zlib.inflateRawSync(raw, { maxOutputLength: rec.size + 1 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new ZipError(`'${rec.name}' inflates beyond its declared size of ${rec.size} bytes.`);
      throw new ZipError(`'${rec.name}' is not valid deflate data (${(e as Error).message}).`);
    }
  } else {
    throw new ZipError(`'${rec.name}' uses compression method ${rec.method}; only stored (0) and deflate (8) are supported.`);
  }
  if (data.length !== rec.size) throw new ZipError(`'${rec.name}' has ${data.length} bytes, but its header declares ${rec.size}.`);
  if ((zlib.crc32(data) >>> 0) !== rec.crc) throw new ZipError(`The CRC-32 of '${rec.name}' does not match; the archive is corrupt.`);
  return Buffer.from(data);
}
