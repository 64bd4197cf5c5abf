/**
 * Runs a parsed FetchXML query over in-memory rows: join link-entities, filter, sort, project (nulls left out),
 * then page by `page`/`count` or, when a paging cookie is given, continue after the cookie's last row.
 */
import { aggregateRecords, type AggregateColumn } from './aggregate';
import { compileFilter, type ConditionContext, type JoinedRecord } from './conditions';
import { FetchXmlError, UNKNOWN_ENTITY } from './errors';
import { buildInnerCookie, parseInnerCookie } from './inner-cookie';
import { joinLink, planScopes, type QueryScope } from './joins';
import { MAX_PAGE_SIZE } from './parse-fetchxml';
import type { FetchAttribute, FetchQuery } from './query';
import {
  compareNullable,
  inferKind,
  kindOfEdmType,
  normalize,
  readColumn,
  type ColumnKind,
  type Comparable,
  type Row,
  type ValueKind,
} from './values';

export interface FetchSource {
  /** Rows of a table by logical name; undefined when the table does not exist. */
  rows(entityLogicalName: string): Record<string, unknown>[] | undefined;
  /** Edm type name of a column (`Edm.String`, `Edm.Guid`, ...); undefined lets the emulator infer it from data. */
  attributeType(entity: string, attribute: string): string | undefined;
  primaryKey(entity: string): string;
  now: Date;
  userId: string;
}

export interface FetchResult {
  rows: Record<string, unknown>[];
  moreRecords: boolean;
  /** Inner cookie for the page just returned, present when more records follow ('' when no cookie can be made). */
  pagingCookie?: string;
  /** With `returntotalrecordcount`: all matching rows, capped at 5,000 like Dataverse. */
  totalRecordCount?: number;
  totalRecordCountLimitExceeded?: boolean;
}

interface SortSpec {
  index: number;
  attribute: string;
  kind: ValueKind;
  descending: boolean;
}

/** Memoizes table reads and column kinds for one evaluation. */
class SourceData {
  private readonly tables = new Map<string, Row[]>();
  private readonly kinds = new Map<string, ColumnKind>();
  constructor(readonly source: FetchSource) {}

  rows(entity: string): Row[] {
    let rows = this.tables.get(entity);
    if (!rows) {
      rows = this.source.rows(entity);
      if (!rows) throw new FetchXmlError(`The entity with a name = '${entity}' with namemapping = 'Logical' was not found in the MetadataCache.`, UNKNOWN_ENTITY);
      this.tables.set(entity, rows);
    }
    return rows;
  }

  kindOf(entity: string, attribute: string): ColumnKind {
    const cacheKey = `${entity}\u0000${attribute}`;
    let kind = this.kinds.get(cacheKey);
    if (!kind) {
      const declared = kindOfEdmType(this.source.attributeType(entity, attribute) ?? this.source.attributeType(entity, `_${attribute}_value`));
      if (declared) {
        kind = { kind: declared, declared: true };
      } else {
        const sample = this.rows(entity).find((row) => readColumn(row, attribute) !== undefined);
        kind = { kind: inferKind(readColumn(sample, attribute)?.value), declared: false };
      }
      this.kinds.set(cacheKey, kind);
    }
    return kind;
  }
}

export function evaluateFetch(query: FetchQuery, source: FetchSource): FetchResult {
  const data = new SourceData(source);
  const scopes = planScopes(query);
  const findAlias = (alias: string) => scopes.find((scope) => scope.index > 0 && scope.alias.toLowerCase() === alias.toLowerCase());
  const ctx: ConditionContext = {
    kindOf: (entity, attribute) => data.kindOf(entity, attribute),
    scopeOfAlias: (alias) => findAlias(alias),
    now: source.now,
    userId: source.userId,
  };
  const rootFilter = compileFilter(query.filter, { index: 0, entity: query.entity }, ctx);
  let records: JoinedRecord[] = data.rows(query.entity).map((row) => [row]);
  for (const scope of scopes.slice(1)) {
    const filter = compileFilter(scope.link!.filter, { index: scope.index, entity: scope.entity, ownScope: scope.alias }, ctx);
    records = joinLink(records, scope, data.rows(scope.entity), filter);
  }
  records = records.filter(rootFilter);
  return query.aggregate ? aggregateResult(query, scopes, records, data) : rowResult(query, scopes, records, data, findAlias);
}

function rowResult(
  query: FetchQuery,
  scopes: QueryScope[],
  records: JoinedRecord[],
  data: SourceData,
  findAlias: (alias: string) => QueryScope | undefined,
): FetchResult {
  const pk = data.source.primaryKey(query.entity);
  const specs: SortSpec[] = [];
  for (const scope of scopes) {
    for (const order of scope.orders) {
      if (order.attribute === undefined) throw new FetchXmlError(`Ordering by alias ('${order.alias}') is only supported in aggregate queries; use attribute.`);
      const target = order.entityName === undefined ? scope : findAlias(order.entityName);
      if (!target) throw new FetchXmlError(`The entityname '${order.entityName}' of an <order> is not the alias of a link-entity.`);
      specs.push({ index: target.index, attribute: order.attribute, kind: data.kindOf(target.entity, order.attribute).kind, descending: order.descending });
    }
  }
  // The primary key makes the order total, which is what lets a cookie resume without gaps or repeats.
  specs.push({ index: 0, attribute: pk, kind: data.kindOf(query.entity, pk).kind, descending: false });

  const keyed = records.map((record) => ({
    record,
    key: specs.map((spec) => normalize(readColumn(record[spec.index], spec.attribute)?.value, spec.kind)),
  }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, specs));
  let rows = keyed.map(({ record }) => project(record, scopes, pk, query.distinct));
  if (query.distinct) rows = dedupe(rows);

  const total = rows.length;
  const totals = query.returnTotalRecordCount
    ? { totalRecordCount: Math.min(total, MAX_PAGE_SIZE), totalRecordCountLimitExceeded: total > MAX_PAGE_SIZE }
    : {};
  if (query.top !== undefined) return { rows: rows.slice(0, query.top), moreRecords: false, ...totals };

  const size = query.count ?? MAX_PAGE_SIZE;
  const page = query.page ?? 1;
  const cookieUsable =
    !query.distinct && specs.every((spec) => spec.index === 0) && new Set(keyed.map(({ key }) => key[key.length - 1])).size === keyed.length;
  let start = (page - 1) * size;
  if (page > 1 && query.pagingCookie !== undefined && cookieUsable) {
    const probe = probeFromCookie(query.pagingCookie, specs);
    if (probe) {
      const next = keyed.findIndex(({ key }) => compareKeys(key, probe, specs) > 0);
      start = next < 0 ? keyed.length : next;
    }
  }
  const end = Math.min(start + size, rows.length);
  const result: FetchResult = { rows: rows.slice(start, end), moreRecords: end < rows.length, ...totals };
  if (result.moreRecords) {
    result.pagingCookie = cookieUsable && end > start ? cookieFor(page, specs, keyed[start].record, keyed[end - 1].record) : '';
  }
  return result;
}

function compareKeys(a: Array<Comparable | null>, b: Array<Comparable | null>, specs: SortSpec[]): number {
  for (let i = 0; i < specs.length; i++) {
    const order = compareNullable(a[i], b[i]);
    if (order !== 0) return specs[i].descending ? -order : order;
  }
  return 0;
}

function cookieFor(page: number, specs: SortSpec[], first: JoinedRecord, last: JoinedRecord): string {
  const names = [...new Set(specs.map((spec) => spec.attribute))];
  return buildInnerCookie(
    page,
    names.map((name) => ({ name, last: readColumn(last[0], name)?.value, first: readColumn(first[0], name)?.value })),
  );
}

/** The sort key of the cookie's last row; undefined when the cookie lacks a sort column (then paging uses offsets). */
function probeFromCookie(cookie: string, specs: SortSpec[]): Array<Comparable | null> | undefined {
  const parsed = parseInnerCookie(cookie);
  if (!parsed) return undefined;
  const probe: Array<Comparable | null> = [];
  for (const spec of specs) {
    const name = spec.attribute.toLowerCase();
    if (!parsed.last.has(name)) return undefined;
    const value = parsed.last.get(name);
    probe.push(value === null || value === undefined ? null : normalize(value, spec.kind));
  }
  return probe;
}

function project(record: JoinedRecord, scopes: QueryScope[], pk: string, distinct: boolean): Row {
  const entries: Array<[string, unknown]> = [];
  const seen = new Set<string>();
  const put = (key: string, value: unknown) => {
    if (!seen.has(key)) {
      seen.add(key);
      entries.push([key, value]);
    }
  };
  for (const scope of scopes) {
    const row = record[scope.index];
    if (!row) continue;
    // Root columns keep their Web API names (`_x_value` for lookups); linked ones are `alias.column`.
    const name = (key: string) => (scope.index === 0 ? key : `${scope.alias}.${/^_(.+)_value$/.exec(key)?.[1] ?? key}`);
    if (scope.attributes === 'all') {
      for (const [key, value] of Object.entries(row)) if (value !== null && value !== undefined) put(name(key), value);
    } else {
      for (const attribute of scope.attributes) {
        const column = readColumn(row, attribute.name);
        if (column) put(attribute.alias ?? name(scope.index === 0 ? column.key : attribute.name), column.value);
      }
    }
    if (scope.index === 0 && !distinct) {
      const key = readColumn(row, pk);
      if (key) put(key.key, key.value);
    }
  }
  return Object.fromEntries(entries);
}

function dedupe(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = JSON.stringify(Object.entries(row));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function aggregateResult(query: FetchQuery, scopes: QueryScope[], records: JoinedRecord[], data: SourceData): FetchResult {
  const columns: AggregateColumn[] = scopes.flatMap((scope) =>
    (scope.attributes as FetchAttribute[]).map((attribute) => ({ scope, attribute, kind: data.kindOf(scope.entity, attribute.name).kind })),
  );
  const rows = aggregateRecords(records, columns);
  const orders = scopes.flatMap((scope) => scope.orders);
  const sortAliases = orders.map((order) => {
    if (order.alias !== undefined) return { alias: order.alias, descending: order.descending };
    const column = columns.find((c) => c.attribute.groupBy && c.attribute.name === order.attribute);
    if (!column) throw new FetchXmlError(`In an aggregate query, order by the alias of a groupby or aggregate attribute, not '${order.attribute}'.`);
    return { alias: column.attribute.alias!, descending: order.descending };
  });
  if (sortAliases.length > 0) {
    const kinds = sortAliases.map(({ alias }) => inferKind(rows.find((row) => row[alias] !== undefined)?.[alias]));
    const keys = new Map(rows.map((row) => [row, sortAliases.map(({ alias }, i) => normalize(row[alias], kinds[i]))]));
    rows.sort((a, b) => {
      for (let i = 0; i < sortAliases.length; i++) {
        const order = compareNullable(keys.get(a)![i], keys.get(b)![i]);
        if (order !== 0) return sortAliases[i].descending ? -order : order;
      }
      return 0;
    });
  }
  const totals = query.returnTotalRecordCount ? { totalRecordCount: Math.min(rows.length, MAX_PAGE_SIZE), totalRecordCountLimitExceeded: rows.length > MAX_PAGE_SIZE } : {};
  if (query.top !== undefined) return { rows: rows.slice(0, query.top), moreRecords: false, ...totals };
  const size = query.count ?? MAX_PAGE_SIZE;
  const start = ((query.page ?? 1) - 1) * size;
  const moreRecords = start + size < rows.length;
  return { rows: rows.slice(start, start + size), moreRecords, ...(moreRecords ? { pagingCookie: '' } : {}), ...totals };
}
