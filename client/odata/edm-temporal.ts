/**
 * Dates and times as OData literals: ISO 8601 text checked field by field (no 30 February, no hour 24), or a
 * JavaScript Date written in UTC.
 */
import type { Check } from './value-check';

// Arithmetic rather than Date.UTC, which reads years 0–99 as 1900–1999.
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validDate(y: string, mo: string, d: string): boolean {
  const month = Number(mo);
  return month >= 1 && month <= 12 && Number(d) >= 1 && Number(d) <= daysInMonth(Number(y), month);
}

function validTime(h: string, mi: string, s?: string): boolean {
  return Number(h) <= 23 && Number(mi) <= 59 && (s === undefined || Number(s) <= 59);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?$/;
const DATE_TIME_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?(Z|[+-](\d{2}):(\d{2}))$/i;

function isoFromDate(value: Date): string {
  return value.toISOString().replace('.000Z', 'Z');
}

export const checkDateTimeOffset: Check = (value, fail) => {
  const example = 'expected a Date or ISO 8601 text with a time and an offset, e.g. 2023-04-07T21:59:01Z';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail('invalid Date') : isoFromDate(value);
  if (typeof value !== 'string') return fail(example);
  const text = value.trim();
  const m = DATE_TIME_OFFSET.exec(text);
  if (!m || !validDate(m[1], m[2], m[3]) || !validTime(m[4], m[5], m[6])) return fail(example);
  if (m[9] !== undefined && !validTime(m[9], m[10])) return fail(example);
  return text.toUpperCase();
};

export const checkDate: Check = (value, fail) => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? fail('invalid Date') : value.toISOString().slice(0, 10);
  const m = typeof value === 'string' ? DATE.exec(value.trim()) : null;
  if (!m || !validDate(m[1], m[2], m[3])) return fail('expected a date such as 2023-04-07');
  return m[0];
};

export const checkTimeOfDay: Check = (value, fail) => {
  const m = typeof value === 'string' ? TIME.exec(value.trim()) : null;
  if (!m || !validTime(m[1], m[2], m[3])) return fail('expected a time of day such as 21:59:01');
  return m[0];
};

const DURATION = /^-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;

export const checkDuration: Check = (value, fail) => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!DURATION.test(text) || /P$|T$/.test(text)) return fail('expected an ISO 8601 day-time duration such as P1DT2H');
  return text;
};
