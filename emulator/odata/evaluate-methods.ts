/**
 * Built-in OData functions over already evaluated arguments. A null argument yields null (SQL semantics), which
 * the filter treats as "unknown". String functions follow the case-insensitive collation.
 */
import { notSupported, ODataEvaluationError } from './errors';
import { durationToMilliseconds } from './literals';
import { compareAs, familyOf, foldString, type Typed } from './values';
import { like } from './wildcards';

const NULL: Typed = { value: null, type: 'null' };

interface DateParts {
  date?: string;
  year: number;
  month: number;
  day: number;
  time?: string;
  hour: number;
  minute: number;
  second: number;
  fraction: number;
  offsetMinutes: number;
}

/** Splits a DateTimeOffset/Date/TimeOfDay value into the fields as written (no time-zone conversion). */
function dateParts(value: unknown): DateParts {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const m =
    /^(?:((-?\d{4,})-(\d{2})-(\d{2}))[Tt ]?)?(?:((\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?))?([Zz]|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!m || (!m[1] && !m[5])) throw new ODataEvaluationError(`The value '${text}' is not a date or time.`);
  const offset = m[10] && m[10].toUpperCase() !== 'Z' ? m[10] : undefined;
  const offsetMinutes = offset ? (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) : 0;
  return {
    date: m[1],
    year: Number(m[2] ?? 0),
    month: Number(m[3] ?? 0),
    day: Number(m[4] ?? 0),
    time: m[5] ? `${m[6]}:${m[7]}:${m[8] ?? '00'}${m[9] ?? ''}` : undefined,
    hour: Number(m[6] ?? 0),
    minute: Number(m[7] ?? 0),
    second: Number(m[8] ?? 0),
    fraction: Number(`0${m[9] ?? ''}`),
    offsetMinutes,
  };
}

function roundHalfAwayFromZero(n: number): number {
  return Math.sign(n) * Math.round(Math.abs(n));
}

function str(t: Typed): string {
  return String(t.value);
}

function bool(value: boolean): Typed {
  return { value, type: 'Edm.Boolean' };
}

function int(value: number): Typed {
  return { value, type: 'Edm.Int32' };
}

function sameItem(a: unknown, b: unknown): boolean {
  return compareAs(familyOf({ value: a }), a, b) === 0;
}

export function evaluateMethod(name: string, args: Typed[], now: Date): Typed {
  switch (name) {
    case 'now':
      return { value: now.toISOString(), type: 'Edm.DateTimeOffset' };
    case 'mindatetime':
      return { value: '0001-01-01T00:00:00Z', type: 'Edm.DateTimeOffset' };
    case 'maxdatetime':
      return { value: '9999-12-31T23:59:59.999Z', type: 'Edm.DateTimeOffset' };
    default:
      break;
  }
  if (name.startsWith('geo.')) throw notSupported(`The function '${name}'`);
  if (args.some((a) => a.value === null || a.value === undefined)) return NULL;
  const [a, b, c] = args;
  const isArray = Array.isArray(a.value);
  switch (name) {
    case 'contains':
    case 'startswith':
    case 'endswith': {
      if (isArray) throw notSupported(`${name} on collections`);
      const pattern = name === 'contains' ? `%${str(b)}%` : name === 'startswith' ? `${str(b)}%` : `%${str(b)}`;
      return bool(like(str(a), pattern));
    }
    case 'indexof':
      return int(foldString(str(a)).indexOf(foldString(str(b))));
    case 'length':
      return int(isArray ? (a.value as unknown[]).length : str(a).length);
    case 'substring': {
      const start = Math.max(0, Number(b.value));
      return { value: c ? str(a).substr(start, Math.max(0, Number(c.value))) : str(a).substring(start), type: 'Edm.String' };
    }
    case 'tolower':
      return { value: str(a).toLowerCase(), type: 'Edm.String' };
    case 'toupper':
      return { value: str(a).toUpperCase(), type: 'Edm.String' };
    case 'trim':
      return { value: str(a).trim(), type: 'Edm.String' };
    case 'concat':
      return { value: str(a) + str(b), type: 'Edm.String' };
    case 'matchesPattern':
      return bool(new RegExp(str(b), 'u').test(str(a)));
    case 'hassubset':
    case 'hassubsequence': {
      if (!isArray || !Array.isArray(b.value)) throw new ODataEvaluationError(`${name} expects two collections.`);
      const hay = a.value as unknown[];
      const needles = b.value as unknown[];
      if (name === 'hassubset') return bool(needles.every((n) => hay.some((h) => sameItem(h, n))));
      let i = 0;
      for (const h of hay) if (i < needles.length && sameItem(h, needles[i])) i++;
      return bool(i === needles.length);
    }
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
    case 'minute':
    case 'second':
      return int(dateParts(a.value)[name]);
    case 'fractionalseconds':
      return { value: dateParts(a.value).fraction, type: 'Edm.Decimal' };
    case 'totaloffsetminutes':
      return int(dateParts(a.value).offsetMinutes);
    case 'date': {
      const parts = dateParts(a.value);
      return parts.date ? { value: parts.date, type: 'Edm.Date' } : NULL;
    }
    case 'time': {
      const parts = dateParts(a.value);
      return parts.time ? { value: parts.time, type: 'Edm.TimeOfDay' } : NULL;
    }
    case 'totalseconds': {
      const ms = durationToMilliseconds(str(a));
      if (ms === undefined) throw new ODataEvaluationError(`The value '${str(a)}' is not a duration.`);
      return { value: ms / 1000, type: 'Edm.Decimal' };
    }
    case 'round':
      return { value: roundHalfAwayFromZero(Number(a.value)), type: a.type };
    case 'floor':
      return { value: Math.floor(Number(a.value)), type: a.type };
    case 'ceiling':
      return { value: Math.ceil(Number(a.value)), type: a.type };
    default:
      throw notSupported(`The function '${name}'`);
  }
}
