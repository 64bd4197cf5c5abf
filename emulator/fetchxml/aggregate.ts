/** `<fetch aggregate="true">`: group the joined records and compute count/countcolumn/sum/avg/min/max per group. */
import type { JoinedRecord } from './conditions';
import { datePart } from './date-ranges';
import { AGGREGATE_LIMIT, FetchXmlError } from './errors';
import type { QueryScope } from './joins';
import type { FetchAttribute } from './query';
import { compareValues, normalize, readColumn, type Comparable, type Row, type ValueKind } from './values';

export interface AggregateColumn {
  scope: QueryScope;
  /** Has an alias (the parser requires one) and either an aggregate or groupby. */
  attribute: FetchAttribute;
  kind: ValueKind;
}

/** Dataverse refuses aggregates over more than 50,000 rows. */
export const MAX_AGGREGATE_RECORDS = 50_000;

interface Accumulator {
  count: number;
  distinct: Set<string>;
  sum: number;
  best?: { raw: unknown; value: Comparable };
}

/** Decimal columns hold at most 10 decimal places; this also hides binary floating-point noise in sums. */
const round = (value: number) => Math.round(value * 1e10) / 1e10;

export function aggregateRecords(records: JoinedRecord[], columns: AggregateColumn[]): Row[] {
  if (records.length > MAX_AGGREGATE_RECORDS) {
    throw new FetchXmlError('AggregateQueryRecordLimit exceeded. Cannot perform this operation.', AGGREGATE_LIMIT);
  }
  const groupColumns = columns.filter((column) => column.attribute.aggregate === undefined);
  const aggregateColumns = columns.filter((column) => column.attribute.aggregate !== undefined);
  const groups = new Map<string, { values: unknown[]; accumulators: Accumulator[] }>();
  const newGroup = (values: unknown[]) => ({
    values,
    accumulators: aggregateColumns.map(() => ({ count: 0, distinct: new Set<string>(), sum: 0 })),
  });

  for (const record of records) {
    const values = groupColumns.map((column) => groupValue(record, column));
    const key = JSON.stringify(values.map((value, i) => (value === undefined ? null : normalize(value, groupColumns[i].attribute.dateGrouping ? 'number' : groupColumns[i].kind))));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = newGroup(values)));
    aggregateColumns.forEach((column, i) => accumulate(group!.accumulators[i], column, readColumn(record[column.scope.index], column.attribute.name)?.value));
  }
  // Without groupby SQL still answers one row (count 0) for no input.
  if (groups.size === 0 && groupColumns.length === 0) groups.set('', newGroup([]));

  return [...groups.values()].map((group) => {
    const entries: Array<[string, unknown]> = [];
    for (const column of columns) {
      const groupIndex = groupColumns.indexOf(column);
      const value = groupIndex >= 0 ? group.values[groupIndex] : result(group.accumulators[aggregateColumns.indexOf(column)], column);
      // FetchXML leaves null values out of the row.
      if (value !== undefined && value !== null) entries.push([column.attribute.alias!, value]);
    }
    return Object.fromEntries(entries);
  });
}

function groupValue(record: JoinedRecord, column: AggregateColumn): unknown {
  const raw = readColumn(record[column.scope.index], column.attribute.name)?.value;
  if (raw === undefined || !column.attribute.dateGrouping) return raw;
  const time = normalize(raw, 'datetime');
  return time === null ? undefined : datePart(time as number, column.attribute.dateGrouping);
}

function accumulate(acc: Accumulator, column: AggregateColumn, raw: unknown): void {
  const { aggregate, distinct } = column.attribute;
  if (aggregate === 'count' && !distinct) {
    acc.count++;
    return;
  }
  if (raw === undefined) return;
  if (aggregate === 'count' || aggregate === 'countcolumn') {
    if (distinct) acc.distinct.add(JSON.stringify(normalize(raw, column.kind)));
    else acc.count++;
    return;
  }
  if (aggregate === 'sum' || aggregate === 'avg') {
    const number = normalize(raw, 'number');
    if (number === null) return;
    acc.sum += number as number;
    acc.count++;
    return;
  }
  const value = normalize(raw, column.kind);
  if (value === null) return;
  const order = acc.best ? compareValues(value, acc.best.value) : 0;
  if (!acc.best || (aggregate === 'min' ? order < 0 : order > 0)) acc.best = { raw, value };
}

function result(acc: Accumulator, column: AggregateColumn): unknown {
  switch (column.attribute.aggregate) {
    case 'count':
    case 'countcolumn':
      return column.attribute.distinct ? acc.distinct.size : acc.count;
    case 'sum':
      return acc.count > 0 ? round(acc.sum) : undefined;
    case 'avg':
      return acc.count > 0 ? round(acc.sum / acc.count) : undefined;
    default:
      return acc.best?.raw;
  }
}
