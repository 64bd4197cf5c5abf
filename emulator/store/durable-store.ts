/**
 * Binds the in-memory TableStore to disk: every mutation is appended to the fsynced journal, and a write is
 * acknowledged only after flush() saw its journal entry on disk; restarts replay snapshot + journal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataverseSchema } from '../dataverse/schema';
import { createPersistence } from './persistence';
import { Mutation, StoreSnapshot, TableStore } from './table-store';

const COMPACT_EVERY = 20_000;

export interface DurableStore {
  /** True when rows were loaded from disk (sample data must not be seeded again). */
  restored: boolean;
  /** Resolves when every mutation so far is durable. */
  flush(): Promise<void>;
  /** Writes a full snapshot and trims the journal. */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One emulator per data directory: a second one would interleave journal writes. The lock names its owner's pid,
 * so a lock left by a killed process is taken over, while a live owner is reported by pid.
 */
const lockedHere = new Set<string>();

function lockDirectory(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'emulator.lock');
  if (lockedHere.has(lock)) throw new Error(`the data directory ${dir} is in use by another emulator in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      lockedHere.add(lock);
      return () => {
        lockedHere.delete(lock);
        fs.rmSync(lock, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(lock, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`the data directory ${dir} is in use by another emulator (process ${owner}); stop it or choose another --data directory`);
      }
      fs.rmSync(lock, { force: true });
    }
  }
  throw new Error(`could not lock the data directory ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openDurableStore(dir: string, store: TableStore, schema: DataverseSchema): Promise<DurableStore> {
  const unlock = lockDirectory(dir);
  const primaryId = (table: string) => schema.table(table)?.primaryId;
  const persistence = createPersistence<StoreSnapshot | TableStore, Mutation>(dir, {
    // Replay folds journal entries into a TableStore built from the snapshot, then hands it back as the state.
    apply: (state, entry) => {
      const target = state instanceof TableStore ? state : rebuild(state, primaryId);
      target.apply(entry);
      return target;
    },
  });
  const loaded = await persistence.load();
  if (loaded) {
    const snapshot = loaded instanceof TableStore ? loaded.snapshot() : loaded;
    store.restore(snapshot, primaryId);
  }
  // Settles once every append issued so far is on disk. Each flush waits for all of them: handing a batch to one
  // flush and an empty list to the next let a concurrent request be acknowledged before its row was fsynced.
  // A failed append keeps failing later flushes (memory and journal no longer agree).
  let durable: Promise<void> = Promise.resolve();
  let sinceCompact = 0;
  store.onMutation = (m) => {
    durable = Promise.all([durable, persistence.append(m)]).then(() => undefined);
    durable.catch(() => undefined);
    sinceCompact++;
  };
  const flush = async () => {
    await durable;
    if (sinceCompact >= COMPACT_EVERY) {
      sinceCompact = 0;
      await persistence.compact(store.snapshot());
    }
  };
  return {
    restored: loaded !== undefined,
    flush,
    checkpoint: async () => {
      await flush();
      await persistence.compact(store.snapshot());
    },
    close: async () => {
      await flush();
      await persistence.compact(store.snapshot());
      await persistence.close();
      unlock();
    },
  };
}

function rebuild(snapshot: StoreSnapshot | undefined, primaryId: (table: string) => string | undefined): TableStore {
  const store = new TableStore();
  if (snapshot) store.restore(snapshot, primaryId);
  return store;
}
