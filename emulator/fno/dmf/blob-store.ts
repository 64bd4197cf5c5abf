/**
 * The emulator's stand-in for the Azure Blob container `dmf` that Data management hands out URLs to: blobs live in
 * memory (bounded, kept 7 days like F&O's), and every URL carries a SAS-like signature (HMAC of the permission,
 * the blob name and the expiry with a key made at start), so a URL is only usable as issued and until it expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const BLOB_PATH_PREFIX = '/dmfblobs/dmf/';
const RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Lifetime of a SAS URL handed out by GetAzureWriteUrl or GetExportedPackageUrl. */
export const SAS_LIFETIME_MS = 60 * 60 * 1000;

export type SasPermission = 'r' | 'w';

export interface StoredBlob {
  data: Buffer;
  contentType: string;
  createdAt: number;
  etag: string;
}

export interface BlobStoreLimits {
  maxBlobs: number;
  maxTotalBytes: number;
}

export class BlobStore {
  private readonly key = randomBytes(32);
  private readonly blobs = new Map<string, StoredBlob>();
  private total = 0;

  constructor(private readonly origin: () => string, private readonly now: () => number, private readonly limits: BlobStoreLimits = { maxBlobs: 500, maxTotalBytes: 1024 * 1024 * 1024 }) {}

  /** A URL in the shape of an Azure Blob SAS URL (sv, sr, sp, se, sig), pointing at this emulator. */
  sasUrl(name: string, permission: SasPermission): string {
    const se = new Date(this.now() + SAS_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const query = new URLSearchParams({ sv: '2014-02-14', sr: 'b', sp: permission, se, sig: this.sign(name, permission, se) });
    return `${this.origin()}${BLOB_PATH_PREFIX}${encodeURIComponent(name)}?${query.toString()}`;
  }

  /** Why the query does not grant `permission` on `name`, or undefined when it does. */
  checkSas(name: string, permission: SasPermission, query: URLSearchParams): string | undefined {
    const sig = query.get('sig');
    const se = query.get('se');
    const sp = query.get('sp');
    if (!sig || !se || !sp) return 'The URL carries no shared access signature.';
    if (!sp.includes(permission)) return `The signature does not grant ${permission === 'r' ? 'read' : 'write'} access.`;
    const expected = Buffer.from(this.sign(name, sp, se));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'The signature does not match.';
    const expiry = Date.parse(se);
    if (!Number.isFinite(expiry) || expiry < this.now()) return 'The signature has expired.';
    return undefined;
  }

  /** The blob name of a URL this store issued, or undefined for any other URL. */
  nameOf(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.origin !== this.origin() || !parsed.pathname.startsWith(BLOB_PATH_PREFIX)) return undefined;
    try {
      return decodeURIComponent(parsed.pathname.slice(BLOB_PATH_PREFIX.length));
    } catch {
      return undefined;
    }
  }

  put(name: string, data: Buffer, contentType = 'application/octet-stream'): StoredBlob {
    this.evictExpired();
    const old = this.blobs.get(name);
    const grow = data.length - (old?.data.length ?? 0);
    if (!old && this.blobs.size >= this.limits.maxBlobs) throw new Error(`The container holds ${this.limits.maxBlobs} blobs, its limit.`);
    if (this.total + grow > this.limits.maxTotalBytes) throw new Error(`The container would exceed ${this.limits.maxTotalBytes} bytes.`);
    const blob: StoredBlob = { data, contentType, createdAt: this.now(), etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"` };
    this.blobs.set(name, blob);
    this.total += grow;
    return blob;
  }

  get(name: string): StoredBlob | undefined {
    this.evictExpired();
    return this.blobs.get(name);
  }

  private evictExpired() {
    const cutoff = this.now() - RETENTION_MS;
    for (const [name, blob] of this.blobs) {
      if (blob.createdAt >= cutoff) continue;
      this.blobs.delete(name);
      this.total -= blob.data.length;
    }
  }

  private sign(name: string, permission: string, expiry: string): string {
    return createHmac('sha256', this.key).update(`${permission}\n/dmf/${name}\n${expiry}`).digest('base64');
  }
}

/** Blob names as GetAzureWriteUrl accepts them: one path segment, printable, bounded. */
export function checkBlobName(name: string): string | undefined {
  if (name.length === 0) return 'uniqueFileName must not be empty.';
  if (name.length > 255) return 'uniqueFileName must be at most 255 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(name) || name === '.' || name === '..') return `uniqueFileName '${name.slice(0, 100)}' must be a plain file name (no '/', '\\' or control characters).`;
  return undefined;
}
