/**
 * Sorting rows as SQL Server does (nulls first, case-insensitive strings, uniqueidentifiers in SqlGuid byte order)
 * with keys computed once per row rather than once per comparison: paging a 200,000-row table re-sorts it for each
 * page, and comparing GUIDs byte by byte inside the sort made that the emulator's slowest path.
 */
import { compareStrings, declaredFamily, toTimestamp } from '../odata/values';
import type { Row } from '../store/table-store';
import type { OrderItem } from './odata-adapter';
import type { Table } from './schema';

type SortKey = null | number | string;
type Kind = 'number' | 'text' | 'ordinal';

/** `1a2b3c4d-…` → its bytes in the order SqlGuid compares them (last group first), as one comparable string. */
function sqlGuidKey(value: string): string {
  const h = value.replace(/[{}-]/g, '').toLowerCase();
  const byte = (i: number) => h.slice(2 * i, 2 * i + 2);
  return [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0].map(byte).join('');
}

function keyMaker(edmType: string | undefined): { kind: Kind; key: (v: unknown) => SortKey } {
  switch (declaredFamily(edmType)) {
    case 'guid':
      return { kind: 'ordinal', key: (v) => sqlGuidKey(String(v)) };
    case 'datetime':
      return { kind: 'number', key: (v) => toTimestamp(v) };
    case 'number':
    case 'boolean':
      return { kind: 'number', key: (v) => Number(v) };
    default:
      return { kind: 'text', key: (v) => String(v) };
  }
}

function compareKeys(a: SortKey, b: SortKey, kind: Kind): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (kind === 'text') return compareStrings(a as string, b as string);
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RowOrder {
  sort(rows: Row[]): Row[];
  /** > 0 when `row` sorts after the position described by `last` (the values of the last row served). */
  after(row: Row, last: { column: string; value: unknown }[]): number;
}

export function rowOrder(order: OrderItem[], table: Table): RowOrder {
  const columns = order.map((o) => ({ name: o.path[0], descending: o.descending, ...keyMaker(table.columns.get(o.path[0])?.edmType) }));
  const keyOf = (c: (typeof columns)[number], v: unknown): SortKey => (v === null || v === undefined ? null : c.key(v));
  return {
    sort(rows) {
      const keyed = rows.map((row) => ({ row, keys: columns.map((c) => keyOf(c, row[c.name])) }));
      keyed.sort((x, y) => {
        for (let i = 0; i < columns.length; i++) {
          const c = compareKeys(x.keys[i], y.keys[i], columns[i].kind);
          if (c !== 0) return columns[i].descending ? -c : c;
        }
        return 0;
      });
      return keyed.map((k) => k.row);
    },
    after(row, last) {
      for (let i = 0; i < last.length && i < columns.length; i++) {
        const c = compareKeys(keyOf(columns[i], row[columns[i].name]), keyOf(columns[i], last[i].value), columns[i].kind);
        if (c !== 0) return columns[i].descending ? -c : c;
      }
      return 0;
    },
  };
}
