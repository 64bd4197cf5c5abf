/**
 * F&O rows in the data directory: one JSON snapshot replaced atomically (temp file, fsync, rename) after the
 * requests that changed something and before their answers leave, so an acknowledged write survives a restart.
 * Rows are small and few compared with Dataverse's, so a snapshot per writing request is cheap enough.
 */
import * as path from 'node:path';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from '../store/persistence-files';
import type { FnoEntityStore, FnoStoreSnapshot } from './store';

export const FNO_SNAPSHOT_FILE = 'fno-rows.json';

export interface FnoPersistence {
  /** True when the rows came from the data directory (no seeding then). */
  restored: boolean;
  /** Writes the snapshot if anything changed since the last one; resolves once it is durable. */
  flush(): Promise<void>;
}

export async function openFnoPersistence(dataDir: string, store: FnoEntityStore): Promise<FnoPersistence> {
  const file = path.join(dataDir, FNO_SNAPSHOT_FILE);
  await removeStaleTempFiles(file);
  const existing = await readFileIfExists(file);
  if (existing) {
    let snapshot: FnoStoreSnapshot;
    try {
      snapshot = JSON.parse(existing.toString('utf8')) as FnoStoreSnapshot;
    } catch (e) {
      throw new Error(`The F&O rows in ${file} are not valid JSON (${(e as Error).message}); move the file away to start from the sample data.`);
    }
    store.restore(snapshot);
  }
  let dirty = !existing;
  store.onChange(() => {
    dirty = true;
  });
  let pending: Promise<void> = Promise.resolve();
  return {
    restored: existing !== undefined,
    flush() {
      if (!dirty) return pending;
      dirty = false;
      const content = JSON.stringify(store.snapshot());
      // Writes stay in order; a failed one leaves the rows dirty so the next flush tries again.
      pending = pending
        .catch(() => undefined)
        .then(() => writeFileAtomic(file, content))
        .catch((e: unknown) => {
          dirty = true;
          throw e;
        });
      return pending;
    },
  };
}
