/**
 * Typed comparison of column values. Strings compare case-insensitively (Dataverse's SQL collation is
 * case-insensitive), GUIDs ignore case and braces, dates compare as instants.
 */
import { FetchXmlError } from './errors';

export type Row = Record<string, unknown>;
export type ValueKind = 'string' | 'number' | 'boolean' | 'guid' | 'datetime';
export type Comparable = string | number | boolean;

export interface ColumnKind {
  kind: ValueKind;
  /** True when the type came from metadata; inferred kinds fall back to text for odd literals. */
  declared: boolean;
}

const EDM_KINDS: Record<string, ValueKind> = {
  'Edm.String': 'string',
  'Edm.Int16': 'number',
  'Edm.Int32': 'number',
  'Edm.Int64': 'number',
  'Edm.Byte': 'number',
  'Edm.SByte': 'number',
  'Edm.Decimal': 'number',
  'Edm.Double': 'number',
  'Edm.Single': 'number',
  'Edm.Boolean': 'boolean',
  'Edm.Guid': 'guid',
  'Edm.DateTimeOffset': 'datetime',
  'Edm.Date': 'datetime',
  'Edm.DateTime': 'datetime',
};

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T|$)/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function kindOfEdmType(edmType: string | undefined): ValueKind | undefined {
  return edmType === undefined ? undefined : (EDM_KINDS[edmType] ?? 'string');
}

export function inferKind(sample: unknown): ValueKind {
  if (typeof sample === 'number' || typeof sample === 'bigint') return 'number';
  if (typeof sample === 'boolean') return 'boolean';
  if (sample instanceof Date) return 'datetime';
  if (typeof sample === 'string' && GUID.test(sample)) return 'guid';
  if (typeof sample === 'string' && ISO_DATE.test(sample)) return 'datetime';
  return 'string';
}

/** A column's value: the logical name, else the Web API lookup form `_name_value`. Own properties only. */
export function readColumn(row: Row | undefined, name: string): { key: string; value: unknown } | undefined {
  if (!row) return undefined;
  const has = (key: string) => Object.prototype.hasOwnProperty.call(row, key) && row[key] !== null && row[key] !== undefined;
  if (has(name)) return { key: name, value: row[name] };
  const lookup = `_${name}_value`;
  return has(lookup) ? { key: lookup, value: row[lookup] } : undefined;
}

/** Brings a stored value to its comparable form; null when absent or not readable as `kind`. */
export function normalize(value: unknown, kind: ValueKind): Comparable | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : null;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true' || value === 'True') return true;
      if (value === 0 || value === '0' || value === 'false' || value === 'False') return false;
      return null;
    case 'guid': {
      const match = GUID.exec(String(value).trim());
      return match ? match[1].toLowerCase() : String(value).toLowerCase();
    }
    case 'datetime': {
      const time = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
      return Number.isFinite(time) ? time : null;
    }
    default:
      return typeof value === 'object' ? JSON.stringify(value).toLowerCase() : String(value).toLowerCase();
  }
}

/** Parses a condition literal; declared columns refuse literals of the wrong type like Dataverse does. */
export function parseLiteral(text: string, column: ColumnKind, where: string): Comparable {
  const trimmed = text.trim();
  const fail = (what: string): never => {
    throw new FetchXmlError(`Condition for attribute '${where}': '${text}' is not a valid ${what}.`);
  };
  let value: Comparable | null;
  switch (column.kind) {
    case 'number':
      value = NUMBER.test(trimmed) ? Number(trimmed) : null;
      break;
    case 'boolean':
      value = normalize(trimmed.toLowerCase(), 'boolean');
      break;
    case 'guid':
      value = GUID.test(trimmed) ? (normalize(trimmed, 'guid') as string) : null;
      break;
    case 'datetime':
      value = normalize(trimmed, 'datetime');
      break;
    default:
      return text.toLowerCase();
  }
  if (value !== null) return value;
  if (!column.declared) return text.toLowerCase();
  return fail({ number: 'number', boolean: 'boolean (0/1/true/false)', guid: 'GUID', datetime: 'date/time' }[column.kind]);
}

export function compareValues(a: Comparable, b: Comparable): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SQL Server order: nulls first when ascending. */
export function compareNullable(a: Comparable | null, b: Comparable | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compareValues(a, b);
}
