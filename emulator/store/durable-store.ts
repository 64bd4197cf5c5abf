/**
 * Binds the in-memory TableStore to disk: every mutation is appended to the fsynced journal, and a write is
 * acknowledged only after flush() saw its journal entry on disk; restarts replay snapshot + journal.
 */
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

export async function openDurableStore(dir: string, store: TableStore, schema: DataverseSchema): Promise<DurableStore> {
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
    },
  };
}

function rebuild(snapshot: StoreSnapshot | undefined, primaryId: (table: string) => string | undefined): TableStore {
  const store = new TableStore();
  if (snapshot) store.restore(snapshot, primaryId);
  return store;
}
