/**
 * Value semantics of the evaluator: type families, Dataverse string collation, and the typed comparison used by
 * eq/ne/gt/ge/lt/le, In/Between and $orderby. Dataverse compares in SQL Server with the organisation collation
 * (Latin1_General_CI_AI by default): case- and accent-insensitive, trailing spaces ignored.
 */
import { ODataEvaluationError } from './errors';
import { durationToMilliseconds } from './literals';

/** A value with its Edm type when known (from a literal or from ctx.typeOf). */
export interface Typed {
  value: unknown;
  type?: string;
}

export type Family = 'string' | 'number' | 'boolean' | 'guid' | 'datetime' | 'time' | 'duration' | 'binary' | 'enum' | 'geo' | 'collection' | 'entity';

const FAMILY_BY_TYPE: Record<string, Family> = {
  'Edm.String': 'string',
  'Edm.Boolean': 'boolean',
  'Edm.Guid': 'guid',
  'Edm.DateTimeOffset': 'datetime',
  'Edm.Date': 'datetime',
  'Edm.TimeOfDay': 'time',
  'Edm.Duration': 'duration',
  'Edm.Binary': 'binary',
  Enum: 'enum',
  Collection: 'collection',
  Entity: 'entity',
};

/** Family declared by an Edm type name, or undefined when the type is unknown. */
export function declaredFamily(type: string | undefined): Family | undefined {
  if (!type || type === 'null') return undefined;
  if (/^Edm\.(Int16|Int32|Int64|Byte|SByte|Decimal|Double|Single)$/.test(type)) return 'number';
  if (/^Edm\.(Geography|Geometry)/.test(type)) return 'geo';
  if (type.startsWith('Collection(')) return 'collection';
  return FAMILY_BY_TYPE[type];
}

export function inferredFamily(value: unknown): Family {
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Date) return 'datetime';
  if (Array.isArray(value)) return 'collection';
  if (value !== null && typeof value === 'object') return 'entity';
  return 'string';
}

export function familyOf(t: Typed): Family {
  return declaredFamily(t.type) ?? inferredFamily(t.value);
}

const collator = new Intl.Collator('en', { sensitivity: 'base' });

/** SQL Server pads the shorter operand with spaces, so trailing spaces never matter in comparisons. */
export function compareStrings(a: string, b: string): number {
  return collator.compare(a.replace(/ +$/, ''), b.replace(/ +$/, ''));
}

/** Case- and accent-folded form, for LIKE matching and grouping keys consistent with compareStrings. */
export function foldString(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function normalizeGuid(value: unknown): string {
  return String(value).replace(/^\{|\}$/g, '').toLowerCase();
}

/** Milliseconds since the epoch for Date objects, ISO DateTimeOffset strings and Edm.Date strings (UTC midnight). */
export function toTimestamp(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const text = String(value);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (Number.isNaN(ms)) throw new ODataEvaluationError(`The value '${text}' is not a valid date and time.`);
  return ms;
}

function timeOfDaySeconds(value: unknown): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(String(value));
  if (!m) throw new ODataEvaluationError(`The value '${String(value)}' is not a valid time of day.`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(n) && !(typeof value === 'number')) {
    throw new ODataEvaluationError(`The value '${String(value)}' is not a valid number.`);
  }
  return n;
}

const COMPATIBLE: [Family, Family][] = [
  ['enum', 'number'],
  ['enum', 'string'],
];

function compatible(a: Family, b: Family): boolean {
  return a === b || COMPATIBLE.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

const OPERATOR_KIND: Record<string, string> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual',
};

/**
 * Compares two non-null values. The family comes from the declared types (literal or ctx.typeOf); when only one
 * side declares a type the other side is converted to it, and with no declared type the JavaScript types decide.
 * Two declared, incompatible types fail as in ODL ("incompatible types ... for operator kind ...").
 */
export function compareTyped(a: Typed, b: Typed, operator = 'eq'): number {
  const da = declaredFamily(a.type);
  const db = declaredFamily(b.type);
  if (da && db && !compatible(da, db)) {
    throw new ODataEvaluationError(
      `A binary operator with incompatible types was detected. Found operand types '${a.type}' and '${b.type}' for operator kind '${OPERATOR_KIND[operator] ?? operator}'.`,
    );
  }
  let family = da && db ? (da === 'enum' ? db : da) : da ?? db ?? inferredFamily(a.value);
  if (!da && !db && inferredFamily(a.value) !== inferredFamily(b.value)) {
    family = inferredFamily(a.value) === 'number' || inferredFamily(b.value) === 'number' ? 'number' : 'string';
  }
  return compareAs(family, a.value, b.value);
}

export function compareAs(family: Family, a: unknown, b: unknown): number {
  switch (family) {
    case 'number':
    case 'boolean':
      return Math.sign(toNumber(a) - toNumber(b)) || 0;
    case 'guid':
      return compareStrings(normalizeGuid(a), normalizeGuid(b));
    case 'datetime':
      return Math.sign(toTimestamp(a) - toTimestamp(b));
    case 'time':
      return Math.sign(timeOfDaySeconds(a) - timeOfDaySeconds(b));
    case 'duration':
      return Math.sign((durationToMilliseconds(String(a)) ?? 0) - (durationToMilliseconds(String(b)) ?? 0));
    case 'enum':
      return typeof a === 'number' || typeof b === 'number' ? Math.sign(toNumber(a) - toNumber(b)) : compareStrings(String(a), String(b));
    case 'collection':
    case 'entity':
      return JSON.stringify(a) === JSON.stringify(b) ? 0 : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
    default:
      return compareStrings(String(a), String(b));
  }
}

/** Key under which values that compare equal group together ($apply groupby, countdistinct). */
export function groupingKey(t: Typed): string {
  const value = t.value;
  if (value === null || value === undefined) return 'null';
  switch (familyOf(t)) {
    case 'string':
    case 'enum':
      return `s:${foldString(String(value).replace(/ +$/, ''))}`;
    case 'guid':
      return `g:${normalizeGuid(value)}`;
    case 'datetime':
      return `d:${toTimestamp(value)}`;
    case 'number':
    case 'boolean':
      return `n:${Number(value)}`;
    default:
      return `j:${JSON.stringify(value)}`;
  }
}
