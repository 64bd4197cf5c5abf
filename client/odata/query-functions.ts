/**
 * The Microsoft.Dynamics.CRM query functions (dataverse-web-api.md §5.4), serialized as Dataverse documents them:
 * `Microsoft.Dynamics.CRM.In(PropertyName='statecode',PropertyValues=["0","1"])`. PropertyValues is a JSON array
 * of double-quoted strings (single-quoted arrays are not valid OData ABNF and break on values with quotes), or,
 * with `queryFunctionValues: 'aliases'`, every parameter travels as a parameter alias (`PropertyName=@p1`).
 */
import { canonicalValue } from './edm-values';
import type { ColumnTypeLookup } from './edm-types';
import { makeFilter, type Filter, type FilterPart } from './filter-text';
import { assertPropertyPath } from './identifiers';
import { jsonString, quoteString, resolveValue } from './literals';

export const DATAVERSE_FUNCTION_NAMESPACE = 'Microsoft.Dynamics.CRM';

const COLUMN_ONLY = [
  'Today', 'Yesterday', 'Tomorrow', 'Last7Days', 'Next7Days', 'ThisWeek', 'ThisMonth', 'ThisYear', 'LastWeek',
  'LastMonth', 'LastYear', 'NextWeek', 'NextMonth', 'NextYear', 'ThisFiscalPeriod', 'ThisFiscalYear',
  'LastFiscalPeriod', 'LastFiscalYear', 'NextFiscalPeriod', 'NextFiscalYear', 'EqualUserId', 'NotEqualUserId',
  'EqualBusinessId', 'NotEqualBusinessId', 'EqualUserLanguage', 'EqualUserOrUserHierarchy',
  'EqualUserOrUserHierarchyAndTeams', 'EqualUserOrUserTeams', 'EqualUserTeams',
] as const;
/** PropertyValue is an Edm.Int64 count (days, hours, …) or a fiscal year/period number. */
const WITH_NUMBER = [
  'LastXDays', 'NextXDays', 'LastXHours', 'NextXHours', 'LastXWeeks', 'NextXWeeks', 'LastXMonths', 'NextXMonths',
  'LastXYears', 'NextXYears', 'OlderThanXMinutes', 'OlderThanXHours', 'OlderThanXDays', 'OlderThanXWeeks',
  'OlderThanXMonths', 'OlderThanXYears', 'LastXFiscalPeriods', 'LastXFiscalYears', 'NextXFiscalPeriods',
  'NextXFiscalYears', 'InFiscalYear', 'InFiscalPeriod',
] as const;
/** PropertyValue is an Edm.String holding a date. */
const WITH_DATE = ['On', 'OnOrAfter', 'OnOrBefore'] as const;
/** PropertyValue is an Edm.String holding the id of a row in a hierarchy. */
const WITH_ROW_ID = ['Above', 'AboveOrEqual', 'Under', 'UnderOrEqual', 'NotUnder'] as const;
/** Full-text search, only for knowledge articles (use the builder's contains() otherwise). */
const WITH_TEXT = ['Contains'] as const;
const WITH_VALUES = ['In', 'NotIn', 'ContainValues', 'DoesNotContainValues'] as const;
const WITH_RANGE = ['Between', 'NotBetween'] as const;
const WITH_PERIOD_AND_YEAR = ['InFiscalPeriodAndYear', 'InOrAfterFiscalPeriodAndYear', 'InOrBeforeFiscalPeriodAndYear'] as const;

type Count = number | bigint | string;

export type DataverseQueryFunctions = { [K in (typeof COLUMN_ONLY)[number]]: (column: string) => Filter } & {
  [K in (typeof WITH_NUMBER)[number]]: (column: string, value: Count) => Filter;
} & { [K in (typeof WITH_DATE)[number]]: (column: string, date: Date | string) => Filter } & {
  [K in (typeof WITH_ROW_ID)[number]]: (column: string, rowId: string) => Filter;
} & { [K in (typeof WITH_TEXT)[number]]: (column: string, text: string) => Filter } & {
  [K in (typeof WITH_VALUES)[number]]: (column: string, values: readonly unknown[]) => Filter;
} & { [K in (typeof WITH_RANGE)[number]]: (column: string, from: unknown, to: unknown) => Filter } & {
  [K in (typeof WITH_PERIOD_AND_YEAR)[number]]: (column: string, period: Count, year: Count) => Filter;
};

export interface QueryFunctionSettings {
  columnType?: ColumnTypeLookup;
  /** 'inline' (default): values in the call; 'aliases': every parameter as `@pN`. */
  values?: 'inline' | 'aliases';
}

type Param = [name: string, text: string];

function call(name: string, params: Param[], settings: QueryFunctionSettings): Filter {
  const parts: FilterPart[] = [`${DATAVERSE_FUNCTION_NAMESPACE}.${name}(`];
  params.forEach(([param, text], i) => {
    parts.push(`${i > 0 ? ',' : ''}${param}=`);
    parts.push(settings.values === 'aliases' ? { aliasValue: text } : text);
  });
  parts.push(')');
  return makeFilter('primary', parts);
}

function propertyName(column: string): Param {
  return ['PropertyName', quoteString(assertPropertyPath(column))];
}

/** A PropertyValue checked as `type`; null has no meaning for these functions. */
function paramText(value: unknown, type: 'Edm.Int64' | 'Edm.Guid' | 'Edm.String' | 'Edm.Date' | 'Edm.DateTimeOffset', subject: string): string {
  const checked = canonicalValue(value, type, undefined, subject);
  if (checked.type === 'null') throw new TypeError(`Invalid ${subject}: a value is required.`);
  return checked.text;
}

/** On/OnOrAfter/OnOrBefore take a date as text: a date alone or a date and time. */
function dateText(date: unknown, subject: string): string {
  const dateOnly = typeof date === 'string' && /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(date);
  return paramText(date, dateOnly ? 'Edm.Date' : 'Edm.DateTimeOffset', subject);
}

/** PropertyValues: each value checked as the column's type, then written as a JSON string (the documented form). */
function valuesArray(column: string, values: readonly unknown[], settings: QueryFunctionSettings, fn: string): string {
  if (!Array.isArray(values) || values.length === 0) {
    throw new TypeError(`${fn}('${column}'): PropertyValues needs a non-empty array of values.`);
  }
  const texts = values.map((value) => {
    const checked = resolveValue(value, column, settings.columnType);
    if (checked.type === 'null') throw new TypeError(`${fn}('${column}'): null is not allowed in PropertyValues; use isNull().`);
    return jsonString(checked.text);
  });
  return `[${texts.join(',')}]`;
}

export function makeQueryFunctions(settings: QueryFunctionSettings): DataverseQueryFunctions {
  const fns: Record<string, (...args: any[]) => Filter> = {};
  const value = (text: string): Param => ['PropertyValue', text];
  const subject = (fn: string, param = 'PropertyValue') => `${param} of ${fn}`;
  for (const fn of COLUMN_ONLY) fns[fn] = (column: string) => call(fn, [propertyName(column)], settings);
  for (const fn of WITH_NUMBER) {
    fns[fn] = (column: string, x: Count) =>
      call(fn, [propertyName(column), value(paramText(x, 'Edm.Int64', subject(fn)))], settings);
  }
  for (const fn of WITH_DATE) {
    fns[fn] = (column: string, date: Date | string) =>
      call(fn, [propertyName(column), value(quoteString(dateText(date, subject(fn))))], settings);
  }
  for (const fn of WITH_ROW_ID) {
    fns[fn] = (column: string, id: string) =>
      call(fn, [propertyName(column), value(quoteString(paramText(id, 'Edm.Guid', subject(fn))))], settings);
  }
  for (const fn of WITH_TEXT) {
    fns[fn] = (column: string, text: string) =>
      call(fn, [propertyName(column), value(quoteString(paramText(text, 'Edm.String', subject(fn))))], settings);
  }
  for (const fn of WITH_VALUES) {
    fns[fn] = (column: string, values: readonly unknown[]) =>
      call(fn, [propertyName(column), ['PropertyValues', valuesArray(column, values, settings, fn)]], settings);
  }
  for (const fn of WITH_RANGE) {
    fns[fn] = (column: string, from: unknown, to: unknown) =>
      call(fn, [propertyName(column), ['PropertyValues', valuesArray(column, [from, to], settings, fn)]], settings);
  }
  for (const fn of WITH_PERIOD_AND_YEAR) {
    fns[fn] = (column: string, period: Count, year: Count) =>
      call(
        fn,
        [
          propertyName(column),
          ['PropertyValue1', paramText(period, 'Edm.Int64', subject(fn, 'PropertyValue1'))],
          ['PropertyValue2', paramText(year, 'Edm.Int64', subject(fn, 'PropertyValue2'))],
        ],
        settings,
      );
  }
  return fns as DataverseQueryFunctions;
}

/** Every function name this module knows, for callers that pick one by name (e.g. from a UI option). */
export const DATAVERSE_QUERY_FUNCTION_NAMES: readonly string[] = [
  ...COLUMN_ONLY, ...WITH_NUMBER, ...WITH_DATE, ...WITH_ROW_ID, ...WITH_TEXT, ...WITH_VALUES, ...WITH_RANGE, ...WITH_PERIOD_AND_YEAR,
];
