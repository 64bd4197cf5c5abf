/**
 * The connector icon: a real PNG drawn in code (no binary asset in the repository). Power Automate shows it on a
 * background of the brand colour; certified connectors use 230×230 with a background that is neither white nor
 * transparent, so the icon is an opaque square of the brand colour with a white, letter-free mark: a table grid.
 */
import { deflateSync, inflateSync } from 'node:zlib';

export const ICON_SIZE = 230;
/** The independent-publisher brand colour; never #007ee5 or #ffffff (reserved / rejected by certification). */
export const ICON_BRAND_COLOR = '#da3b01';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG chunks need it. */
export function crc32(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function rgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`Not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** Whether pixel (x, y) belongs to the white mark: a rounded table outline with a header band and grid lines. */
function isMark(x: number, y: number, size: number): boolean {
  const s = size / 230;
  const left = 45 * s, right = 185 * s, top = 55 * s, bottom = 175 * s, stroke = 9 * s, radius = 14 * s;
  if (x < left || x >= right || y < top || y >= bottom) return false;
  // Rounded corners: outside the corner circle is background.
  const cx = x < left + radius ? left + radius : x > right - radius ? right - radius : x;
  const cy = y < top + radius ? top + radius : y > bottom - radius ? bottom - radius : y;
  const d = Math.hypot(x - cx, y - cy);
  if (d > radius) return false;
  // Outline.
  if (x < left + stroke || x >= right - stroke || y < top + stroke || y >= bottom - stroke) return true;
  if (d > radius - stroke && (cx !== x || cy !== y)) return true;
  // Header band (filled) and grid: two row lines, one column line.
  if (y < top + 34 * s) return true;
  const body = top + 34 * s;
  const inner = bottom - stroke - body;
  const rowLine = [body + inner / 3 + stroke / 6, body + (2 * inner) / 3 + stroke / 3];
  if (rowLine.some((ly) => y >= ly - stroke / 2 && y < ly + stroke / 2)) return true;
  const colLine = left + (right - left) * 0.42;
  return x >= colLine - stroke / 2 && x < colLine + stroke / 2;
}

/** A square RGB PNG (8-bit, no alpha, so never transparent) of `size` pixels in `color` with the white mark. */
export function connectorIcon(color: string = ICON_BRAND_COLOR, size: number = ICON_SIZE): Buffer {
  if (!Number.isInteger(size) || size < 16 || size > 1024) throw new RangeError(`Icon size must be an integer in 16..1024, not ${size}`);
  const [r, g, b] = rgb(color);
  const rowBytes = 1 + size * 3;
  const raw = Buffer.alloc(rowBytes * size);
  for (let y = 0; y < size; y++) {
    const row = y * rowBytes;
    raw[row] = 0; // filter: None
    for (let x = 0; x < size; x++) {
      const p = row + 1 + x * 3;
      const white = isMark(x + 0.5, y + 0.5, size);
      raw[p] = white ? 255 : r;
      raw[p + 1] = white ? 255 : g;
      raw[p + 2] = white ? 255 : b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour (RGB)
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  chunks: string[];
}

/**
 * Checks a PNG's structure (signature, chunk CRCs, IHDR first, IEND last, IDAT inflating to the expected size for
 * 8-bit RGB/RGBA) and returns its header; throws with the reason otherwise. Used by tests and the validator.
 */
export function inspectPng(png: Buffer): PngInfo {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('Not a PNG: bad signature');
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  let offset = 8;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new Error('Truncated PNG chunk');
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) throw new Error(`Truncated ${type} chunk`);
    const expected = png.readUInt32BE(offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== expected) throw new Error(`Bad CRC in ${type} chunk`);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    chunks.push(type);
    offset = end;
  }
  if (chunks[0] !== 'IHDR' || !ihdr || ihdr.length !== 13) throw new Error('IHDR must be the first chunk');
  if (chunks[chunks.length - 1] !== 'IEND') throw new Error('IEND must be the last chunk');
  if (idat.length === 0) throw new Error('No IDAT chunk');
  const info: PngInfo = { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), bitDepth: ihdr[8], colorType: ihdr[9], chunks };
  const channels = info.colorType === 2 ? 3 : info.colorType === 6 ? 4 : 0;
  if (info.bitDepth === 8 && channels > 0 && ihdr[12] === 0) {
    const raw = inflateSync(Buffer.concat(idat));
    const want = info.height * (1 + info.width * channels);
    if (raw.length !== want) throw new Error(`IDAT holds ${raw.length} bytes, expected ${want}`);
  }
  return info;
}
