import { mkdir, open, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readFileIfExists, removeStaleTempFiles, writeFileAtomic } from './persistence-files';
import { formatJournalLine, parseJournal, type JournalRecord } from './persistence-journal';

export { JournalCorruptError } from './persistence-journal';

export interface PersistenceOptions<S, E> {
  /** Enables append()/compact(): folds one journal entry into the state while loading. */
  apply?: (state: S | undefined, entry: E) => S;
  /** Defaults: snapshot.json and journal.jsonl inside the directory. */
  snapshotFile?: string;
  journalFile?: string;
}

export interface PersistenceStats {
  appends: number;
  /** Journal write+fsync rounds; fewer than appends when group commit batches them. */
  journalFlushes: number;
  snapshotWrites: number;
}

export interface Persistence<S, E = unknown> {
  /** Snapshot plus every journal entry it does not already hold; undefined when nothing was ever stored. */
  load(): Promise<S | undefined>;
  /**
   * Durably replaces the snapshot. `snapshot` must already reflect every append() called before,
   * because entries up to that point are skipped on replay. A save that has not started yet is
   * superseded by a later one: both promises resolve once the later state is on disk.
   */
  save(snapshot: S): Promise<void>;
  /** Resolves once the entry is fsynced; concurrent appends share one write and one fsync. */
  append(entry: E): Promise<void>;
  /** save() followed by dropping the journal entries the snapshot holds; without an argument, folds the files on disk. */
  compact(snapshot?: S): Promise<void>;
  stats(): PersistenceStats;
  /** Waits for pending writes and closes the journal file. */
  close(): Promise<void>;
}

interface SnapshotFile<S> {
  format: 1;
  /** Highest journal sequence the data already includes. */
  seq: number;
  data: S;
}

interface PendingAppend {
  /** 1-based position among this process's appends; the on-disk sequence is baseSeq + index. */
  index: number;
  json: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Every file operation runs on one serial lane, so writes never interleave and a snapshot never
 * races a journal rewrite. A crash at any point leaves a loadable state containing at least every
 * acknowledged write: snapshots are replaced atomically, journal entries carry sequence numbers the
 * snapshot records, so replay neither loses nor double-applies entries.
 */
export function createPersistence<S, E = unknown>(dir: string, options: PersistenceOptions<S, E> = {}): Persistence<S, E> {
  const snapshotPath = path.join(dir, options.snapshotFile ?? 'snapshot.json');
  const journalPath = path.join(dir, options.journalFile ?? 'journal.jsonl');
  const stats: PersistenceStats = { appends: 0, journalFlushes: 0, snapshotWrites: 0 };

  let tail: Promise<unknown> = Promise.resolve();
  const onLane = <T>(op: () => Promise<T>): Promise<T> => {
    const result = tail.then(op);
    tail = result.catch(() => undefined);
    return result;
  };

  let initialised = false;
  let baseSeq = 0;
  let issued = 0;
  let journal: FileHandle | undefined;
  let journalBytes = 0;
  let pending: PendingAppend[] = [];
  let flushQueued = false;
  let queuedSave: { upto: number; json: string; done: Promise<void> } | undefined;

  async function readDisk(): Promise<{ snapshot?: SnapshotFile<S>; records: JournalRecord[]; validBytes: number; size: number }> {
    const snapshotBuffer = await readFileIfExists(snapshotPath);
    const snapshot = snapshotBuffer ? (JSON.parse(snapshotBuffer.toString('utf8')) as SnapshotFile<S>) : undefined;
    if (snapshot && (snapshot.format !== 1 || !Number.isSafeInteger(snapshot.seq))) {
      throw new Error(`Unsupported snapshot file ${snapshotPath}`);
    }
    const journalBuffer = options.apply ? await readFileIfExists(journalPath) : undefined;
    const parsed = journalBuffer ? parseJournal(journalBuffer, journalPath) : { records: [], validBytes: 0 };
    return { snapshot, ...parsed, size: journalBuffer?.length ?? 0 };
  }

  /** First lane operation: learn the last sequence and cut a torn tail so new lines do not glue onto it. */
  async function initialise(disk?: Awaited<ReturnType<typeof readDisk>>): Promise<void> {
    if (initialised) return;
    await mkdir(dir, { recursive: true });
    await removeStaleTempFiles(snapshotPath);
    await removeStaleTempFiles(journalPath);
    const state = disk ?? (await readDisk());
    if (state.validBytes < state.size) await truncate(journalPath, state.validBytes);
    baseSeq = Math.max(state.snapshot?.seq ?? 0, state.records[state.records.length - 1]?.s ?? 0);
    journalBytes = state.validBytes;
    initialised = true;
  }

  async function closeJournal(): Promise<void> {
    const handle = journal;
    journal = undefined;
    await handle?.close();
  }

  async function flush(): Promise<void> {
    flushQueued = false;
    const batch = pending;
    pending = [];
    try {
      await initialise();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    try {
      journal ??= await open(journalPath, 'a');
      const data = Buffer.from(batch.map((p) => formatJournalLine(baseSeq + p.index, p.json)).join(''), 'utf8');
      let written = 0;
      while (written < data.length) written += (await journal.write(data, written)).bytesWritten;
      await journal.datasync();
      journalBytes += data.length;
      stats.journalFlushes += 1;
      for (const p of batch) p.resolve();
    } catch (err) {
      // A partial line would corrupt the next batch: cut the file back to its last good length.
      await closeJournal().catch(() => undefined);
      await truncate(journalPath, journalBytes).catch(() => undefined);
      for (const p of batch) p.reject(err);
    }
  }

  async function writeSnapshot(seq: number, json: string): Promise<void> {
    await writeFileAtomic(snapshotPath, `{"format":1,"seq":${seq},"data":${json}}`);
    stats.snapshotWrites += 1;
  }

  /** Rewrites the journal keeping only entries newer than the snapshot (ones flushed after it was taken). */
  async function dropJournalThrough(seq: number): Promise<void> {
    await closeJournal();
    const buffer = await readFileIfExists(journalPath);
    if (!buffer) return;
    const { records } = parseJournal(buffer, journalPath);
    const kept = records.filter((r) => r.s > seq).map((r) => formatJournalLine(r.s, JSON.stringify(r.e)));
    const content = Buffer.from(kept.join(''), 'utf8');
    await writeFileAtomic(journalPath, content);
    journalBytes = content.length;
  }

  return {
    load: () =>
      onLane(async () => {
        const disk = await readDisk();
        await initialise(disk);
        if (!disk.snapshot && disk.records.length === 0) return undefined;
        const apply = options.apply;
        let state = disk.snapshot?.data;
        const after = disk.snapshot?.seq ?? 0;
        if (apply) for (const r of disk.records) if (r.s > after) state = apply(state, r.e as E);
        return state;
      }),

    save(snapshot) {
      let json: string;
      try {
        json = serialise(snapshot);
      } catch (err) {
        return Promise.reject(err);
      }
      if (queuedSave) {
        queuedSave.json = json;
        queuedSave.upto = issued;
        return queuedSave.done;
      }
      const job = { upto: issued, json, done: Promise.resolve() };
      job.done = onLane(async () => {
        queuedSave = undefined;
        await initialise();
        await writeSnapshot(baseSeq + job.upto, job.json);
      });
      queuedSave = job;
      return job.done;
    },

    append(entry) {
      if (!options.apply) return Promise.reject(new Error('append() needs the apply option to replay the journal'));
      let json: string;
      try {
        json = serialise(entry);
      } catch (err) {
        return Promise.reject(err);
      }
      stats.appends += 1;
      const index = ++issued;
      const done = new Promise<void>((resolve, reject) => pending.push({ index, json, resolve, reject }));
      if (!flushQueued) {
        flushQueued = true;
        void onLane(flush);
      }
      return done;
    },

    compact(snapshot) {
      if (!options.apply) return Promise.reject(new Error('compact() needs the apply option'));
      let given: { upto: number; json: string } | undefined;
      try {
        given = snapshot === undefined ? undefined : { upto: issued, json: serialise(snapshot) };
      } catch (err) {
        return Promise.reject(err);
      }
      return onLane(async () => {
        await initialise();
        let seq: number;
        let json: string;
        if (given) {
          seq = baseSeq + given.upto;
          json = given.json;
        } else {
          const disk = await readDisk();
          const after = disk.snapshot?.seq ?? 0;
          let state = disk.snapshot?.data;
          for (const r of disk.records) if (r.s > after) state = options.apply!(state, r.e as E);
          seq = Math.max(after, disk.records[disk.records.length - 1]?.s ?? 0);
          if (state === undefined) return;
          json = serialise(state);
        }
        await writeSnapshot(seq, json);
        await dropJournalThrough(seq);
      });
    },

    stats: () => ({ ...stats }),

    close: () => onLane(closeJournal),
  };
}

function serialise(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('Value is not JSON-serialisable');
  return json;
}
