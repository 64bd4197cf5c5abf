/**
 * A cache of metadata responses per Dataverse environment. Metadata changes rarely and is expensive to read (a
 * table's attributes can be megabytes), so answers are kept for a while; the promise itself is cached, so callers
 * asking for the same thing at once share one request. Failures are never cached.
 */

interface Entry {
  promise: Promise<unknown>;
  /** Time after which the entry is stale; Infinity while the request is still running. */
  expires: number;
}

export interface MetadataCacheOptions {
  /** How long an answer is reused; default 15 minutes. */
  ttlMs?: number;
  now?: () => number;
}

export class MetadataCache {
  private readonly environments = new Map<string, Map<string, Entry>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: MetadataCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 15 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The cached answer for `key` in `environmentUrl`, or the result of `load` (shared while it runs). */
  get<T>(environmentUrl: string, key: string, load: () => Promise<T>): Promise<T> {
    const envKey = environmentKey(environmentUrl);
    let entries = this.environments.get(envKey);
    if (!entries) {
      entries = new Map();
      this.environments.set(envKey, entries);
    }
    const found = entries.get(key);
    if (found && found.expires > this.now()) return found.promise as Promise<T>;
    const entry: Entry = { promise: Promise.resolve().then(load), expires: Infinity };
    entries.set(key, entry);
    entry.promise.then(
      () => {
        entry.expires = this.now() + this.ttlMs;
      },
      () => {
        // Only forget this attempt: a clear() or a newer request may already have replaced it.
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry.promise as Promise<T>;
  }

  /** Forgets one environment's answers, or every environment's. */
  clear(environmentUrl?: string): void {
    if (environmentUrl === undefined) this.environments.clear();
    else this.environments.delete(environmentKey(environmentUrl));
  }
}

/** `https://Org.crm.dynamics.com/` and `https://org.crm.dynamics.com` are the same environment. */
export function environmentKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.replace(/\/+$/, '').toLowerCase();
  }
}
