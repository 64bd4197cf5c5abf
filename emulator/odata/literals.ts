/**
 * Shapes and range checks of OData primitive literals (ABNF section 7), shared by the lexer, by parseTypedValue
 * and by the evaluator. Pure string checks: no model, no Date objects for the checks themselves, because OData
 * years run from -9999.. and 0000, which JavaScript's Date parsing does not accept.
 */

export const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/;
/** Year with 4+ digits (no leading zero beyond four digits), month and day; anchored at the start. */
export const DATE_PREFIX = /^-?\d{4,}-\d{2}-\d{2}/;
export const DATE_TIME_OFFSET = /^(-?\d{4,})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?([Zz]|[+-]\d{2}:\d{2})/;
export const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?/;
export const NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;
export const DURATION = /^-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
/** base64url with the padding rules of the ABNF (binaryValue). */
export const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]=?|[A-Za-z0-9_-][AQgw](?:==)?)?$/;
export const ENUM_MEMBERS = /^(?:[A-Za-z_]\w*|[+-]?\d{1,19})(?:,(?:[A-Za-z_]\w*|[+-]?\d{1,19}))*$/;

const IDENT_START = /[\p{L}\p{Nl}_]/u;
const IDENT_PART = /[\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]/u;

export function isIdentifierStart(ch: string | undefined): boolean {
  return ch !== undefined && IDENT_START.test(ch);
}

export function isIdentifierPart(ch: string | undefined): boolean {
  return ch !== undefined && IDENT_PART.test(ch);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Checks year/month/day text against the ABNF `date` rule and the Gregorian calendar. */
export function isValidDateParts(year: string, month: string, day: string): boolean {
  const digits = year.startsWith('-') ? year.slice(1) : year;
  if (digits.length > 4 && digits.startsWith('0')) return false;
  const m = Number(month);
  const d = Number(day);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(Number(year), m);
}

/** Hour 00-23, minute 00-59, second 00-60 (the ABNF admits leap seconds). */
export function isValidTimeParts(hour: string, minute: string, second?: string): boolean {
  return Number(hour) <= 23 && Number(minute) <= 59 && (second === undefined || Number(second) <= 60);
}

export function isValidDate(text: string): boolean {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(text);
  return !!m && isValidDateParts(m[1], m[2], m[3]);
}

export function isValidDateTimeOffset(text: string): boolean {
  const m = DATE_TIME_OFFSET.exec(text);
  if (!m || m[0].length !== text.length) return false;
  if (!isValidDateParts(m[1], m[2], m[3]) || !isValidTimeParts(m[4], m[5], m[6])) return false;
  const offset = /^[+-](\d{2}):(\d{2})$/.exec(m[8]);
  return !offset || isValidTimeParts(offset[1], offset[2]);
}

export function isValidTimeOfDay(text: string): boolean {
  const m = TIME_OF_DAY.exec(text);
  return !!m && m[0].length === text.length && isValidTimeParts(m[1], m[2], m[3]);
}

/** Classifies an unsigned-or-signed numeric literal the way ODL does when no type suffix is given. */
export function numericLiteralType(raw: string): 'Edm.Int32' | 'Edm.Int64' | 'Edm.Decimal' | 'Edm.Double' {
  if (/[eE]|INF|NaN/.test(raw)) return 'Edm.Double';
  if (raw.includes('.')) return 'Edm.Decimal';
  const n = BigInt(raw.replace(/^\+/, ''));
  if (n >= -2147483648n && n <= 2147483647n) return 'Edm.Int32';
  if (n >= -9223372036854775808n && n <= 9223372036854775807n) return 'Edm.Int64';
  return 'Edm.Decimal';
}

export function numericValue(raw: string): number {
  if (raw === 'INF' || raw === '+INF') return Infinity;
  if (raw === '-INF') return -Infinity;
  if (raw === 'NaN') return NaN;
  return Number(raw);
}

/** Converts an ISO 8601 duration (days and time only, as Edm.Duration allows) to milliseconds. */
export function durationToMilliseconds(text: string): number | undefined {
  const m = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m) return undefined;
  const ms = ((Number(m[2] ?? 0) * 24 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 60000 + Number(m[5] ?? 0) * 1000;
  return m[1] ? -ms : ms;
}
