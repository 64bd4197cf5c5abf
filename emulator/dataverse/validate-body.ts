/**
 * Checks a JSON row body against the table's columns the way Dataverse does: unknown properties, read-only
 * columns, types, lengths, choice values, and `@odata.bind` navigation names. Returns plain column values plus the
 * lookups, collection binds and deep-insert payloads for the writer to apply.
 */
import { DataverseError, badRequest } from './errors';
import type { Column, Table } from './schema';

export interface ParsedBody {
  values: Record<string, unknown>;
  /** navigation → entity URL (or null to clear). */
  binds: Map<string, string | null>;
  /** collection navigation → entity URLs to associate. */
  collectionBinds: Map<string, string[]>;
  /** navigation → nested row(s) for deep insert. */
  nested: Map<string, Record<string, unknown> | Record<string, unknown>[]>;
}

const payloadError = (setName: string, inner: string) =>
  new DataverseError(
    400,
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'${setName}'  ---->  InnerException : Microsoft.OData.ODataException: ${inner}`,
  );

export function parseJsonBody(body: Buffer, setName: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') throw payloadError(setName, 'The request body is empty; a JSON object was expected.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw payloadError(setName, `Invalid JSON. ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw payloadError(setName, 'A JSON object was expected as the request body.');
  }
  return parsed as Record<string, unknown>;
}

export function validateBody(table: Table, body: Record<string, unknown>): ParsedBody {
  const parsed: ParsedBody = { values: {}, binds: new Map(), collectionBinds: new Map(), nested: new Map() };
  for (const [key, value] of Object.entries(body)) {
    if (key === '@odata.type' || key === '@odata.context' || key === '@odata.etag') continue;
    const at = key.indexOf('@');
    if (at >= 0) {
      const nav = key.slice(0, at);
      const annotation = key.slice(at + 1);
      if (annotation !== 'odata.bind') continue;
      if (table.lookups.has(nav)) {
        if (value !== null && typeof value !== 'string') throw badRequest(`The value of '${key}' must be an entity URL string or null.`);
        parsed.binds.set(nav, value as string | null);
      } else if (table.collections.has(nav)) {
        const urls = Array.isArray(value) ? value : [value];
        if (!urls.every((u) => typeof u === 'string')) throw badRequest(`The value of '${key}' must be an array of entity URLs.`);
        parsed.collectionBinds.set(nav, urls as string[]);
      } else {
        throw payloadError(
          table.setName,
          `An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
        );
      }
      continue;
    }
    if (table.lookups.has(key) || table.collections.has(key)) {
      if (value === null && table.lookups.has(key)) parsed.binds.set(key, null);
      else if (typeof value === 'object' && value !== null) parsed.nested.set(key, value as Record<string, unknown>);
      else throw badRequest(`The navigation property '${key}' expects an object, an array of objects or null.`);
      continue;
    }
    const column = table.columns.get(key);
    if (!column) {
      throw new DataverseError(
        400,
        '0x0',
        `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${key}' was found in entity 'Microsoft.Dynamics.CRM.${table.logicalName}'. ---> Microsoft.OData.ODataException: Does not support untyped value in non-open type.`,
      );
    }
    if (column.readOnly && column.name !== table.primaryId) {
      throw payloadError(table.setName, `The property '${key}' is read-only and cannot be set.`);
    }
    parsed.values[key] = checkValue(table, column, value);
  }
  return parsed;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function typeError(table: Table, column: Column, value: unknown): DataverseError {
  return badRequest(
    `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${column.edmType}' of the property '${column.name}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`,
  );
}

function checkValue(table: Table, column: Column, value: unknown): unknown {
  if (value === null) return null;
  switch (column.edmType) {
    case 'Edm.String': {
      if (typeof value !== 'string') throw typeError(table, column, value);
      if (column.maxLength !== undefined && value.length > column.maxLength) {
        throw new DataverseError(
          400,
          '0x80044331',
          `A validation error occurred.  The length of the '${column.name}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${column.maxLength}'.`,
        );
      }
      return value;
    }
    case 'Edm.Int32': case 'Edm.Int16': case 'Edm.Int64': case 'Edm.Byte': case 'Edm.SByte': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(table, column, value);
      if (column.choices && !column.choices.has(value)) {
        throw new DataverseError(
          400,
          '0x8004431a',
          `A validation error occurred.  The value ${value} of '${column.name}' on record of type '${table.logicalName}' is outside the valid range. Accepted Values: ${[...column.choices.keys()].join(',')}`,
        );
      }
      return value;
    }
    case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Single':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError(table, column, value);
      return value;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw typeError(table, column, value);
      return value;
    case 'Edm.Guid':
      if (typeof value !== 'string' || !GUID.test(value)) throw typeError(table, column, value);
      return value.toLowerCase();
    case 'Edm.DateTimeOffset': case 'Edm.Date':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) throw typeError(table, column, value);
      return column.edmType === 'Edm.Date' ? value.slice(0, 10) : new Date(value).toISOString().replace(/\.000Z$/, 'Z');
    case 'Edm.Binary':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/=_-]*$/.test(value)) throw typeError(table, column, value);
      return value;
    default:
      return value;
  }
}
