/**
 * $orderby as SQL Server sorts: NULLs first when ascending (last when descending), strings by the
 * case-insensitive collation, numbers and dates by value, and uniqueidentifier columns in SQL Server's own byte
 * order (last group first), which is what Dataverse returns for `$orderby=accountid`.
 */
import type { OrderByItem } from './ast';
import { evaluateTyped } from './evaluate-filter';
import type { EvaluationContext, Row } from './evaluation-context';
import { compareTyped, declaredFamily, normalizeGuid } from './values';

/** Byte positions of System.Guid.ToByteArray() in the order SqlGuid compares them. */
const SQL_GUID_ORDER = [10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3];

function guidBytes(value: unknown): number[] {
  const hex = normalizeGuid(value).replace(/-/g, '');
  const d = Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  // ToByteArray stores the first three groups little-endian.
  return [d[3], d[2], d[1], d[0], d[5], d[4], d[7], d[6], ...d.slice(8)];
}

function compareSqlGuids(a: unknown, b: unknown): number {
  const x = guidBytes(a);
  const y = guidBytes(b);
  for (const i of SQL_GUID_ORDER) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/** Ascending comparison of two column values; `type` is the Edm type when known. */
export function compareForOrderBy(a: unknown, b: unknown, type?: string): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  if (declaredFamily(type) === 'guid') return compareSqlGuids(a, b);
  return compareTyped({ value: a, type }, { value: b, type });
}

/** Returns a new array sorted by the $orderby items; ties keep the input order. */
export function applyOrderBy<T extends Row>(rows: readonly T[], orderby: OrderByItem[], ctx: EvaluationContext = {}): T[] {
  const keyed = rows.map((row, index) => ({ row, index, keys: orderby.map((o) => evaluateTyped(o.expression, row, ctx)) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < orderby.length; i++) {
      const c = compareForOrderBy(x.keys[i].value, y.keys[i].value, x.keys[i].type ?? y.keys[i].type);
      if (c !== 0) return orderby[i].direction === 'desc' ? -c : c;
    }
    return x.index - y.index;
  });
  return keyed.map((k) => k.row);
}
