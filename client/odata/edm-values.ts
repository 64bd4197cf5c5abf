/**
 * Checks a JavaScript value against an Edm type and gives its canonical text (without OData quoting): the digits
 * of a number, the ISO form of a date, the members of an enum value. Users type values as text in low-code tools,
 * so text is accepted wherever it is unambiguous ('42' for an Int32 column); anything else is a TypeError that
 * names the column and the type.
 */
import { checkDecimal, checkFloat, checkInteger } from './edm-numbers';
import { checkDate, checkDateTimeOffset, checkDuration, checkTimeOfDay } from './edm-temporal';
import { isPrimitiveType, type EdmType } from './edm-types';
import { isIdentifier } from './identifiers';
import type { Check } from './value-check';

export interface CanonicalValue {
  /** The Edm type the value was checked as; 'null' for null. */
  type: EdmType | 'null';
  text: string;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `the Date ${value.toISOString()}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value === 'function' || typeof value === 'symbol' ? `a ${typeof value}` : String(value);
}

// encodeURIComponent throws on a lone surrogate, and the service could not store it either.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const checkString: Check = (value, fail) => {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return fail('expected text');
  if (LONE_SURROGATE.test(value)) return fail('the text contains an unpaired UTF-16 surrogate');
  return value;
};

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const checkGuid: Check = (value, fail) => {
  if (typeof value !== 'string') return fail('expected a GUID such as 00000000-0000-0000-0000-000000000001');
  const text = value.trim().replace(/^\{(.*)\}$/, '$1');
  if (!GUID.test(text)) return fail('not a GUID (expected 00000000-0000-0000-0000-000000000001)');
  return text.toLowerCase();
};

const checkBoolean: Check = (value, fail) => {
  if (typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'true' || text === 'false') return text;
  return fail('expected true or false');
};

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const checkBinary: Check = (value, fail) => {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  const text = typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    return fail('expected bytes (Buffer/Uint8Array) or base64 text');
  }
  // Re-encoded as base64url without padding: '=' is optional in the grammar and would need escaping in a URL.
  return Buffer.from(text, 'base64').toString('base64url');
};

function checkEnum(): Check {
  return (value, fail) => {
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isSafeInteger(value)) return fail('expected a member name or an integer');
      return String(value);
    }
    const members = typeof value === 'string' ? value.split(',').map((m) => m.trim()) : [];
    const ok = members.length > 0 && members.every((m) => isIdentifier(m) || /^-?\d{1,19}$/.test(m));
    return ok ? members.join(',') : fail('expected a member name (or names separated by commas for flags)');
  };
}

const CHECKS: Record<string, Check> = {
  'Edm.String': checkString,
  'Edm.Guid': checkGuid,
  'Edm.Boolean': checkBoolean,
  'Edm.Byte': checkInteger('Edm.Byte'),
  'Edm.SByte': checkInteger('Edm.SByte'),
  'Edm.Int16': checkInteger('Edm.Int16'),
  'Edm.Int32': checkInteger('Edm.Int32'),
  'Edm.Int64': checkInteger('Edm.Int64'),
  'Edm.Decimal': checkDecimal,
  'Edm.Double': checkFloat,
  'Edm.Single': checkFloat,
  'Edm.DateTimeOffset': checkDateTimeOffset,
  'Edm.Date': checkDate,
  'Edm.TimeOfDay': checkTimeOfDay,
  'Edm.Duration': checkDuration,
  'Edm.Binary': checkBinary,
};

/**
 * Checks `value` as `type`; null is valid for every type. `column` (or, for values that are not a column's, a
 * `subject` such as "PropertyValue of LastXDays") only makes the error message precise.
 */
export function canonicalValue(value: unknown, type: EdmType, column?: string, subject?: string): CanonicalValue {
  const where =
    subject !== undefined
      ? `${subject} (${type})`
      : column === undefined
        ? `${type} value`
        : `value for column '${column}' (${type})`;
  const fail = (reason: string): never => {
    throw new TypeError(`Invalid ${where}: ${describe(value)} — ${reason}.`);
  };
  if (value === null) return { type: 'null', text: 'null' };
  if (value === undefined) return fail('no value given (use null to compare with null)');
  const check = isPrimitiveType(type) ? CHECKS[type] : checkEnum();
  return { type, text: check(value, fail) };
}
