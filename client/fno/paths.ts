/**
 * Entity paths and query strings for F&O: composite keys with `dataAreaId` filled from the company, literals typed
 * by the model (quoted strings with doubled quotes, `Microsoft.Dynamics.DataEntities.NoYes'Yes'`, bare numbers and
 * dates), and the company scope of a query (`cross-company=true` with a `dataAreaId` filter).
 */
import { D365Error } from '../http/errors';
import { isFilter, renderFilter, type Filter } from '../odata/filter-text';
import { assertIdentifier } from '../odata/identifiers';
import type { EntityKey } from '../odata/literals';
import { buildQueryString, entityPath, type ExpandOption, type ODataQuery } from '../odata/query';
import { checkCompanyId, type FnoContext } from './context';
import { invalidArgument } from './errors';
import { companyFilter, type EntitySetShape } from './schema';

/** Named key parts (`{ CustomerAccount: 'US-001' }`, `dataAreaId` optional when a company is known) or one value. */
export type FnoKey = EntityKey;

export interface CompanyOptions {
  /** The legal entity of this call; default the client's company, else the user's default company. */
  company?: string;
  /** Rows of every legal entity the user can access (`cross-company=true`); ignored when `company` is given. */
  crossCompany?: boolean;
}

export interface FnoQuery {
  select?: string[];
  filter?: string | Filter;
  orderBy?: ODataQuery['orderBy'];
  top?: number;
  skip?: number;
  /** One level only: F&O does not expand inside an expansion. */
  expand?: (string | ExpandOption)[];
  count?: boolean;
}

export function setName(set: string): string {
  try {
    return assertIdentifier(set, 'entity set name');
  } catch (e) {
    throw invalidArgument(`Invalid entity set: ${(e as Error).message}`, e);
  }
}

/** The company a call is scoped to, or undefined for the user's default company. */
export function companyOf(ctx: FnoContext, options: CompanyOptions): string | undefined {
  if (options.company !== undefined) return checkCompanyId(options.company);
  return options.crossCompany ? undefined : ctx.company;
}

function isNamedKey(key: FnoKey): key is Readonly<Record<string, unknown>> {
  return typeof key === 'object' && key !== null && !(key instanceof Date) && !(key instanceof Uint8Array) && Object.getPrototypeOf(key) === Object.prototype;
}

/** `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`, encoded, with the key checked against the model. */
export function rowPath(shape: EntitySetShape, key: FnoKey, company: string | undefined): string {
  const set = setName(shape.set);
  let full: FnoKey = key;
  if (isNamedKey(key)) {
    const named: Record<string, unknown> = { ...key };
    if (shape.companySpecific !== false && named.dataAreaId === undefined) {
      if (company === undefined && shape.companySpecific) {
        throw invalidArgument(`The key of '${set}' needs dataAreaId (the legal entity): put it in the key or set the company of the client or the call.`);
      }
      if (company !== undefined) named.dataAreaId = company;
    }
    if (shape.key.length) {
      const unknown = Object.keys(named).filter((k) => !shape.key.includes(k));
      if (unknown.length) throw invalidArgument(`'${unknown.join("', '")}' ${unknown.length > 1 ? 'are not key fields' : 'is not a key field'} of '${set}'; its key is (${shape.key.join(', ')}).`);
      const missing = shape.key.filter((k) => named[k] === undefined || named[k] === null);
      if (missing.length) throw invalidArgument(`The key of '${set}' needs every key field (${shape.key.join(', ')}); missing: ${missing.join(', ')}.`);
      // Declaration order, dataAreaId first, as F&O writes its own edit links.
      full = Object.fromEntries(shape.key.map((k) => [k, named[k]]));
    } else {
      full = named;
    }
  } else if (shape.key.length > 1) {
    throw invalidArgument(`The key of '${set}' has ${shape.key.length} fields (${shape.key.join(', ')}); give them by name, e.g. { ${shape.key.map((k) => `${k}: …`).join(', ')} }.`);
  }
  try {
    return entityPath(set, full, { columnType: shape.columnType });
  } catch (e) {
    if (e instanceof D365Error) throw e;
    throw invalidArgument(`Invalid key for '${set}': ${(e as Error).message}`, e);
  }
}

/** The key parts of a row as a key object, for follow-up calls on a row just read or created. */
export function keyOfRow(shape: EntitySetShape, row: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!shape.key.length || shape.key.some((k) => row[k] === undefined || row[k] === null)) return undefined;
  return Object.fromEntries(shape.key.map((k) => [k, row[k]]));
}

function expandItems(items: (string | ExpandOption)[]): ExpandOption[] {
  return items.map((item) => {
    const option: ExpandOption = typeof item === 'string' ? { property: item } : item;
    if (option.expand !== undefined) throw invalidArgument(`F&O expands one level only: '${option.property}' cannot expand further.`);
    if (option.filter !== undefined || option.orderBy !== undefined || option.top !== undefined) {
      throw invalidArgument(`F&O supports only select inside an expansion ('${option.property}').`);
    }
    return option;
  });
}

/** `?$select=…&$filter=(…) and dataAreaId eq 'usmf'&cross-company=true` */
export function collectionQuery(shape: EntitySetShape, query: FnoQuery, company: string | undefined, crossCompany: boolean): string {
  const filters: string[] = [];
  if (query.filter !== undefined) {
    const text = isFilter(query.filter) ? renderFilter(query.filter) : query.filter;
    if (!text.trim()) throw invalidArgument('The filter is empty.');
    filters.push(text);
  }
  const scoped = company !== undefined && shape.companySpecific !== false;
  if (scoped) filters.push(companyFilter(company));
  const filter = filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : filters.map((f) => `(${f})`).join(' and ');
  try {
    return buildQueryString({
      select: query.select,
      filter,
      orderBy: query.orderBy,
      top: query.top,
      skip: query.skip,
      expand: query.expand && expandItems(query.expand),
      count: query.count,
      crossCompany: scoped || crossCompany,
    });
  } catch (e) {
    if (e instanceof D365Error) throw e;
    throw invalidArgument(`Invalid query for '${shape.set}': ${(e as Error).message}`, e);
  }
}
