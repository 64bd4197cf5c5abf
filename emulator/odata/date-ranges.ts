/**
 * Calendar arithmetic for the Dataverse date query functions. The emulator evaluates in UTC (Dataverse uses the
 * calling user's time zone; emulated users are UTC) and weeks start on Sunday, the en-US default.
 */

const DAY = 86_400_000;

export interface Range {
  /** Inclusive lower bound, ms since epoch. */
  from: number;
  /** Upper bound, ms since epoch. */
  to: number;
  /** Whether `to` itself is inside the range. */
  toInclusive: boolean;
}

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function addDays(ms: number, days: number): number {
  return ms + days * DAY;
}

export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  // Clamp the day so that Jan 31 + 1 month is Feb 28/29, not Mar 3.
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime() + (ms - startOfDay(ms));
}

export function startOfWeek(ms: number, firstDay = 0): number {
  const day = startOfDay(ms);
  const weekday = new Date(day).getUTCDay();
  return addDays(day, -((weekday - firstDay + 7) % 7));
}

export function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function startOfYear(ms: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
}

export function halfOpen(from: number, to: number): Range {
  return { from, to, toInclusive: false };
}

export function closed(from: number, to: number): Range {
  return { from, to, toInclusive: true };
}

export function inRange(ms: number, range: Range): boolean {
  return ms >= range.from && (range.toInclusive ? ms <= range.to : ms < range.to);
}
