/**
 * A `$filter` builder that makes injection impossible: column names must be identifiers or paths, values are
 * serialized as literals of their Edm type (from typed(), the column lookup, or inference), and the only way to
 * put free text into a filter is an explicit raw().
 *
 *   const f = filterBuilder({ columnType: (c) => types[c] });
 *   f.and(f.eq('name', userText), f.or(f.gt('revenue', 1000), f.isNull('revenue')), f.crm.LastXDays('createdon', 7))
 */
import type { ColumnTypeLookup, TypedValue } from './edm-types';
import { canonicalValue } from './edm-values';
import { makeFilter, parenthesized, raw, isFilter, type Filter, type FilterPart } from './filter-text';
import { assertPropertyPath } from './identifiers';
import { literalOf, quoteString, resolveValue } from './literals';
import { makeQueryFunctions, type DataverseQueryFunctions } from './query-functions';

const COLUMN = Symbol('odata.columnReference');

/** The right-hand side names another column of the same row (`firstname eq lastname`). */
export interface ColumnReference {
  readonly [COLUMN]: string;
}

export type FilterValue = string | number | bigint | boolean | null | Date | Uint8Array | TypedValue | ColumnReference;

export interface FilterBuilderOptions {
  /** The Edm type of a column (or path) from metadata; without it the type is inferred from the value. */
  columnType?: ColumnTypeLookup;
  /**
   * Dataverse runs contains/startswith/endswith as SQL LIKE, where `%`, `_` and `[` in the value are wildcards.
   * 'escape' (default) brackets them so the text matches as typed; 'keep' passes them through (also right for
   * services that do not use LIKE). One call can opt out with `{ pattern: true }`.
   */
  likeWildcards?: 'escape' | 'keep';
  /** Dataverse query function parameters inline (default) or as parameter aliases (`@p1`). */
  queryFunctionValues?: 'inline' | 'aliases';
}

export interface StringMatchOptions {
  /** The value is a LIKE pattern: its wildcards are kept even when the builder escapes them. */
  pattern?: boolean;
}

export interface LambdaOptions {
  /** Column types of the related rows; default: the outer lookup asked with `<navigation>/<column>`. */
  columnType?: ColumnTypeLookup;
}

type Comparison = (column: string, value: FilterValue) => Filter;

export interface FilterBuilder {
  eq: Comparison;
  ne: Comparison;
  gt: Comparison;
  ge: Comparison;
  lt: Comparison;
  le: Comparison;
  isNull(column: string): Filter;
  isNotNull(column: string): Filter;
  /** `(c eq v1 or c eq v2 …)`: a portable alternative to In (F&O has neither `in` nor the Dataverse functions). */
  oneOf(column: string, values: readonly FilterValue[]): Filter;
  contains(column: string, text: string, options?: StringMatchOptions): Filter;
  startswith(column: string, text: string, options?: StringMatchOptions): Filter;
  endswith(column: string, text: string, options?: StringMatchOptions): Filter;
  /** Undefined operands are skipped, so optional conditions can be passed inline; at least one must remain. */
  and(...filters: (Filter | undefined)[]): Filter;
  or(...filters: (Filter | undefined)[]): Filter;
  not(filter: Filter): Filter;
  /** `nav/any(o:…)` over a collection-valued navigation property; `nav/any()` without a predicate. */
  any(navigation: string, predicate?: (related: FilterBuilder) => Filter, options?: LambdaOptions): Filter;
  all(navigation: string, predicate: (related: FilterBuilder) => Filter, options?: LambdaOptions): Filter;
  column(path: string): ColumnReference;
  raw(text: string): Filter;
  /** Dataverse query functions: `f.crm.In('statecode', [0, 1])`, `f.crm.LastXDays('createdon', 7)`… */
  crm: DataverseQueryFunctions;
}

interface Scope {
  options: FilterBuilderOptions;
  columnType?: ColumnTypeLookup;
  /** Lambda variable and '/' inside any()/all(), '' outside. */
  variable: string;
  depth: number;
}

function isColumnReference(value: unknown): value is ColumnReference {
  return typeof value === 'object' && value !== null && typeof (value as ColumnReference)[COLUMN] === 'string';
}

// T-SQL LIKE: a wildcard in brackets matches itself.
function escapeLike(text: string): string {
  return text.replace(/[%_[]/g, (ch) => `[${ch}]`);
}

function joinWith(operator: 'and' | 'or', filters: (Filter | undefined)[]): Filter {
  const present = filters.filter((x): x is Filter => x !== undefined);
  if (present.length === 0) throw new TypeError(`${operator}() needs at least one filter.`);
  present.forEach((x) => {
    if (!isFilter(x)) throw new TypeError(`${operator}() accepts filters from the builder or raw() only.`);
  });
  if (present.length === 1) return present[0];
  const parts: FilterPart[] = [];
  present.forEach((x, i) => {
    if (i > 0) parts.push(` ${operator} `);
    parts.push(...(operator === 'and' && x.level === 'or' ? parenthesized(x) : x.parts));
  });
  return makeFilter(operator, parts);
}

function makeBuilder(scope: Scope): FilterBuilder {
  const path = (column: string) => scope.variable + assertPropertyPath(column);
  const literal = (column: string, value: FilterValue): string => {
    if (isColumnReference(value)) return path(value[COLUMN]);
    return literalOf(resolveValue(value, assertPropertyPath(column), scope.columnType));
  };
  const compare =
    (op: string): Comparison =>
    (column, value) =>
      makeFilter('comparison', [`${path(column)} ${op} ${literal(column, value)}`]);
  const stringFunction =
    (name: string) =>
    (column: string, text: string, options: StringMatchOptions = {}): Filter => {
      const value = canonicalValue(text, 'Edm.String', column).text;
      const escape = scope.options.likeWildcards !== 'keep' && !options.pattern;
      return makeFilter('primary', [`${name}(${path(column)},${quoteString(escape ? escapeLike(value) : value)})`]);
    };
  const lambda = (kind: 'any' | 'all') => (navigation: string, predicate?: (b: FilterBuilder) => Filter, options: LambdaOptions = {}) => {
    const nav = path(navigation);
    if (!predicate) return makeFilter('primary', [`${nav}/${kind}()`]);
    const name = scope.depth === 0 ? 'o' : `o${scope.depth}`;
    const outer = scope.columnType;
    const related = makeBuilder({
      options: scope.options,
      columnType: options.columnType ?? (outer && ((c: string) => outer(`${navigation}/${c}`))),
      variable: `${name}/`,
      depth: scope.depth + 1,
    });
    const inner = predicate(related);
    if (!isFilter(inner)) throw new TypeError(`The ${kind}() predicate must return a filter from the builder it is given.`);
    return makeFilter('primary', [`${nav}/${kind}(${name}:`, ...inner.parts, ')']);
  };
  const builder: FilterBuilder = {
    eq: compare('eq'),
    ne: compare('ne'),
    gt: compare('gt'),
    ge: compare('ge'),
    lt: compare('lt'),
    le: compare('le'),
    isNull: (column) => makeFilter('comparison', [`${path(column)} eq null`]),
    isNotNull: (column) => makeFilter('comparison', [`${path(column)} ne null`]),
    oneOf: (column, values) => {
      if (!Array.isArray(values) || values.length === 0) throw new TypeError(`oneOf('${column}') needs a non-empty array of values.`);
      const alternatives = joinWith('or', values.map((v) => builder.eq(column, v)));
      return values.length > 1 ? makeFilter('primary', parenthesized(alternatives)) : alternatives;
    },
    contains: stringFunction('contains'),
    startswith: stringFunction('startswith'),
    endswith: stringFunction('endswith'),
    and: (...filters) => joinWith('and', filters),
    or: (...filters) => joinWith('or', filters),
    not: (filter) => {
      if (!isFilter(filter)) throw new TypeError('not() accepts a filter from the builder or raw() only.');
      return makeFilter('not', ['not ', ...parenthesized(filter)]);
    },
    any: lambda('any'),
    all: (navigation, predicate, options) => {
      if (typeof predicate !== 'function') throw new TypeError(`all('${navigation}') needs a predicate.`);
      return lambda('all')(navigation, predicate, options);
    },
    column: (columnPath) => ({ [COLUMN]: assertPropertyPath(columnPath) }),
    raw,
    crm: makeQueryFunctions({ columnType: scope.columnType, values: scope.options.queryFunctionValues }),
  };
  return builder;
}

export function filterBuilder(options: FilterBuilderOptions = {}): FilterBuilder {
  return makeBuilder({ options, columnType: options.columnType, variable: '', depth: 0 });
}
