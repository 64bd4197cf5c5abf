/**
 * Table and column metadata the node needs, from the client's cached EntityDefinitions: which table an entity set
 * is, which columns can be written (and as what), and how a value typed in n8n becomes a Dataverse value.
 */
import { bindLookupReference, lookupColumnFrom, type LookupColumn } from '../../../client/dataverse/lookup-bind';
import type { ColumnInfo, TableInfo } from '../../../client/metadata/entity-definitions';
import type { Connection } from '../transport/connection';
import { InputError } from './errors';

export async function resolveTable(conn: Connection, name: string): Promise<TableInfo> {
  const wanted = name.trim().toLowerCase();
  if (!wanted) throw new InputError('No table was given (the Table parameter or its expression is empty).', 'EmptyTable');
  const tables = await conn.metadata.listTables();
  const table = tables.find((t) => t.entitySetName.toLowerCase() === wanted || t.logicalName.toLowerCase() === wanted);
  if (!table) throw new InputError(`The table '${name}' does not exist in this environment. Pick it from the list or give its entity set name (e.g. accounts).`, 'TableNotFound');
  return table;
}

export type WriteMode = 'create' | 'update';

export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'dateTime' | 'choice' | 'choices' | 'guid' | 'bind' | 'lookup';

/** One writable field of the resource mapper. */
export interface WritableField {
  /**
   * Key in the mapped values: the column (a lookup too, whose value names the row), or `<navigation>@odata.bind`
   * for one target of a lookup, kept for workflows and input items written that way.
   */
  id: string;
  column: string;
  displayName: string;
  kind: ValueKind;
  required: boolean;
  /** Lookups: the entity set the GUID refers to. */
  targetSet?: string;
  targetTable?: string;
  options?: Array<{ name: string; value: number }>;
  /** Lookup columns: their targets and navigation properties, and the Web API root absolute row URLs must be under. */
  lookup?: LookupColumn;
  serviceRoot?: string;
}

const LOOKUP_TYPES = new Set(['Lookup', 'Customer', 'Owner']);
const KIND_BY_TYPE: Record<string, ValueKind> = {
  String: 'string',
  Memo: 'string',
  EntityName: 'string',
  Integer: 'integer',
  BigInt: 'integer',
  Decimal: 'number',
  Double: 'number',
  Money: 'number',
  Boolean: 'boolean',
  DateTime: 'dateTime',
  Picklist: 'choice',
  State: 'choice',
  Status: 'choice',
  Uniqueidentifier: 'guid',
};

function kindOf(column: ColumnInfo): ValueKind | undefined {
  if (column.attributeTypeName === 'MultiSelectPicklistType') return 'choices';
  return KIND_BY_TYPE[column.attributeType];
}

function isRequired(column: ColumnInfo): boolean {
  return column.requiredLevel === 'SystemRequired' || column.requiredLevel === 'ApplicationRequired';
}

const fieldsByConnection = new WeakMap<Connection, Map<string, Promise<WritableField[]>>>();

/**
 * Columns that can be written in this mode, lookups expanded to one `@odata.bind` field per target table. Worked out
 * once per connection (one execution) and table: every input item asks, and the answer does not change meanwhile.
 * The array is shared; copy it before sorting.
 */
export function writableFields(conn: Connection, table: TableInfo, mode: WriteMode, withOptions = false): Promise<WritableField[]> {
  let cache = fieldsByConnection.get(conn);
  if (!cache) fieldsByConnection.set(conn, (cache = new Map()));
  const key = `${table.logicalName}:${mode}:${withOptions}`;
  let fields = cache.get(key);
  if (!fields) {
    fields = readWritableFields(conn, table, mode, withOptions);
    cache.set(key, fields);
    fields.catch(() => cache.delete(key));
  }
  return fields;
}

async function readWritableFields(conn: Connection, table: TableInfo, mode: WriteMode, withOptions: boolean): Promise<WritableField[]> {
  const columns = await conn.metadata.getColumns(table.logicalName);
  const fields: WritableField[] = [];
  let relationships: Awaited<ReturnType<Connection['metadata']['getRelationships']>> | undefined;
  let tables: TableInfo[] | undefined;
  for (const column of columns) {
    const writable = mode === 'create' ? column.isValidForCreate : column.isValidForUpdate;
    if (!writable || column.logicalName === table.primaryIdAttribute) continue;
    const displayName = column.displayName ?? column.logicalName;
    const required = mode === 'create' && isRequired(column);
    if (LOOKUP_TYPES.has(column.attributeType)) {
      relationships ??= await conn.metadata.getRelationships(table.logicalName);
      tables ??= await conn.metadata.listTables();
      const lookup = lookupColumnFrom(table.logicalName, column, relationships, tables);
      if (!lookup.targets.length) continue;
      // Owner is SystemRequired, yet Dataverse makes the caller the owner when it is left out.
      const lookupRequired = required && column.attributeType !== 'Owner';
      fields.push({ id: column.logicalName, column: column.logicalName, displayName, kind: 'lookup', required: lookupRequired, lookup, serviceRoot: conn.dv.context.serviceRoot });
      for (const target of lookup.targets) {
        // Several targets may share one navigation property (owner lookups); the first one names it.
        if (fields.some((f) => f.id === `${target.navigationProperty}@odata.bind`)) continue;
        fields.push({
          id: `${target.navigationProperty}@odata.bind`,
          column: column.logicalName,
          displayName: `${displayName} (${target.displayName ?? target.table})`,
          kind: 'bind',
          required: false,
          targetSet: target.entitySetName,
          targetTable: target.table,
        });
      }
      continue;
    }
    const kind = kindOf(column);
    if (!kind) continue; // Virtual, image, file, partylist…: not writable as a plain value.
    const field: WritableField = { id: column.logicalName, column: column.logicalName, displayName, kind, required };
    if (withOptions && (kind === 'choice' || kind === 'choices')) {
      const options = await conn.metadata.getOptionSet(table.logicalName, column.logicalName);
      field.options = options.map((o) => ({ name: o.label ?? String(o.value), value: o.value }));
    }
    fields.push(field);
  }
  return fields;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

function typeError(field: WritableField, expected: string, value: unknown): InputError {
  return new InputError(`The column '${field.id}' expects ${expected}, but got ${JSON.stringify(value)}.`, 'InvalidColumnValue');
}

/** Converts one mapped value to what the Web API expects for the column; null clears the column. */
export function coerceValue(field: WritableField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value === '' && field.kind !== 'string') {
    throw new InputError(
      `The column '${field.id}' got an empty value (did an expression resolve to nothing?). Remove the column, or give null to clear it.`,
      'EmptyValue',
    );
  }
  switch (field.kind) {
    case 'string':
      if (typeof value === 'object') throw typeError(field, 'text', value);
      return String(value);
    case 'integer':
    case 'choice': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw typeError(field, field.kind === 'choice' ? 'a choice value (whole number)' : 'a whole number', value);
      return n;
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError(field, 'a number', value);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw typeError(field, 'true or false', value);
    case 'dateTime': {
      const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw typeError(field, 'a date and time (ISO 8601)', value);
      return date.toISOString();
    }
    case 'choices': {
      const list = Array.isArray(value) ? value : String(value).split(',').map((s) => s.trim()).filter(Boolean);
      const numbers = list.map((v) => Number(v));
      if (numbers.some((n) => !Number.isInteger(n))) throw typeError(field, 'choice values (whole numbers, comma separated)', value);
      return numbers.join(',');
    }
    case 'guid':
      if (typeof value !== 'string' || !isGuid(value.trim())) throw typeError(field, 'a GUID', value);
      return value.trim();
    case 'lookup':
      throw new Error(`Internal error: the lookup '${field.id}' is written by buildBody.`);
    case 'bind': {
      if (typeof value !== 'string') throw typeError(field, `the GUID of a ${field.targetTable} row`, value);
      const v = value.trim();
      if (v.startsWith('/') || /^https?:/i.test(v)) return v;
      if (!isGuid(v)) throw typeError(field, `the GUID of a ${field.targetTable} row`, value);
      return `/${field.targetSet}(${v})`;
    }
  }
}

const indexes = new WeakMap<WritableField[], Map<string, WritableField>>();

function fieldIndex(fields: WritableField[]): Map<string, WritableField> {
  let index = indexes.get(fields);
  if (!index) indexes.set(fields, (index = new Map(fields.map((f) => [f.id.toLowerCase(), f]))));
  return index;
}

/** The request body from mapped values: unknown columns and wrongly typed values are errors naming the column. */
export function buildBody(table: TableInfo, fields: WritableField[], values: Record<string, unknown>, mode: WriteMode = 'create'): Record<string, unknown> {
  const byId = fieldIndex(fields);
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = byId.get(key.toLowerCase());
    if (!field) {
      throw new InputError(
        `The column '${key}' does not exist on table '${table.logicalName}' or cannot be written. Use the column's logical name.`,
        'UnknownColumn',
      );
    }
    if (field.kind === 'lookup') {
      const member = lookupMember(field, value, mode);
      if (member) body[member[0]] = member[1];
    } else body[field.id] = coerceValue(field, value);
  }
  return body;
}

/**
 * The `@odata.bind` member for a lookup column's value. Empty leaves the column out; null clears it on update
 * (through any of its navigation properties, they all clear the one column) and leaves it out on create.
 */
function lookupMember(field: WritableField, value: unknown, mode: WriteMode): [string, string | null] | undefined {
  const lookup = field.lookup!;
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (value === null) return mode === 'update' ? [`${lookup.targets[0].navigationProperty}@odata.bind`, null] : undefined;
  const allowed = lookup.targets.map((t) => t.table).join(', ');
  if (typeof value !== 'string') {
    throw new InputError(`The lookup column '${field.id}' expects a row reference such as ${lookup.targets[0].table}:<id> (allowed tables: ${allowed}), but got ${JSON.stringify(value)}.`, 'InvalidColumnValue');
  }
  const member = attempt(() => bindLookupReference(lookup, value, field.serviceRoot));
  if (member instanceof Error) throw new InputError(member.message, 'InvalidLookupValue');
  return member;
}

/** The client's argument errors become input errors of the node (shown as the user's mistake, not the service's). */
function attempt<T>(run: () => T): T | Error {
  try {
    return run();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
