/**
 * F&O's query options over the emulator's own OData parser and evaluator: `$filter` without `in`/`has` and with
 * `eq '*retail*'` wildcards, `$select`, `$orderby`, `$top`, `$skip`, `$count`, `$expand` one level deep, and the
 * `cross-company` option.
 */
import type { EntityType } from '../../client/metadata/model';
import {
  applyFilter, applyOrderBy, ExpandItem, Expr, ODataError, OrderByItem, parseQueryOptions, ParsedQueryOptions, SelectItem,
} from '../odata';
import type { FnoService } from './context';
import { FnoError } from './context';
import { badRequest, ODATA_EXCEPTION } from './errors';

export interface FnoQuery {
  filter?: Expr;
  orderby: OrderByItem[];
  select?: string[];
  expand: { navigation: string; select?: string[] }[];
  top?: number;
  skip: number;
  count: boolean;
  crossCompany: boolean;
}

/** Runs the parser, turning its errors into the 400 F&O sends for a bad query. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ODataError) throw badRequest(e.message);
    throw e;
  }
}

export function readCrossCompany(params: URLSearchParams): boolean {
  const value = params.get('cross-company');
  if (value === null) return false;
  if (!/^(true|false)$/i.test(value)) throw badRequest(`The value '${value}' of 'cross-company' is not valid; use true or false.`);
  return value.toLowerCase() === 'true';
}

export function parseFnoQuery(params: URLSearchParams, type: EntityType, service: FnoService): FnoQuery {
  const options: ParsedQueryOptions = guarded(() => parseQueryOptions(params));
  for (const unsupported of ['apply', 'compute', 'search', 'levels', 'deltatoken'] as const) {
    if (options[unsupported] !== undefined) throw new FnoError(501, `The query option '$${unsupported}' is not supported.`, ODATA_EXCEPTION);
  }
  const filter = options.filter && rewriteFilter(options.filter, type);
  for (const item of options.orderby ?? []) checkPaths(item.expression, type);
  return {
    filter,
    orderby: options.orderby ?? [],
    select: options.select && selectFields(options.select, type),
    expand: (options.expand ?? []).map((item) => expandItem(item, type, service)),
    top: options.top,
    skip: options.skip ?? 0,
    count: options.count ?? false,
    crossCompany: readCrossCompany(params),
  };
}

function selectFields(items: SelectItem[], type: EntityType): string[] | undefined {
  if (items.some((i) => i.star)) return undefined;
  return items.map((item) => {
    const name = item.path.join('/');
    if (item.path.length !== 1 || !type.allProperties.has(name)) throw unknownProperty(name, type);
    return name;
  });
}

function expandItem(item: ExpandItem, type: EntityType, service: FnoService): { navigation: string; select?: string[] } {
  const name = item.path.join('/');
  const nav = type.allNavigation.get(name);
  if (item.star || item.ref || item.count || item.path.length !== 1 || !nav) {
    throw badRequest(`Could not find a navigation property named '${name}' on type '${type.qualifiedName}'.`);
  }
  const o = item.options;
  if (o.expand?.length) throw new FnoError(501, `Nested $expand is not supported: only the first level ('${name}') can be expanded.`, ODATA_EXCEPTION);
  if (o.filter || o.orderby || o.top !== undefined || o.skip !== undefined || o.count !== undefined) {
    throw new FnoError(501, `Only $select is supported inside $expand('${name}').`, ODATA_EXCEPTION);
  }
  const target = service.model.entityTypes.get(nav.type);
  return { navigation: name, select: o.select && target ? selectFields(o.select, target) : undefined };
}

const unknownProperty = (name: string, type: EntityType) =>
  badRequest(`Could not find a property named '${name}' on type '${type.qualifiedName}'.`);

function checkPaths(e: Expr, type: EntityType): void {
  switch (e.kind) {
    case 'path': {
      const first = e.segments[0];
      if (first?.kind === 'lambda') throw new FnoError(501, 'Lambda operators (any, all) are not supported.', ODATA_EXCEPTION);
      if (first?.kind === 'member' && !type.allProperties.has(first.name)) throw unknownProperty(first.name, type);
      if (e.segments.length > 1) throw new FnoError(501, 'Filtering or ordering on related entities is not supported.', ODATA_EXCEPTION);
      return;
    }
    case 'binary':
      if (e.operator === 'in' || e.operator === 'has') {
        throw new FnoError(501, `The '${e.operator}' operator is not supported by Finance and Operations OData; combine 'eq' conditions with 'or'.`, ODATA_EXCEPTION);
      }
      checkPaths(e.left, type);
      checkPaths(e.right, type);
      return;
    case 'unary':
      return checkPaths(e.operand, type);
    case 'method':
      for (const a of e.args) checkPaths(a, type);
      return;
    default:
      return;
  }
}

/** Case-insensitive, anchored regular expression for an F&O `*` wildcard pattern. */
function wildcardRegExp(pattern: string): string {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch.toLowerCase() !== ch.toUpperCase()) source += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    else source += /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
  }
  return `${source}$`;
}

/** `Name eq '*retail*'` becomes a pattern match (F&O turns it into SQL LIKE). */
function rewriteFilter(e: Expr, type: EntityType): Expr {
  checkPaths(e, type);
  const walk = (x: Expr): Expr => {
    if (x.kind === 'unary') return { ...x, operand: walk(x.operand) };
    if (x.kind !== 'binary') return x;
    if ((x.operator === 'eq' || x.operator === 'ne') && x.right.kind === 'literal' && x.right.type === 'Edm.String' && String(x.right.value).includes('*')) {
      const match: Expr = {
        kind: 'method',
        name: 'matchesPattern',
        args: [x.left, { ...x.right, value: wildcardRegExp(String(x.right.value)) }],
        position: x.position,
      };
      return x.operator === 'eq' ? match : { kind: 'unary', operator: 'not', operand: match, position: x.position };
    }
    return { ...x, left: walk(x.left), right: walk(x.right) };
  };
  return walk(e);
}

export function filterAndSort<T extends Record<string, unknown>>(rows: T[], query: FnoQuery, type: EntityType): T[] {
  const ctx = { typeOf: (_row: unknown, property: string) => type.allProperties.get(property)?.type.replace(/^(?!Edm\.).*$/, '') || undefined };
  return guarded(() => {
    const filtered = query.filter ? applyFilter(rows, query.filter, ctx) : rows;
    return query.orderby.length ? applyOrderBy(filtered, query.orderby, ctx) : filtered;
  });
}
