/**
 * Time windows of the FetchXML date operators, as [from, to) in epoch milliseconds.
 * Day, week (starting Sunday) and month boundaries are taken in UTC: the emulator has no user time zone.
 */

export interface TimeRange {
  from?: number;
  to?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const startOfDay = (time: number) => Math.floor(time / DAY) * DAY;
const startOfWeek = (time: number) => startOfDay(time) - new Date(time).getUTCDay() * DAY;

function addMonths(time: number, months: number): number {
  const date = new Date(time);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

function startOfMonth(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function startOfYear(time: number): number {
  return Date.UTC(new Date(time).getUTCFullYear(), 0, 1);
}

/** Calendar shift by n units of `unit`, from `time`. */
function shift(time: number, unit: string, n: number): number {
  switch (unit) {
    case 'minutes':
      return time + n * 60_000;
    case 'hours':
      return time + n * HOUR;
    case 'days':
      return time + n * DAY;
    case 'weeks':
      return time + n * 7 * DAY;
    case 'months':
      return addMonths(time, n);
    default:
      return addMonths(time, 12 * n);
  }
}

/**
 * Range for a date operator; `value` is the parsed instant for on/on-or-*, the unit count for *-x-* operators.
 * Returns undefined for operators that are not date operators.
 */
export function dateRange(operator: string, value: number | undefined, now: Date): TimeRange | undefined {
  const t = now.getTime();
  const today = startOfDay(t);
  const x = value ?? 0;
  const relative = /^(last|next|olderthan)-x-(minutes|hours|days|weeks|months|years)$/.exec(operator);
  if (relative) {
    const [, direction, unit] = relative;
    if (direction === 'olderthan') return { to: shift(t, unit, -x) };
    // Hour windows are exact; longer windows run to the start/end of the boundary day, like Dataverse.
    if (unit === 'hours') return direction === 'last' ? { from: t - x * HOUR, to: t + 1 } : { from: t, to: t + x * HOUR + 1 };
    return direction === 'last' ? { from: shift(today, unit, -x), to: t + 1 } : { from: t, to: shift(today, unit, x) + DAY };
  }
  switch (operator) {
    case 'on':
    case 'not-on':
      return { from: startOfDay(x), to: startOfDay(x) + DAY };
    case 'on-or-after':
      return { from: startOfDay(x) };
    case 'on-or-before':
      return { to: startOfDay(x) + DAY };
    case 'today':
      return { from: today, to: today + DAY };
    case 'yesterday':
      return { from: today - DAY, to: today };
    case 'tomorrow':
      return { from: today + DAY, to: today + 2 * DAY };
    case 'last-seven-days':
      return { from: today - 7 * DAY, to: t + 1 };
    case 'next-seven-days':
      return { from: t, to: today + 8 * DAY };
    case 'this-week':
    case 'last-week':
    case 'next-week': {
      const start = startOfWeek(t) + { 'this-week': 0, 'last-week': -7, 'next-week': 7 }[operator] * DAY;
      return { from: start, to: start + 7 * DAY };
    }
    case 'this-month':
    case 'last-month':
    case 'next-month': {
      const start = addMonths(startOfMonth(t), { 'this-month': 0, 'last-month': -1, 'next-month': 1 }[operator]);
      return { from: start, to: addMonths(start, 1) };
    }
    case 'this-year':
    case 'last-year':
    case 'next-year': {
      const start = addMonths(startOfYear(t), 12 * { 'this-year': 0, 'last-year': -1, 'next-year': 1 }[operator]);
      return { from: start, to: addMonths(start, 12) };
    }
    default:
      return undefined;
  }
}

export function inRange(time: number, range: TimeRange): boolean {
  return (range.from === undefined || time >= range.from) && (range.to === undefined || time < range.to);
}

/** Value of a `dategrouping` for aggregate group keys (UTC). */
export function datePart(time: number, grouping: string): number {
  const date = new Date(time);
  switch (grouping) {
    case 'year':
      return date.getUTCFullYear();
    case 'quarter':
      return Math.floor(date.getUTCMonth() / 3) + 1;
    case 'month':
      return date.getUTCMonth() + 1;
    case 'week':
      return Math.floor((startOfDay(time) - startOfWeek(startOfYear(time))) / (7 * DAY)) + 1;
    default:
      return date.getUTCDate();
  }
}
