/**
 * Row writes with Dataverse semantics: defaults and system columns on create, required columns, alternate-key
 * uniqueness, `@odata.bind` lookups (polymorphic too), collection binds and deep insert, and delete cascades.
 * Everything a single request does runs in one store transaction, so a failure leaves no partial row behind.
 */
import { randomUUID } from 'node:crypto';
import { LOOKUP_TABLES, Row } from '../store/table-store';
import type { EntityType } from '../../client/metadata/model';
import type { DataverseService } from './context';
import { DataverseError, duplicateKey, rowNotFound } from './errors';
import { associate } from './relationships';
import { resolveEntityUrl } from './rows';
import type { Table } from './schema';
import { ParsedBody, validateBody } from './validate-body';

export interface WriteCaller {
  service: DataverseService;
  userId: string;
  aliases: URLSearchParams;
  /** Content-ID references inside a change set (`$1` → entity URL). */
  resolveReference?: (url: string) => string;
}

export function createRow(caller: WriteCaller, table: Table, body: Record<string, unknown>, presetKey: Record<string, unknown> = {}): Row {
  const parsed = validateBody(table, body);
  const { service } = caller;
  const now = service.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const id = String(parsed.values[table.primaryId] ?? presetKey[table.primaryId] ?? randomUUID()).toLowerCase();
  if (service.store.get(table.logicalName, id)) throw duplicateKey();
  const row: Row = {};
  for (const name of table.columns.keys()) row[name] = null;
  Object.assign(row, presetKey, parsed.values);
  row[table.primaryId] = id;
  if (table.keyAlias) row[table.keyAlias] = id;
  setSystemColumns(table, row, caller.userId, now, true);
  // The owning business unit is the caller's (the organisation's root unit in the emulator).
  if (table.columns.has('_owningbusinessunit_value') && row._owningbusinessunit_value === null) {
    row._owningbusinessunit_value = service.businessUnitId;
    row[LOOKUP_TABLES] = { ...((row[LOOKUP_TABLES] as object) ?? {}), _owningbusinessunit_value: 'businessunit' };
  }
  applyBinds(caller, table, row, parsed);
  checkRequired(table, row);
  checkAlternateKeys(service, table, row, id);
  computeColumns(table, row);
  service.webhooks?.validate(table, row);
  const stored = service.store.put(table.logicalName, id, row);
  const change = { message: 'Create' as const, table: table.logicalName, id, post: stored, changed: changedColumns(table, parsed), userId: caller.userId, depth: 1 };
  service.webhooks?.record(change);
  applyCollectionBinds(caller, table, id, parsed);
  createNested(caller, table, id, parsed);
  change.post = service.store.get(table.logicalName, id) ?? stored;
  return stored;
}

/** The columns a request set, for webhook filtering attributes: plain values and `@odata.bind` lookups. */
function changedColumns(table: Table, parsed: ParsedBody): string[] {
  return [...Object.keys(parsed.values), ...[...parsed.binds.keys()].map((nav) => table.lookups.get(nav)?.column ?? nav)];
}

export function updateRow(caller: WriteCaller, table: Table, existing: Row, body: Record<string, unknown>): Row {
  const parsed = validateBody(table, body);
  const { service } = caller;
  const id = String(existing[table.primaryId]);
  // Key columns in the body are ignored on update: a key cannot change through itself.
  delete parsed.values[table.primaryId];
  const row: Row = { ...existing, ...parsed.values };
  row[LOOKUP_TABLES] = { ...((existing[LOOKUP_TABLES] as object) ?? {}) };
  setSystemColumns(table, row, caller.userId, service.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), false);
  applyBinds(caller, table, row, parsed);
  for (const name of table.columns.keys()) {
    if (table.columns.get(name)!.required && name in parsed.values && (row[name] === null || row[name] === '')) checkRequired(table, row);
  }
  checkAlternateKeys(service, table, row, id);
  computeColumns(table, row);
  service.webhooks?.validate(table, row);
  const stored = service.store.put(table.logicalName, id, row);
  const change = { message: 'Update' as const, table: table.logicalName, id, pre: existing, post: stored, changed: changedColumns(table, parsed), userId: caller.userId, depth: 1 };
  service.webhooks?.record(change);
  applyCollectionBinds(caller, table, id, parsed);
  createNested(caller, table, id, parsed);
  change.post = service.store.get(table.logicalName, id) ?? stored;
  return stored;
}

function setSystemColumns(table: Table, row: Row, userId: string, now: string, creating: boolean) {
  const set = (name: string, value: unknown) => {
    if (table.columns.has(name)) row[name] = value;
  };
  const setLookup = (column: string, target: string, id: string) => {
    if (!table.columns.has(column)) return;
    row[column] = id;
    row[LOOKUP_TABLES] = { ...((row[LOOKUP_TABLES] as object) ?? {}), [column]: target };
  };
  if (creating) {
    set('createdon', now);
    setLookup('_createdby_value', 'systemuser', userId);
    if (row._ownerid_value === null || row._ownerid_value === undefined) setLookup('_ownerid_value', 'systemuser', userId);
    setLookup('_owninguser_value', 'systemuser', String(row._ownerid_value ?? userId));
    if (table.columns.has('statecode') && row.statecode === null) set('statecode', 0);
    if (table.columns.has('statuscode') && row.statuscode === null) {
      const first = table.columns.get('statuscode')!.choices?.keys().next().value;
      set('statuscode', first ?? 1);
    }
  }
  set('modifiedon', now);
  setLookup('_modifiedby_value', 'systemuser', userId);
}

/** The table is the lookup's target or derives from it (owner lookups target `principal`: users and teams). */
function isOfType(service: DataverseService, table: Table, targetTable: string): boolean {
  for (let type: EntityType | undefined = table.type; type; type = type.baseType ? service.schema.model.entityTypes.get(type.baseType) : undefined) {
    if (type.name === targetTable) return true;
  }
  return false;
}

function applyBinds(caller: WriteCaller, table: Table, row: Row, parsed: ParsedBody) {
  for (const [nav, url] of parsed.binds) {
    const lookup = table.lookups.get(nav)!;
    const tables = { ...((row[LOOKUP_TABLES] as Record<string, string>) ?? {}) };
    if (url === null) {
      row[lookup.column] = null;
      delete tables[lookup.column];
    } else {
      const target = resolveEntityUrl(caller.service, caller.resolveReference?.(url) ?? url, caller.aliases);
      if (!isOfType(caller.service, target.table, lookup.targetTable)) {
        throw new DataverseError(
          400,
          '0x80048d19',
          `The navigation property '${nav}' expects an entity of type '${lookup.targetTable}', but '${target.table.logicalName}' was bound.`,
        );
      }
      if (!target.row) throw rowNotFound(target.table.logicalName, target.id || target.keyText);
      row[lookup.column] = target.id;
      tables[lookup.column] = target.table.logicalName;
    }
    row[LOOKUP_TABLES] = tables;
  }
}

function applyCollectionBinds(caller: WriteCaller, table: Table, id: string, parsed: ParsedBody) {
  for (const [nav, urls] of parsed.collectionBinds) {
    for (const url of urls) associate(caller, table, id, nav, caller.resolveReference?.(url) ?? url, true);
  }
}

function createNested(caller: WriteCaller, table: Table, id: string, parsed: ParsedBody) {
  for (const [nav, payload] of parsed.nested) {
    const single = table.lookups.get(nav);
    if (single) {
      const target = caller.service.schema.table(single.targetTable)!;
      const child = createRow(caller, target, payload as Record<string, unknown>);
      const row = { ...caller.service.store.get(table.logicalName, id)! };
      row[single.column] = child[target.primaryId];
      row[LOOKUP_TABLES] = { ...((row[LOOKUP_TABLES] as object) ?? {}), [single.column]: target.logicalName };
      caller.service.store.put(table.logicalName, id, row);
      continue;
    }
    const collection = table.collections.get(nav)!;
    const target = caller.service.schema.tableOfType(collection.type);
    if (!target) continue;
    const partner = collection.partner ? target.lookups.get(collection.partner) : undefined;
    for (const item of Array.isArray(payload) ? payload : [payload]) {
      const child = createRow(caller, target, item);
      if (partner) {
        const row = { ...child, [partner.column]: id };
        row[LOOKUP_TABLES] = { ...((child[LOOKUP_TABLES] as object) ?? {}), [partner.column]: table.logicalName };
        caller.service.store.put(target.logicalName, String(child[target.primaryId]), row);
      } else {
        associate(caller, table, id, nav, `${target.setName}(${child[target.primaryId]})`, true);
      }
    }
  }
}

function checkRequired(table: Table, row: Row) {
  for (const column of table.columns.values()) {
    if (column.required && (row[column.name] === null || row[column.name] === undefined || row[column.name] === '')) {
      throw new DataverseError(
        400,
        '0x80040203',
        `A validation error occurred.  The '${column.name}' attribute of the '${table.logicalName}' entity is required and was not provided or is empty.`,
      );
    }
  }
}

function checkAlternateKeys(service: DataverseService, table: Table, row: Row, id: string) {
  for (const key of table.alternateKeys) {
    const owner = service.store.findByIndex(table.logicalName, key, key.map((k) => row[k]));
    if (owner !== undefined && owner !== id) throw duplicateKey();
  }
}

/** Columns Dataverse computes on write; enough for the sample tables (names, full names). */
function computeColumns(table: Table, row: Row) {
  if (table.columns.has('fullname') && table.columns.has('lastname')) {
    row.fullname = [row.firstname, row.lastname].filter((v) => typeof v === 'string' && v !== '').join(' ') || null;
  }
}

/** Deletes a row and cascades like the standard relationships: parental children go too, other links are cleared. */
export function deleteRow(caller: WriteCaller, table: Table, id: string, depth = 1): void {
  const { service } = caller;
  service.webhooks?.beforeDelete(table, id);
  const previous = service.store.get(table.logicalName, id);
  if (!previous || !service.store.delete(table.logicalName, id)) throw rowNotFound(table.logicalName, id);
  // Cascaded deletes run as their own Delete messages (deeper), as the platform's cascade does.
  service.webhooks?.record({ message: 'Delete', table: table.logicalName, id: id.toLowerCase(), pre: previous, changed: [], userId: caller.userId, depth });
  for (const other of service.schema.tables.values()) {
    const referencing = [...other.lookups.values()].filter((l) => l.targetTable === table.logicalName);
    if (referencing.length === 0) continue;
    const columns = new Set(referencing.map((l) => l.column));
    for (const row of [...service.store.rows(other.logicalName).values()]) {
      for (const column of columns) {
        if (row[column] !== id) continue;
        const targetTable = (row[LOOKUP_TABLES] as Record<string, string> | undefined)?.[column];
        if (targetTable && targetTable !== table.logicalName) continue;
        if (isParental(column)) {
          if (service.store.get(other.logicalName, String(row[other.primaryId]))) deleteRow(caller, other, String(row[other.primaryId]), depth + 1);
        } else if (!/^_(createdby|modifiedby|owninguser|ownerid|createdonbehalfby|modifiedonbehalfby)_value$/.test(column)) {
          service.store.put(other.logicalName, String(row[other.primaryId]), { ...row, [column]: null });
        }
        break;
      }
    }
  }
}

/** Relationship columns whose standard cascade on delete is "Cascade" (child rows are deleted). */
function isParental(column: string): boolean {
  return /^_(regardingobjectid|parentcustomerid|customerid|objectid|sample_accountid)_value$/.test(column);
}
