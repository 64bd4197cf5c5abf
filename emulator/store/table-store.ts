/**
 * In-memory rows for every table, with a global row version (Dataverse's versionnumber), a change log for change
 * tracking, N:N associations, stored files, and undo for atomic change sets. Every mutation is reported through
 * `onMutation` so that persistence can make it durable before the client is told it succeeded.
 */

export type Row = Record<string, unknown>;

/** Hidden per-row data kept beside the columns; never serialized to clients. */
export const LOOKUP_TABLES = '@lookupTables';

export interface ChangeEntry {
  version: number;
  table: string;
  id: string;
  op: 'upsert' | 'delete';
}

export interface StoredFile {
  id: string;
  name: string;
  mimeType: string;
  data: string; // base64, so snapshots stay JSON
}

export type Mutation =
  | { op: 'put'; table: string; id: string; row: Row; version: number }
  | { op: 'delete'; table: string; id: string; version: number }
  | { op: 'associate' | 'disassociate'; relationship: string; pair: string }
  | { op: 'file'; file: StoredFile }
  | { op: 'deleteFile'; id: string };

export interface StoreSnapshot {
  version: number;
  tables: Record<string, Row[]>;
  changes: ChangeEntry[];
  associations: Record<string, string[]>;
  files: StoredFile[];
}

export class TableStore {
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly associations = new Map<string, Set<string>>();
  private readonly files = new Map<string, StoredFile>();
  private changes: ChangeEntry[] = [];
  private version = 1_000_000;
  private undo: (() => void)[] | undefined;
  private pending: Mutation[] = [];
  onMutation?: (m: Mutation) => void;

  /** Inside a transaction mutations are held back, so a rolled-back change set never reaches the journal. */
  private emit(m: Mutation): void {
    if (this.undo) this.pending.push(m);
    else this.onMutation?.(m);
  }

  private readonly indexes = new Map<string, { columns: string[]; byKey: Map<string, string> }[]>();

  /**
   * Keeps a unique lookup from the values of `columns` to row ids (alternate keys), so finding or checking a key
   * costs the same at 20 rows or 200,000. Strings are matched case-insensitively, as Dataverse does.
   */
  defineIndex(table: string, columns: string[]): void {
    const list = this.indexes.get(table) ?? [];
    if (list.some((i) => i.columns.join() === columns.join())) return;
    const index = { columns, byKey: new Map<string, string>() };
    for (const [id, row] of this.rows(table)) this.indexRow(index, id, row, true);
    list.push(index);
    this.indexes.set(table, list);
  }

  /** Id of the row whose `columns` hold `values`, or undefined (also when the index is not defined). */
  findByIndex(table: string, columns: string[], values: unknown[]): string | undefined {
    const index = this.indexes.get(table)?.find((i) => i.columns.join() === columns.join());
    const key = index ? indexKey(values) : undefined;
    return key === undefined ? undefined : index!.byKey.get(key);
  }

  private indexRow(index: { columns: string[]; byKey: Map<string, string> }, id: string, row: Row, add: boolean): void {
    const key = indexKey(index.columns.map((c) => row[c]));
    if (key === undefined) return;
    if (add) index.byKey.set(key, id);
    else if (index.byKey.get(key) === id) index.byKey.delete(key);
  }

  /** The one place rows change, so indexes follow every write, undo, restore and replay. */
  private setRow(table: string, id: string, row: Row | undefined): void {
    const map = this.rows(table);
    const previous = map.get(id);
    for (const index of this.indexes.get(table) ?? []) {
      if (previous) this.indexRow(index, id, previous, false);
      if (row) this.indexRow(index, id, row, true);
    }
    if (row) map.set(id, row);
    else map.delete(id);
  }

  currentVersion(): number {
    return this.version;
  }

  rows(table: string): Map<string, Row> {
    let map = this.tables.get(table);
    if (!map) {
      map = new Map();
      this.tables.set(table, map);
    }
    return map;
  }

  get(table: string, id: string): Row | undefined {
    return this.tables.get(table)?.get(id.toLowerCase());
  }

  /** Inserts or replaces a row; returns the stored row with its new versionnumber. */
  put(table: string, id: string, row: Row): Row {
    const key = id.toLowerCase();
    const map = this.rows(table);
    const previous = map.get(key);
    const version = ++this.version;
    const stored = { ...row, versionnumber: version };
    this.setRow(table, key, stored);
    this.changes.push({ version, table, id: key, op: 'upsert' });
    this.undo?.push(() => this.setRow(table, key, previous));
    this.emit({ op: 'put', table, id: key, row: stored, version });
    return stored;
  }

  delete(table: string, id: string): boolean {
    const key = id.toLowerCase();
    const map = this.rows(table);
    const previous = map.get(key);
    if (!previous) return false;
    this.setRow(table, key, undefined);
    const version = ++this.version;
    this.changes.push({ version, table, id: key, op: 'delete' });
    this.undo?.push(() => this.setRow(table, key, previous));
    this.emit({ op: 'delete', table, id: key, version });
    return true;
  }

  /** Change entries after `since` (exclusive), oldest first. */
  changesSince(since: number, table: string): ChangeEntry[] {
    return this.changes.filter((c) => c.version > since && c.table === table);
  }

  earliestChangeVersion(): number {
    return this.changes[0]?.version ?? this.version;
  }

  associated(relationship: string, id: string): string[] {
    const out: string[] = [];
    const prefix = `${id.toLowerCase()}|`;
    for (const pair of this.associations.get(relationship) ?? []) if (pair.startsWith(prefix)) out.push(pair.slice(prefix.length));
    return out;
  }

  isAssociated(relationship: string, a: string, b: string): boolean {
    return this.associations.get(relationship)?.has(`${a.toLowerCase()}|${b.toLowerCase()}`) ?? false;
  }

  /** N:N links are stored in both directions under the relationship (navigation) name of each side. */
  associate(relationship: string, a: string, b: string, added: boolean): void {
    let set = this.associations.get(relationship);
    if (!set) {
      set = new Set();
      this.associations.set(relationship, set);
    }
    const pair = `${a.toLowerCase()}|${b.toLowerCase()}`;
    if (added === set.has(pair)) return;
    const target = set;
    if (added) target.add(pair);
    else target.delete(pair);
    this.undo?.push(() => (added ? target.delete(pair) : target.add(pair)));
    this.emit({ op: added ? 'associate' : 'disassociate', relationship, pair });
  }

  putFile(file: StoredFile): void {
    const previous = this.files.get(file.id);
    this.files.set(file.id, file);
    this.undo?.push(() => (previous ? this.files.set(file.id, previous) : this.files.delete(file.id)));
    this.emit({ op: 'file', file });
  }

  getFile(id: string): StoredFile | undefined {
    return this.files.get(id.toLowerCase());
  }

  deleteFile(id: string): void {
    const previous = this.files.get(id);
    if (!previous) return;
    this.files.delete(id);
    this.undo?.push(() => this.files.set(id, previous));
    this.emit({ op: 'deleteFile', id });
  }

  /** Runs fn atomically: if it throws, every mutation it made is undone. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T {
    if (this.undo) return fn();
    const tx = this.beginTransaction();
    try {
      const result = fn();
      tx.commit();
      return result;
    } catch (e) {
      tx.rollback();
      throw e;
    }
  }

  /**
   * Opens a transaction that spans several calls (a $batch change set). The caller must not let other requests
   * run in between: the emulator's handlers do no I/O, so a change set completes within one turn of the event loop.
   */
  beginTransaction(): { commit(): void; rollback(): void } {
    if (this.undo) throw new Error('a transaction is already open');
    const undo: (() => void)[] = [];
    const versionBefore = this.version;
    const changesBefore = this.changes.length;
    this.undo = undo;
    this.pending = [];
    const close = () => {
      this.undo = undefined;
      const pending = this.pending;
      this.pending = [];
      return pending;
    };
    return {
      commit: () => {
        for (const m of close()) this.onMutation?.(m);
      },
      rollback: () => {
        close();
        for (let i = undo.length - 1; i >= 0; i--) undo[i]();
        this.changes.length = changesBefore;
        this.version = versionBefore;
      },
    };
  }

  snapshot(): StoreSnapshot {
    const tables: Record<string, Row[]> = {};
    for (const [name, rows] of this.tables) tables[name] = [...rows.values()];
    const associations: Record<string, string[]> = {};
    for (const [name, pairs] of this.associations) associations[name] = [...pairs];
    return { version: this.version, tables, changes: this.changes, associations, files: [...this.files.values()] };
  }

  restore(snapshot: StoreSnapshot, primaryIds: (table: string) => string | undefined): void {
    this.version = snapshot.version;
    this.changes = snapshot.changes ?? [];
    for (const [name, rows] of Object.entries(snapshot.tables)) {
      const key = primaryIds(name);
      if (!key) continue;
      for (const r of rows) this.setRow(name, String(r[key]).toLowerCase(), r);
    }
    for (const [name, pairs] of Object.entries(snapshot.associations ?? {})) this.associations.set(name, new Set(pairs));
    for (const f of snapshot.files ?? []) this.files.set(f.id, f);
  }

  /** Replays a journal entry written through onMutation (persistence recovery). */
  apply(m: Mutation): void {
    switch (m.op) {
      case 'put':
        this.setRow(m.table, m.id, m.row);
        this.version = Math.max(this.version, m.version);
        this.changes.push({ version: m.version, table: m.table, id: m.id, op: 'upsert' });
        break;
      case 'delete':
        this.setRow(m.table, m.id, undefined);
        this.version = Math.max(this.version, m.version);
        this.changes.push({ version: m.version, table: m.table, id: m.id, op: 'delete' });
        break;
      case 'associate':
      case 'disassociate': {
        const set = this.associations.get(m.relationship) ?? new Set<string>();
        this.associations.set(m.relationship, set);
        if (m.op === 'associate') set.add(m.pair);
        else set.delete(m.pair);
        break;
      }
      case 'file':
        this.files.set(m.file.id, m.file);
        break;
      case 'deleteFile':
        this.files.delete(m.id);
        break;
    }
  }
}

/** Index key of a set of values: undefined when any part is null (such rows have no key). */
function indexKey(values: unknown[]): string | undefined {
  if (values.some((v) => v === null || v === undefined)) return undefined;
  return JSON.stringify(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)));
}
