/**
 * Query strings and entity paths. Every option is built as OData text first and percent-encoded on its own
 * afterwards (odata.md §1.3), so a value can never add an option (`&`), start a fragment (`#`) or turn into a space
 * (`+`). Parameter aliases used by filters (also inside $expand) are numbered once per query.
 */
import type { ColumnTypeLookup } from './edm-types';
import { AliasAllocator, isFilter, renderFilter, type Filter } from './filter-text';
import { assertIdentifier, assertPropertyPath } from './identifiers';
import { keyPredicate, type EntityKey } from './literals';
import { encodeODataText, encodeOpaque } from './url-encoding';

export type OrderByItem = string | { column: string; descending?: boolean } | Filter;

export interface ExpandOption {
  /** Navigation property to expand. */
  property: string;
  select?: string[];
  filter?: string | Filter;
  orderBy?: OrderByItem[];
  top?: number;
  expand?: ExpandOption[];
}

export interface ODataQuery {
  select?: string[];
  /** A builder Filter, or OData filter text as written (not yet percent-encoded). */
  filter?: string | Filter;
  orderBy?: OrderByItem[];
  top?: number;
  /** F&O only: Dataverse does not support $skip (page with nextLink). */
  skip?: number;
  expand?: ExpandOption[];
  count?: boolean;
  /** `$apply` aggregation text as written, e.g. `groupby((statecode),aggregate($count as count))`. */
  apply?: string;
  /** The server's skip token, decoded (as read from the nextLink's query); prefer following nextLink as is. */
  skipToken?: string;
  /** F&O `cross-company=true`: rows of every legal entity the user can access. */
  crossCompany?: boolean;
  /** Parameter aliases for raw text that uses them: `{ '@p1': "'lastname'" }` (values are OData literals). */
  aliases?: Record<string, string>;
}

function checkCount(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`Invalid ${option} ${String(value)}: expected a non-negative integer.`);
  }
  return value;
}

function selectText(select: string[]): string {
  if (!Array.isArray(select) || select.length === 0) throw new TypeError('select needs at least one column.');
  return select.map((c) => assertPropertyPath(c, 'select column')).join(',');
}

function orderByText(items: OrderByItem[], aliases: AliasAllocator): string {
  if (!Array.isArray(items) || items.length === 0) throw new TypeError('orderBy needs at least one item.');
  return items
    .map((item) => {
      if (isFilter(item)) return renderFilter(item, aliases);
      if (typeof item === 'string') {
        const m = /^\s*(\S+?)(?:\s+(asc|desc))?\s*$/i.exec(item);
        if (!m) throw new TypeError(`Invalid orderBy item '${item}': expected 'column', 'column asc' or 'column desc'.`);
        return m[2] ? `${assertPropertyPath(m[1], 'orderBy column')} ${m[2].toLowerCase()}` : assertPropertyPath(m[1], 'orderBy column');
      }
      const column = assertPropertyPath(item?.column, 'orderBy column');
      return item.descending ? `${column} desc` : column;
    })
    .join(',');
}

function filterText(filter: string | Filter, aliases: AliasAllocator): string {
  const text = renderFilter(filter, aliases);
  if (text.trim() === '') throw new TypeError('filter text is empty.');
  return text;
}

function expandText(items: ExpandOption[], aliases: AliasAllocator): string {
  if (!Array.isArray(items) || items.length === 0) throw new TypeError('expand needs at least one navigation property.');
  return items
    .map((item) => {
      const nested: string[] = [];
      if (item.select !== undefined) nested.push(`$select=${selectText(item.select)}`);
      if (item.filter !== undefined) nested.push(`$filter=${filterText(item.filter, aliases)}`);
      if (item.orderBy !== undefined) nested.push(`$orderby=${orderByText(item.orderBy, aliases)}`);
      if (item.top !== undefined) nested.push(`$top=${checkCount(item.top, '$top')}`);
      if (item.expand !== undefined) nested.push(`$expand=${expandText(item.expand, aliases)}`);
      const name = assertIdentifier(item?.property, 'expand navigation property');
      return nested.length > 0 ? `${name}(${nested.join(';')})` : name;
    })
    .join(',');
}

function aliasName(name: string): string {
  return `@${assertIdentifier(name.replace(/^@/, ''), 'parameter alias name')}`;
}

/** `''` or `?$select=…&$filter=…`, each option value percent-encoded separately. */
export function buildQueryString(query: ODataQuery = {}): string {
  const userAliases = Object.entries(query.aliases ?? {}).map(([name, value]): [string, string] => [aliasName(name), value]);
  const aliases = new AliasAllocator(new Set(userAliases.map(([name]) => name)));
  const options: [string, string][] = [];
  if (query.select !== undefined) options.push(['$select', selectText(query.select)]);
  if (query.filter !== undefined) options.push(['$filter', filterText(query.filter, aliases)]);
  if (query.orderBy !== undefined) options.push(['$orderby', orderByText(query.orderBy, aliases)]);
  if (query.top !== undefined) options.push(['$top', String(checkCount(query.top, '$top'))]);
  if (query.skip !== undefined) options.push(['$skip', String(checkCount(query.skip, '$skip'))]);
  if (query.expand !== undefined) options.push(['$expand', expandText(query.expand, aliases)]);
  if (query.count) options.push(['$count', 'true']);
  if (query.apply !== undefined) options.push(['$apply', query.apply]);
  if (query.crossCompany) options.push(['cross-company', 'true']);
  for (const [name, value] of [...userAliases, ...aliases.entries()]) {
    if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`Parameter alias ${name} needs a value.`);
    options.push([name, value]);
  }
  const parts = options.map(([name, value]) => `${name}=${encodeODataText(value)}`);
  if (query.skipToken !== undefined) parts.push(`$skiptoken=${encodeOpaque(query.skipToken)}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** `accounts(00000000-…)`, `accounts(accountnumber='A''1')`, `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`. */
export function entityPath(setName: string, key: EntityKey, options: { columnType?: ColumnTypeLookup } = {}): string {
  return assertIdentifier(setName, 'entity set name') + encodeODataText(keyPredicate(key, options.columnType));
}

/** Adds a query (an ODataQuery or a built query string) to a URL that may already have one. */
export function appendQuery(url: string, query: ODataQuery | string): string {
  const built = typeof query === 'string' ? query.replace(/^[?&]/, '') : buildQueryString(query).slice(1);
  if (built === '') return url;
  const [base, fragment] = url.split(/(?=#)/, 2);
  const joiner = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${joiner}${built}${fragment ?? ''}`;
}
