/**
 * Reads a downloaded package. The bytes come from a URL the service handed out, so the reader trusts nothing: the
 * central directory must agree with each local header, entries may not overlap (how small bombs multiply one
 * block), sizes are capped before and during inflation, the deflate ratio is bounded, CRCs are checked, and names
 * that could escape a folder (absolute, `..`, drive letters, backslashes, control characters) are refused.
 */
import * as zlib from 'node:zlib';
import { crc32 } from './crc32';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

export interface ZipReadLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of a deflated entry. */
  maxRatio: number;
}

export const DEFAULT_ZIP_READ_LIMITS: ZipReadLimits = { maxEntries: 1_000, maxEntryBytes: 512 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024, maxRatio: 250 };

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

function unsafeName(name: string): string | undefined {
  if (name === '' || name.length > 1024) return 'an empty or overlong name';
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\\')) return 'a control character or backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.split('/').some((p) => p === '..')) return "a '..' segment";
  return undefined;
}

function findEnd(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50 && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipFormatError('no end of central directory record: the file is not a ZIP archive or is truncated');
}

export function readZip(buf: Buffer, limits: Partial<ZipReadLimits> = {}): ZipEntry[] {
  const lim = { ...DEFAULT_ZIP_READ_LIMITS, ...limits };
  if (buf.length < 22) throw new ZipFormatError(`${buf.length} bytes is too short for a ZIP archive`);
  const end = findEnd(buf);
  if (buf.readUInt16LE(end + 4) !== 0 || buf.readUInt16LE(end + 6) !== 0) throw new ZipFormatError('multi-disk archives are not supported');
  const count = buf.readUInt16LE(end + 10);
  const dirSize = buf.readUInt32LE(end + 12);
  const dirOffset = buf.readUInt32LE(end + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipFormatError('ZIP64 archives are not supported');
  if (count > lim.maxEntries) throw new ZipFormatError(`${count} entries, more than the ${lim.maxEntries} allowed`);
  if (dirOffset + dirSize > end) throw new ZipFormatError('the central directory lies outside the archive');
  const entries: ZipEntry[] = [];
  const spans: [number, number][] = [];
  const names = new Set<string>();
  let total = 0;
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > end || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipFormatError(`central directory record ${n + 1} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLength > end) throw new ZipFormatError(`central directory record ${n + 1} is truncated`);
    const name = buf.subarray(p + 46, p + 46 + nameLength).toString(flags & 0x0800 ? 'utf8' : 'latin1');
    p += 46 + nameLength + extraLength + commentLength;
    const bad = unsafeName(name);
    if (bad) throw new ZipFormatError(`the entry '${name.slice(0, 80)}' has ${bad}`);
    if (flags & 0x0001) throw new ZipFormatError(`the entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipFormatError(`the entry '${name}' uses compression method ${method}; only stored and deflated entries are read`);
    if (names.has(name.toLowerCase())) throw new ZipFormatError(`the entry '${name}' appears twice`);
    names.add(name.toLowerCase());
    if (name.endsWith('/')) continue;
    if (size > lim.maxEntryBytes) throw new ZipFormatError(`the entry '${name}' declares ${size} bytes, more than ${lim.maxEntryBytes}`);
    total += size;
    if (total > lim.maxTotalBytes) throw new ZipFormatError(`the entries declare more than ${lim.maxTotalBytes} bytes in total`);
    if (method === 8 && compressed > 0 && size / compressed > lim.maxRatio) throw new ZipFormatError(`the entry '${name}' expands ${Math.round(size / compressed)} times, more than ${lim.maxRatio}`);
    if (localOffset + 30 > dirOffset || buf.readUInt32LE(localOffset) !== 0x04034b50) throw new ZipFormatError(`the local header of '${name}' is missing`);
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const localName = buf.subarray(localOffset + 30, localOffset + 30 + buf.readUInt16LE(localOffset + 26)).toString(flags & 0x0800 ? 'utf8' : 'latin1');
    if (localName !== name) throw new ZipFormatError(`the local header of '${name}' names '${localName.slice(0, 80)}'`);
    const dataEnd = dataStart + compressed;
    if (dataEnd > dirOffset) throw new ZipFormatError(`the data of '${name}' runs into the central directory`);
    for (const [s, e] of spans) if (localOffset < e && s < dataEnd) throw new ZipFormatError(`the entry '${name}' overlaps another entry`);
    spans.push([localOffset, dataEnd]);
    const raw = buf.subarray(dataStart, dataEnd);
    let data: Buffer;
    if (method === 0) {
      if (compressed !== size) throw new ZipFormatError(`the stored entry '${name}' has different compressed and uncompressed sizes`);
      data = Buffer.from(raw);
    } else {
      try {
        // maxOutputLength stops inflation at the declared size, whatever the stream claims.
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, size) });
      } catch (e) {
        throw new ZipFormatError(`the entry '${name}' does not inflate to its declared ${size} bytes (${(e as Error).message})`);
      }
    }
    if (data.length !== size) throw new ZipFormatError(`the entry '${name}' has ${data.length} bytes, not the declared ${size}`);
    if (crc32(data) !== crc) throw new ZipFormatError(`the entry '${name}' fails its CRC check`);
    entries.push({ name, data });
  }
  return entries;
}
