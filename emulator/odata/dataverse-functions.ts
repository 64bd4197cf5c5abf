/**
 * Evaluation of the Microsoft.Dynamics.CRM query functions. Parameter values arrive as strings or numbers (the
 * documented form is PropertyValues=["5","2000"]) and are converted to the type of the named column.
 */
import type { Expr, FunctionCallExpr } from './ast';
import {
  addDays,
  addMonths,
  closed,
  halfOpen,
  inRange,
  startOfDay,
  startOfMonth,
  startOfWeek,
  startOfYear,
  type Range,
} from './date-ranges';
import { DATAVERSE_NAMESPACE, UNSUPPORTED_DATAVERSE_FUNCTIONS } from './dataverse-function-specs';
import { notSupported, ODataEvaluationError } from './errors';
import type { EvaluationContext, Row } from './evaluation-context';
import { compareAs, declaredFamily, inferredFamily, toTimestamp, type Family, type Typed } from './values';

const MINUTE = 60_000;
const HOUR = 3_600_000;

type RangeFactory = (x: number, now: number, today: number) => Range;

/** Ranges chosen to match Dataverse: "last" windows end now, "next" windows run to the end of the last day. */
const RELATIVE_RANGES: Record<string, RangeFactory> = {
  Today: (_x, _n, t) => halfOpen(t, addDays(t, 1)),
  Yesterday: (_x, _n, t) => halfOpen(addDays(t, -1), t),
  Tomorrow: (_x, _n, t) => halfOpen(addDays(t, 1), addDays(t, 2)),
  Last7Days: (_x, n, t) => closed(addDays(t, -7), n),
  Next7Days: (_x, n, t) => halfOpen(n, addDays(t, 8)),
  LastXHours: (x, n) => closed(n - x * HOUR, n),
  NextXHours: (x, n) => closed(n, n + x * HOUR),
  LastXDays: (x, n, t) => closed(addDays(t, -x), n),
  NextXDays: (x, n, t) => halfOpen(n, addDays(t, x + 1)),
  LastXWeeks: (x, n, t) => closed(addDays(t, -7 * x), n),
  NextXWeeks: (x, n, t) => halfOpen(n, addDays(t, 7 * x + 1)),
  LastXMonths: (x, n, t) => closed(addMonths(t, -x), n),
  NextXMonths: (x, n, t) => halfOpen(n, addDays(addMonths(t, x), 1)),
  LastXYears: (x, n, t) => closed(addMonths(t, -12 * x), n),
  NextXYears: (x, n, t) => halfOpen(n, addDays(addMonths(t, 12 * x), 1)),
  OlderThanXMinutes: (x, n) => halfOpen(-Infinity, n - x * MINUTE),
  OlderThanXHours: (x, n) => halfOpen(-Infinity, n - x * HOUR),
  OlderThanXDays: (x, _n, t) => halfOpen(-Infinity, addDays(t, -x)),
  OlderThanXWeeks: (x, _n, t) => halfOpen(-Infinity, addDays(t, -7 * x)),
  OlderThanXMonths: (x, _n, t) => halfOpen(-Infinity, addMonths(t, -x)),
  OlderThanXYears: (x, _n, t) => halfOpen(-Infinity, addMonths(t, -12 * x)),
  ThisWeek: (_x, n) => halfOpen(startOfWeek(n), addDays(startOfWeek(n), 7)),
  LastWeek: (_x, n) => halfOpen(addDays(startOfWeek(n), -7), startOfWeek(n)),
  NextWeek: (_x, n) => halfOpen(addDays(startOfWeek(n), 7), addDays(startOfWeek(n), 14)),
  ThisMonth: (_x, n) => halfOpen(startOfMonth(n), addMonths(startOfMonth(n), 1)),
  LastMonth: (_x, n) => halfOpen(addMonths(startOfMonth(n), -1), startOfMonth(n)),
  NextMonth: (_x, n) => halfOpen(addMonths(startOfMonth(n), 1), addMonths(startOfMonth(n), 2)),
  ThisYear: (_x, n) => halfOpen(startOfYear(n), addMonths(startOfYear(n), 12)),
  LastYear: (_x, n) => halfOpen(addMonths(startOfYear(n), -12), startOfYear(n)),
  NextYear: (_x, n) => halfOpen(addMonths(startOfYear(n), 12), addMonths(startOfYear(n), 24)),
};

/** Ranges around a given date (PropertyValue), whole days. */
const DAY_RANGES: Record<string, (day: number) => Range> = {
  On: (d) => halfOpen(d, addDays(d, 1)),
  OnOrAfter: (d) => halfOpen(d, Infinity),
  OnOrBefore: (d) => halfOpen(-Infinity, addDays(d, 1)),
};

function coerce(family: Family, value: unknown): unknown {
  if (family === 'string' && typeof value !== 'string') return String(value);
  if (family === 'number' && typeof value === 'string') return Number(value);
  if (family === 'boolean' && typeof value === 'string') return value === 'true' || value === '1';
  return value;
}

/**
 * Returns true/false, or null when the column is null (SQL: unknown, so the row is not returned, also for the
 * negated functions NotIn, NotBetween, NotEqualUserId, ...).
 */
export function evaluateDataverseFunction(
  call: FunctionCallExpr,
  row: Row,
  ctx: EvaluationContext,
  evaluate: (e: Expr) => Typed,
): boolean | null {
  const name = call.shortName;
  if (call.namespace !== DATAVERSE_NAMESPACE) throw notSupported(`The function '${call.name}'`);
  if (UNSUPPORTED_DATAVERSE_FUNCTIONS.has(name)) throw notSupported(`The query function '${call.name}'`);
  const param = (p: string): unknown => {
    const expr = call.parameters.find((x) => x.name === p)?.value;
    return expr ? evaluate(expr).value : undefined;
  };
  const property = param('PropertyName');
  if (typeof property !== 'string') throw new ODataEvaluationError(`${call.name}: PropertyName must be a string.`);
  const value = row[property] ?? null;
  if (value === null) return null;
  const family = declaredFamily(ctx.typeOf?.(row, property)) ?? inferredFamily(value);
  const equals = (v: unknown): boolean => compareAs(family, value, coerce(family, v)) === 0;
  const list = (): unknown[] => {
    const values = param('PropertyValues');
    if (!Array.isArray(values) || values.length === 0) {
      throw new ODataEvaluationError(`${call.name}: PropertyValues must be a non-empty array.`);
    }
    return values;
  };
  switch (name) {
    case 'In':
      return list().some(equals);
    case 'NotIn':
      return !list().some(equals);
    case 'Between':
    case 'NotBetween': {
      const bounds = list();
      if (bounds.length !== 2) throw new ODataEvaluationError(`${call.name}: PropertyValues must hold two values.`);
      const inside =
        compareAs(family, value, coerce(family, bounds[0])) >= 0 && compareAs(family, value, coerce(family, bounds[1])) <= 0;
      return name === 'Between' ? inside : !inside;
    }
    case 'ContainValues':
    case 'DoesNotContainValues': {
      const stored = (Array.isArray(value) ? value : String(value).split(',')).map((v) => String(v).trim());
      const any = list().some((v) => stored.includes(String(v).trim()));
      return name === 'ContainValues' ? any : !any;
    }
    case 'EqualUserId':
    case 'NotEqualUserId':
    case 'EqualBusinessId':
    case 'NotEqualBusinessId': {
      const id = name.endsWith('UserId') ? ctx.userId : ctx.businessUnitId;
      if (!id) throw new ODataEvaluationError(`${call.name} needs the caller's ${name.endsWith('UserId') ? 'userId' : 'businessUnitId'} in the evaluation context.`);
      const same = compareAs('guid', value, id) === 0;
      return name.startsWith('Equal') ? same : !same;
    }
    default:
      break;
  }
  const ms = toTimestamp(value);
  const dayRange = DAY_RANGES[name];
  if (dayRange) return inRange(ms, dayRange(startOfDay(toTimestamp(param('PropertyValue')))));
  const factory = RELATIVE_RANGES[name];
  if (!factory) throw notSupported(`The query function '${call.name}'`);
  const now = (ctx.now ?? new Date()).getTime();
  const x = call.parameters.some((p) => p.name === 'PropertyValue') ? Number(param('PropertyValue')) : 0;
  if (!Number.isInteger(x)) throw new ODataEvaluationError(`${call.name}: PropertyValue must be an integer.`);
  return inRange(ms, factory(x, now, startOfDay(now)));
}
