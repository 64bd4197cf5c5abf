/**
 * Field values as F&O stores and returns them: never null (empty strings, zero, the 1900-01-01 "null date", the
 * first enum member), enums by member name, and writes checked against the model's types and lengths.
 */
import type { CsdlModel, EntityType, Property } from '../../client/metadata/model';
import { FnoError } from './context';
import { WRITE_EXCEPTION } from './errors';

export const NULL_DATE = '1900-01-01';
export const NULL_DATETIME = '1900-01-01T00:00:00Z';
const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const NUMERIC = new Set(['Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte']);
const INTEGER = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte']);

export function defaultValue(model: CsdlModel, property: Property): unknown {
  const enumType = model.enumTypes.get(property.type);
  if (enumType) return enumType.members[0]?.name ?? '';
  if (NUMERIC.has(property.type)) return 0;
  switch (property.type) {
    case 'Edm.Boolean': return false;
    case 'Edm.Date': return NULL_DATE;
    case 'Edm.DateTimeOffset': return NULL_DATETIME;
    case 'Edm.Guid': return ZERO_GUID;
    default: return '';
  }
}

const invalid = (message: string) => new FnoError(400, message, 'Microsoft.OData.ODataException');

/** Checks one written value and returns it as stored (enum numbers become member names, dates are normalised). */
export function coerceValue(model: CsdlModel, type: EntityType, property: Property, value: unknown): unknown {
  if (value === null || value === undefined) return defaultValue(model, property);
  const enumType = model.enumTypes.get(property.type);
  if (enumType) {
    const text = String(value).replace(new RegExp(`^${property.type.replace(/\./g, '\\.')}'(.*)'$`), '$1');
    const member = enumType.members.find((m) => m.name === text || (typeof value === 'number' && m.value === value));
    if (!member) throw invalid(`The value '${String(value)}' of property '${property.name}' is not a valid member of the enumeration type '${property.type}'.`);
    return member.name;
  }
  const wrongType = () =>
    invalid(`Cannot convert the literal '${String(value)}' to the expected type '${property.type}' of property '${property.name}' of type '${type.qualifiedName}'.`);
  if (NUMERIC.has(property.type)) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n) || (INTEGER.has(property.type) && !Number.isInteger(n))) throw wrongType();
    return n;
  }
  switch (property.type) {
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw wrongType();
      return value;
    case 'Edm.Date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw wrongType();
      return value;
    case 'Edm.DateTimeOffset': {
      const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(ms)) throw wrongType();
      return new Date(ms).toISOString().replace('.000Z', 'Z');
    }
    case 'Edm.Guid':
      if (typeof value !== 'string' || !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(value)) throw wrongType();
      return value.toLowerCase();
    default:
      if (typeof value !== 'string') throw wrongType();
      if (property.maxLength !== undefined && value.length > property.maxLength) {
        throw new FnoError(
          400,
          `Write failed for table row of type '${type.name}'. Infolog: Error: The value in field '${property.name}' is ${value.length} characters long; the maximum is ${property.maxLength}.`,
          WRITE_EXCEPTION,
        );
      }
      return value;
  }
}

/** A row with every field present, in declaration order. */
export function completeRow(model: CsdlModel, type: EntityType, values: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const property of type.allProperties.values()) {
    row[property.name] = property.name in values ? values[property.name] : defaultValue(model, property);
  }
  return row;
}

export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === NULL_DATE || value === NULL_DATETIME;
}
