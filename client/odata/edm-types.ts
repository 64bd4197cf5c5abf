/**
 * The Edm types a value can be serialized as, explicit typing of a value (`typed()`), and the type inferred from a
 * JavaScript value when neither the caller nor the column metadata says which type a column has.
 */
import { assertQualifiedName } from './identifiers';

export const EDM_PRIMITIVE_TYPES = [
  'Edm.String',
  'Edm.Guid',
  'Edm.Boolean',
  'Edm.Byte',
  'Edm.SByte',
  'Edm.Int16',
  'Edm.Int32',
  'Edm.Int64',
  'Edm.Decimal',
  'Edm.Double',
  'Edm.Single',
  'Edm.DateTimeOffset',
  'Edm.Date',
  'Edm.TimeOfDay',
  'Edm.Duration',
  'Edm.Binary',
] as const;

export type EdmPrimitiveType = (typeof EDM_PRIMITIVE_TYPES)[number];

/** A primitive Edm type, or the qualified name of an enum type (`Microsoft.Dynamics.DataEntities.NoYes`). */
export type EdmType = EdmPrimitiveType | (string & {});

/** Answers the Edm type of a column (or path) from metadata; undefined lets the type be inferred from the value. */
export type ColumnTypeLookup = (column: string) => EdmType | undefined;

const TYPED = Symbol('odata.typedValue');

/** A value with an explicit Edm type; it wins over the column lookup and over inference. */
export interface TypedValue {
  readonly [TYPED]: true;
  readonly type: EdmType;
  readonly value: unknown;
}

export function typed(type: EdmType, value: unknown): TypedValue {
  return { [TYPED]: true, type: checkEdmType(type), value };
}

export function isTypedValue(value: unknown): value is TypedValue {
  return typeof value === 'object' && value !== null && (value as Partial<TypedValue>)[TYPED] === true;
}

export function isPrimitiveType(type: string): type is EdmPrimitiveType {
  return (EDM_PRIMITIVE_TYPES as readonly string[]).includes(type);
}

/**
 * Throws unless the type is a known Edm primitive or an enum type name; `Edm.Foo` is never taken for an enum.
 * `Collection(T)` (as CSDL writes multi-valued columns) gives T: filter values are single elements.
 */
export function checkEdmType(type: unknown): EdmType {
  const element = typeof type === 'string' ? /^Collection\((.+)\)$/.exec(type)?.[1] : undefined;
  if (element !== undefined) return checkEdmType(element);
  if (typeof type === 'string' && isPrimitiveType(type)) return type;
  if (typeof type === 'string' && type.startsWith('Edm.')) {
    throw new TypeError(`Unsupported Edm type '${type}': expected one of ${EDM_PRIMITIVE_TYPES.join(', ')}.`);
  }
  return assertQualifiedName(type, 'enum type name');
}

const GUID = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;

export function looksLikeGuid(text: string): boolean {
  return GUID.test(text.trim());
}

/** `_parentcustomerid_value`, also at the end of a path: Dataverse lookup value columns are always Edm.Guid. */
function isLookupValueColumn(column: string | undefined): boolean {
  return column !== undefined && /(^|\/)_[A-Za-z0-9_]+_value$/.test(column);
}

/** The type a value is written as when nothing says otherwise. */
export function inferEdmType(value: unknown, column?: string): EdmType | 'null' {
  if (isTypedValue(value)) return value.type;
  if (value === null) return 'null';
  if (typeof value === 'string') return isLookupValueColumn(column) && looksLikeGuid(value) ? 'Edm.Guid' : 'Edm.String';
  if (typeof value === 'boolean') return 'Edm.Boolean';
  if (typeof value === 'bigint') return 'Edm.Int64';
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return 'Edm.Int64';
    // Not-a-number and infinities only exist as Double; other numbers are written exactly as decimals.
    return Number.isFinite(value) ? 'Edm.Decimal' : 'Edm.Double';
  }
  if (value instanceof Date) return 'Edm.DateTimeOffset';
  if (value instanceof Uint8Array) return 'Edm.Binary';
  // Left to the serializer, which names the column in its error.
  return 'Edm.String';
}
