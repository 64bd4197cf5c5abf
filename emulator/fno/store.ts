/**
 * Rows of every F&O entity set, keyed by their composite keys (string parts compared case-insensitively, as F&O's
 * SQL collation does), with an opaque ETag per row and the checks F&O's data entities make on writes: known
 * fields, types and lengths, mandatory fields, unchanged keys, existing companies and existing related rows.
 */
import type { CsdlModel, EntityType } from '../../client/metadata/model';
import type { FnoChange, FnoCompanyScope, FnoEntitySetInfo, FnoKey, FnoRecord, FnoRow, FnoStore } from './context';
import { FnoError } from './context';
import { DELETE_EXCEPTION, ODATA_EXCEPTION, WRITE_EXCEPTION } from './errors';
import { coerceValue, completeRow, isEmptyValue } from './fields';

interface Stored {
  row: FnoRow;
  version: number;
}

export interface FnoStoreSnapshot {
  version: number;
  sets: Record<string, { row: FnoRow; version: number }[]>;
}

/** Key fields F&O fills from a number sequence when a create leaves them out. */
const NUMBER_SEQUENCES: Record<string, { field: string; format: (n: number, company: string) => string }> = {
  SalesOrderHeadersV2: { field: 'SalesOrderNumber', format: (n) => String(n).padStart(6, '0') },
  PurchaseOrderHeadersV2: { field: 'PurchaseOrderNumber', format: (n, c) => `${c.slice(0, 2).toUpperCase()}PO-${String(n).padStart(5, '0')}` },
  SalesOrderLines: { field: 'InventoryLotId', format: (n, c) => `${c.slice(0, 2).toUpperCase()}L${String(n).padStart(6, '0')}` },
};

/** RecVersion-like counter, so ETags look like F&O's (`'1,5637144576;'` base64-encoded). */
const FIRST_VERSION = 5637144576;

export interface FnoStoreOptions {
  model: CsdlModel;
  defaultCompany: () => string;
  resolveCompany: (company: string) => string;
}

export function etagOf(version: number): string {
  return `W/"${Buffer.from(`'1,${version};'`).toString('base64')}"`;
}

export class FnoEntityStore implements FnoStore {
  private readonly sets = new Map<string, Map<string, Stored>>();
  private readonly listeners = new Set<(change: FnoChange) => void>();
  private readonly sequences = new Map<string, number>();
  private version = FIRST_VERSION;
  readonly info = new Map<string, FnoEntitySetInfo>();

  constructor(private readonly options: FnoStoreOptions) {
    for (const set of options.model.entitySets.values()) {
      const type = this.typeOf(set.entityType);
      this.info.set(set.name, { name: set.name, entityType: set.entityType, key: type.keyProperties, companySpecific: type.allProperties.has('dataAreaId') });
      this.sets.set(set.name, new Map());
    }
  }

  private typeOf(qualified: string): EntityType {
    const type = this.options.model.entityTypes.get(qualified);
    if (!type) throw new Error(`the model has no entity type ${qualified}`);
    return type;
  }

  private setInfo(entitySet: string): FnoEntitySetInfo {
    const info = this.info.get(entitySet);
    if (!info) throw new FnoError(404, `No HTTP resource was found that matches the request URI: the entity set '${entitySet}' does not exist (names are case-sensitive).`);
    return info;
  }

  private keyString(info: FnoEntitySetInfo, key: FnoKey | FnoRow): string {
    return JSON.stringify(info.key.map((k) => (typeof key[k] === 'string' ? (key[k] as string).toLowerCase() : key[k])));
  }

  private record(stored: Stored): FnoRecord {
    return { row: { ...stored.row }, etag: etagOf(stored.version) };
  }

  private emit(change: FnoChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private companyOf(info: FnoEntitySetInfo, row: FnoRow): string | undefined {
    return info.companySpecific ? String(row.dataAreaId) : undefined;
  }

  list(entitySet: string, scope: FnoCompanyScope = {}): FnoRecord[] {
    const info = this.setInfo(entitySet);
    const rows = [...this.sets.get(entitySet)!.values()];
    const company = info.companySpecific && !scope.crossCompany ? this.options.resolveCompany(scope.company ?? this.options.defaultCompany()) : undefined;
    const chosen = company === undefined ? rows : rows.filter((s) => s.row.dataAreaId === company);
    return chosen.sort((a, b) => compareKeys(info, a.row, b.row)).map((s) => this.record(s));
  }

  get(entitySet: string, key: FnoKey): FnoRecord | undefined {
    const info = this.setInfo(entitySet);
    const stored = this.sets.get(entitySet)!.get(this.keyString(info, normaliseCompanyKey(info, key)));
    return stored && this.record(stored);
  }

  insert(entitySet: string, row: FnoRow, scope: { company?: string } = {}): FnoRecord {
    const info = this.setInfo(entitySet);
    const type = this.typeOf(info.entityType);
    const values = this.checkFields(type, row);
    if (info.companySpecific) {
      const given = typeof values.dataAreaId === 'string' && values.dataAreaId !== '' ? values.dataAreaId : scope.company ?? this.options.defaultCompany();
      values.dataAreaId = this.options.resolveCompany(given);
    }
    this.assignNumbers(entitySet, info, values);
    const complete = completeRow(this.options.model, type, values);
    this.checkMandatory(type, info, complete);
    const table = this.sets.get(entitySet)!;
    const keyString = this.keyString(info, complete);
    if (table.has(keyString)) {
      const keyText = info.key.map((k) => String(complete[k])).join(', ');
      throw new FnoError(
        400,
        `Write failed for table row of type '${type.name}'. Infolog: Error: Cannot create a record in ${entitySet}. ${keyText}. The record already exists.`,
        WRITE_EXCEPTION,
      );
    }
    this.checkRelations(type, complete);
    const stored = { row: complete, version: ++this.version };
    table.set(keyString, stored);
    this.emit({ op: 'insert', entitySet, company: this.companyOf(info, complete), key: pickKey(info, complete), row: { ...complete } });
    return this.record(stored);
  }

  update(entitySet: string, key: FnoKey, changes: FnoRow, options: { ifMatch?: string } = {}): FnoRecord {
    const info = this.setInfo(entitySet);
    const type = this.typeOf(info.entityType);
    const table = this.sets.get(entitySet)!;
    const keyString = this.keyString(info, normaliseCompanyKey(info, key));
    const stored = this.found(table, keyString, entitySet, key);
    this.checkEtag(stored, options.ifMatch);
    const values = this.checkFields(type, changes);
    for (const k of info.key) {
      if (k in values && String(values[k]).toLowerCase() !== String(stored.row[k]).toLowerCase()) {
        throw new FnoError(400, `The key field '${k}' of '${type.name}' cannot be changed; delete the record and create a new one.`, WRITE_EXCEPTION);
      }
      delete values[k];
    }
    const next = { ...stored.row, ...values };
    this.checkMandatory(type, info, next);
    this.checkRelations(type, next, Object.keys(values));
    const previous = stored.row;
    stored.row = next;
    stored.version = ++this.version;
    this.emit({ op: 'update', entitySet, company: this.companyOf(info, next), key: pickKey(info, next), row: { ...next }, previous: { ...previous } });
    return this.record(stored);
  }

  delete(entitySet: string, key: FnoKey, options: { ifMatch?: string } = {}): void {
    const info = this.setInfo(entitySet);
    const type = this.typeOf(info.entityType);
    const table = this.sets.get(entitySet)!;
    const keyString = this.keyString(info, normaliseCompanyKey(info, key));
    const stored = this.found(table, keyString, entitySet, key);
    this.checkEtag(stored, options.ifMatch);
    const dependant = this.dependantOf(type, stored.row);
    if (dependant) {
      throw new FnoError(
        400,
        `Delete failed for table row of type '${type.name}'. Infolog: Error: The record cannot be deleted while dependent records exist in ${dependant}.`,
        DELETE_EXCEPTION,
      );
    }
    table.delete(keyString);
    this.deleteChildren(type, stored.row);
    this.emit({ op: 'delete', entitySet, company: this.companyOf(info, stored.row), key: pickKey(info, stored.row), previous: { ...stored.row } });
  }

  onChange(listener: (change: FnoChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every row with its version, for persistence. */
  snapshot(): FnoStoreSnapshot {
    const sets: FnoStoreSnapshot['sets'] = {};
    for (const [name, table] of this.sets) if (table.size) sets[name] = [...table.values()].map((s) => ({ row: s.row, version: s.version }));
    return { version: this.version, sets };
  }

  /** Replaces the rows with a snapshot's (sets the model no longer has are skipped). */
  restore(snapshot: FnoStoreSnapshot): void {
    for (const table of this.sets.values()) table.clear();
    for (const [name, stored] of Object.entries(snapshot.sets)) {
      const info = this.info.get(name);
      if (!info) continue;
      const table = this.sets.get(name)!;
      for (const s of stored) table.set(this.keyString(info, s.row), { row: s.row, version: s.version });
    }
    this.version = Math.max(this.version, snapshot.version);
  }

  /** Puts rows as given (seed data), without relation checks, so the order of sets in a seed file does not matter. */
  load(entitySet: string, rows: FnoRow[]): void {
    const info = this.setInfo(entitySet);
    const type = this.typeOf(info.entityType);
    const table = this.sets.get(entitySet)!;
    for (const row of rows) {
      const complete = completeRow(this.options.model, type, this.checkFields(type, row));
      table.set(this.keyString(info, complete), { row: complete, version: ++this.version });
    }
  }

  private found(table: Map<string, Stored>, keyString: string, entitySet: string, key: FnoKey): Stored {
    const stored = table.get(keyString);
    if (!stored) {
      const keyText = Object.entries(key).map(([k, v]) => `${k}=${String(v)}`).join(', ');
      throw new FnoError(404, `No ${entitySet} record was found with ${keyText}.`);
    }
    return stored;
  }

  private checkEtag(stored: Stored, ifMatch: string | undefined): void {
    if (ifMatch === undefined || ifMatch.trim() === '*') return;
    const current = etagOf(stored.version);
    const offered = ifMatch.split(',').map((t) => t.trim());
    if (!offered.includes(current)) {
      throw new FnoError(
        412,
        'The record has been modified by another user since it was read (the ETag in If-Match is not current). Read it again and retry.',
        'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataUpdateConflictException',
      );
    }
  }

  private checkFields(type: EntityType, row: FnoRow): FnoRow {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new FnoError(400, `The request body for '${type.name}' must be a JSON object.`, ODATA_EXCEPTION);
    }
    const out: FnoRow = {};
    for (const [name, value] of Object.entries(row)) {
      if (name.startsWith('@odata.') || name.includes('@')) continue;
      const property = type.allProperties.get(name);
      if (!property) {
        if (type.allNavigation.has(name)) throw new FnoError(400, `Deep insert through '${name}' is not supported; create the related records separately.`, ODATA_EXCEPTION);
        throw new FnoError(
          400,
          `The property '${name}' does not exist on type '${type.qualifiedName}'. Make sure to only use property names that are defined by the type.`,
          ODATA_EXCEPTION,
        );
      }
      out[name] = coerceValue(this.options.model, type, property, value);
    }
    return out;
  }

  private checkMandatory(type: EntityType, info: FnoEntitySetInfo, row: FnoRow): void {
    for (const property of type.allProperties.values()) {
      if (property.nullable || !isEmptyValue(row[property.name])) continue;
      if (this.options.model.enumTypes.has(property.type) || property.type !== 'Edm.String') continue;
      const what = info.key.includes(property.name) ? 'key field' : 'field';
      throw new FnoError(400, `Write failed for table row of type '${type.name}'. Infolog: Error: The ${what} '${property.name}' must be filled in.`, WRITE_EXCEPTION);
    }
  }

  private assignNumbers(entitySet: string, info: FnoEntitySetInfo, values: FnoRow): void {
    const sequence = NUMBER_SEQUENCES[entitySet];
    const company = String(values.dataAreaId ?? '');
    if (sequence && isEmptyValue(values[sequence.field])) {
      const table = this.sets.get(entitySet)!;
      let n = this.sequences.get(`${entitySet}/${company}`) ?? 1000;
      let candidate: string;
      do candidate = sequence.format(++n, company);
      while (table.has(this.keyString(info, { ...values, [sequence.field]: candidate })));
      this.sequences.set(`${entitySet}/${company}`, n);
      values[sequence.field] = candidate;
    }
    // Order lines numbered after the last line of their order.
    if (entitySet === 'PurchaseOrderLinesV2' && isEmptyValue(values.LineNumber)) {
      const lines = [...this.sets.get(entitySet)!.values()].filter((s) => s.row.dataAreaId === company && String(s.row.PurchaseOrderNumber).toLowerCase() === String(values.PurchaseOrderNumber).toLowerCase());
      values.LineNumber = Math.max(0, ...lines.map((s) => Number(s.row.LineNumber))) + 1;
    }
  }

  /** Single-valued navigation properties are foreign keys: a filled-in value must name an existing row. */
  private checkRelations(type: EntityType, row: FnoRow, changed?: string[]): void {
    for (const nav of type.allNavigation.values()) {
      if (nav.collection || nav.constraints.length === 0) continue;
      const own = nav.constraints.filter((c) => c.property !== 'dataAreaId');
      if (changed && !own.some((c) => changed.includes(c.property))) continue;
      if (own.some((c) => isEmptyValue(row[c.property]))) continue;
      const set = this.options.model.entitySetByType.get(nav.type);
      if (!set) continue;
      const key: FnoKey = {};
      for (const c of nav.constraints) key[c.referencedProperty] = row[c.property] as string;
      if (!this.get(set.name, key)) {
        const c = own[0];
        throw new FnoError(
          400,
          `Write failed for table row of type '${type.name}'. Infolog: Error: The value '${String(row[c.property])}' in field '${c.property}' is not found in the relating table '${set.name}'.`,
          WRITE_EXCEPTION,
        );
      }
    }
  }

  /** Order lines go with their header, as F&O's header entities delete their lines. */
  private deleteChildren(type: EntityType, row: FnoRow): void {
    for (const nav of type.allNavigation.values()) {
      if (!nav.collection || !nav.partner) continue;
      const set = this.options.model.entitySetByType.get(nav.type);
      const back = this.options.model.entityTypes.get(nav.type)?.allNavigation.get(nav.partner);
      if (!set || !back) continue;
      const info = this.setInfo(set.name);
      for (const child of [...this.sets.get(set.name)!.values()]) {
        if (!back.constraints.every((c) => String(child.row[c.property]).toLowerCase() === String(row[c.referencedProperty]).toLowerCase())) continue;
        this.sets.get(set.name)!.delete(this.keyString(info, child.row));
        this.emit({ op: 'delete', entitySet: set.name, company: this.companyOf(info, child.row), key: pickKey(info, child.row), previous: { ...child.row } });
      }
    }
  }

  /** Rows of other sets whose foreign key points at this row (F&O's delete actions restrict). */
  private dependantOf(type: EntityType, row: FnoRow): string | undefined {
    for (const other of this.options.model.entityTypes.values()) {
      for (const nav of other.allNavigation.values()) {
        if (nav.collection || nav.type !== type.qualifiedName || nav.constraints.length === 0) continue;
        if (nav.partner && type.allNavigation.get(nav.partner)?.collection) continue;
        const set = this.options.model.entitySetByType.get(other.qualifiedName);
        if (!set) continue;
        const hit = [...this.sets.get(set.name)!.values()].some((s) =>
          nav.constraints.every((c) => String(s.row[c.property]).toLowerCase() === String(row[c.referencedProperty]).toLowerCase()),
        );
        if (hit) return set.name;
      }
    }
    return undefined;
  }
}

function normaliseCompanyKey(info: FnoEntitySetInfo, key: FnoKey): FnoKey {
  for (const k of info.key) {
    if (!(k in key)) throw new FnoError(400, `The key of '${info.name}' needs every key field (${info.key.join(', ')}); '${k}' is missing.`, ODATA_EXCEPTION);
  }
  return key;
}

function pickKey(info: FnoEntitySetInfo, row: FnoRow): FnoKey {
  const key: FnoKey = {};
  for (const k of info.key) key[k] = row[k] as string;
  return key;
}

function compareKeys(info: FnoEntitySetInfo, a: FnoRow, b: FnoRow): number {
  for (const k of info.key) {
    const x = a[k];
    const y = b[k];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).toLowerCase().localeCompare(String(y).toLowerCase());
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}
