/**
 * OData URL literals (odata.md §1.2), before percent-encoding: `'O''Bryan'`, unquoted GUIDs and numbers,
 * `duration'P1D'`, `Namespace.Type'Member'`, `binary'…'`, and the key predicates of entity paths.
 * The text returned here is still to be percent-encoded as a whole (see url-encoding.ts).
 */
import { canonicalValue, type CanonicalValue } from './edm-values';
import {
  checkEdmType,
  inferEdmType,
  isTypedValue,
  looksLikeGuid,
  type ColumnTypeLookup,
  type EdmType,
  type TypedValue,
} from './edm-types';
import { assertIdentifier } from './identifiers';

/** Resolves the type of a value: explicit typed() value, then the column's metadata type, then inference. */
export function resolveValue(value: unknown, column?: string, columnType?: ColumnTypeLookup): CanonicalValue {
  if (isTypedValue(value)) return canonicalValue(value.value, value.type, column);
  const declared = column !== undefined ? columnType?.(column) : undefined;
  if (declared !== undefined) return canonicalValue(value, checkEdmType(declared), column);
  const inferred = inferEdmType(value, column);
  return inferred === 'null' ? { type: 'null', text: 'null' } : canonicalValue(value, inferred, column);
}

/** A single-quoted OData string: an embedded quote is doubled, nothing else is escaped at this level. */
export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Writes a checked value as a URL literal of its type. */
export function literalOf(value: CanonicalValue): string {
  switch (value.type) {
    case 'Edm.String':
      return quoteString(value.text);
    case 'Edm.Duration':
      return `duration'${value.text}'`;
    case 'Edm.Binary':
      return `binary'${value.text}'`;
    case 'null':
    case 'Edm.Guid':
    case 'Edm.Boolean':
    case 'Edm.Byte':
    case 'Edm.SByte':
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Decimal':
    case 'Edm.Double':
    case 'Edm.Single':
    case 'Edm.DateTimeOffset':
    case 'Edm.Date':
    case 'Edm.TimeOfDay':
      return value.text;
    default:
      // Enum types are the only non-Edm types that get this far (checked by checkEdmType).
      return `${value.type}'${value.text}'`;
  }
}

/**
 * Serializes a JavaScript value as an OData URL literal. Without `type` the type comes from a typed() value or is
 * inferred (string → Edm.String, integer → Int64, other number → Decimal, Date → DateTimeOffset, Uint8Array →
 * Binary, boolean, null).
 */
export function formatLiteral(value: unknown, type?: EdmType, column?: string): string {
  if (type !== undefined && !isTypedValue(value)) return literalOf(canonicalValue(value, checkEdmType(type), column));
  return literalOf(resolveValue(value, column));
}

/** A JSON string (double quotes, JSON escapes): the element form of Dataverse PropertyValues arrays. */
export function jsonString(text: string): string {
  return JSON.stringify(text);
}

export type KeyValue = string | number | bigint | boolean | Date | Uint8Array | TypedValue;

/** A single key value, or named key parts (alternate keys, F&O composite keys with dataAreaId). */
export type EntityKey = KeyValue | Readonly<Record<string, unknown>>;

function isNamedKey(key: EntityKey): key is Readonly<Record<string, unknown>> {
  return (
    typeof key === 'object' && key !== null && !(key instanceof Date) && !(key instanceof Uint8Array) && !isTypedValue(key)
  );
}

/**
 * `(00000000-…)`, `(accountnumber='A''1')` or `(dataAreaId='usmf',CustomerAccount='US-001')`. A single text key
 * shaped like a GUID is a GUID (Dataverse primary keys); other text is a string. Named parts take their type from
 * typed() values or `columnType`, else from inference.
 */
export function keyPredicate(key: EntityKey, columnType?: ColumnTypeLookup): string {
  if (key === undefined || key === null) throw new TypeError('Invalid entity key: a key value is required.');
  if (!isNamedKey(key)) {
    const single = typeof key === 'string' && looksLikeGuid(key) ? canonicalValue(key, 'Edm.Guid') : resolveValue(key);
    return `(${literalOf(single)})`;
  }
  const names = Object.keys(key);
  if (names.length === 0) throw new TypeError('Invalid entity key: an empty key object has no key parts.');
  const parts = names.map((name) => {
    const value = key[name];
    if (value === null || value === undefined) throw new TypeError(`Invalid entity key: key part '${name}' has no value.`);
    return `${assertIdentifier(name, 'key property name')}=${literalOf(resolveValue(value, name, columnType))}`;
  });
  return `(${parts.join(',')})`;
}
