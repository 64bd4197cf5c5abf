/**
 * The Dataverse layer's view of the emulator's OData parser and evaluator (emulator/odata): query options in the
 * shapes the handlers need, row access (columns, lookups, navigation) for the evaluator, and OData errors turned
 * into Dataverse error bodies.
 */
import {
  Expr, ExpandItem as ODataExpandItem, ODataError, ODataNotSupportedError, OrderByItem, parseApply, parseExpand,
  parseFilter, parseOrderBy, parseSelect, PathExpr, Transformation,
} from '../odata';
import { evaluateApply, evaluateFilter, EvaluationContext } from '../odata/evaluate';
import type { Row } from '../store/table-store';
import type { DataverseService } from './context';
import { DataverseError, unknownProperty } from './errors';
import { related } from './relationships';
import type { Table } from './schema';

export type FilterExpr = Expr;

export interface OrderItem {
  path: string[];
  descending: boolean;
}

export interface ExpandItem {
  navigation: string;
  select?: string[];
  filter?: FilterExpr;
  orderby: OrderItem[];
  top?: number;
  expand: ExpandItem[];
  /** Options the OData grammar allows inside $expand but Dataverse does not ($skip, $count, $search, $levels…). */
  unsupported: string[];
}

export interface EvaluationEnv {
  service: DataverseService;
  userId: string;
}

const QUERY_ERROR = '0x80060888';

function aliasesOf(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of query) if (k.startsWith('@')) out[k] = v;
  return out;
}

/** Runs a parser or evaluator, turning its errors into the 400 Dataverse sends for a bad query. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ODataNotSupportedError) throw new DataverseError(501, QUERY_ERROR, e.message);
    if (e instanceof ODataError) throw new DataverseError(400, QUERY_ERROR, e.message);
    throw e;
  }
}

export function parseFilterOption(text: string, query: URLSearchParams): FilterExpr {
  return guarded(() => parseFilter(text, { aliases: aliasesOf(query) }));
}

/**
 * Rejects a filter that names a property the table (or the table behind a navigation or lambda variable) does not
 * have, as Dataverse does before reading any row: 400 "Could not find a property named 'x' on type '…'".
 */
export function checkFilterColumns(expr: FilterExpr, table: Table, service: DataverseService): void {
  const checkPath = (e: PathExpr, variables: Map<string, Table>) => {
    const root = e.root.kind;
    let current: Table | undefined =
      root === 'implicit' || root === 'it' || root === 'this' ? table : e.root.kind === 'variable' ? variables.get(e.root.name) : undefined;
    for (const segment of e.segments) {
      if (!current) return;
      if (segment.kind === 'lambda') {
        if (!segment.predicate) return;
        const inner = new Map(variables);
        if (segment.variable) inner.set(segment.variable, current);
        walk(segment.predicate, inner);
        return;
      }
      if (segment.kind !== 'member') return;
      const from: Table = current;
      const lookup = from.lookups.get(segment.name);
      const collection = from.collections.get(segment.name);
      if (lookup) current = service.schema.table(lookup.targetTable);
      else if (collection) current = service.schema.tableOfType(collection.type);
      else if (from.columns.has(segment.name)) current = undefined;
      else throw unknownProperty(segment.name, from.logicalName);
    }
  };
  const walk = (e: Expr, variables: Map<string, Table>): void => {
    switch (e.kind) {
      case 'path': return checkPath(e, variables);
      case 'binary': walk(e.left, variables); walk(e.right, variables); return;
      case 'unary': return walk(e.operand, variables);
      case 'method': for (const a of e.args) walk(a, variables); return;
      case 'case': for (const b of e.branches) { walk(b.when, variables); walk(b.then, variables); } return;
      case 'cast': case 'isof': if (e.operand) walk(e.operand, variables); return;
      case 'list': case 'array': for (const i of e.items) walk(i, variables); return;
      default: return;
    }
  };
  walk(expr, new Map());
}

export function parseSelectOption(text: string): string[] {
  return guarded(() => parseSelect(text)).map((item) => (item.star ? '*' : item.path.join('/')));
}

export function parseOrderByOption(text: string): OrderItem[] {
  return guarded(() => parseOrderBy(text)).map(toOrderItem);
}

function toOrderItem(item: OrderByItem): OrderItem {
  const e = item.expression;
  if (e.kind !== 'path' || e.segments.some((s) => s.kind !== 'member')) {
    throw new DataverseError(400, QUERY_ERROR, 'Only column names can be used in $orderby.');
  }
  return { path: e.segments.map((s) => (s as { name: string }).name), descending: item.direction === 'desc' };
}

export function parseExpandOption(text: string, query: URLSearchParams): ExpandItem[] {
  return guarded(() => parseExpand(text, { aliases: aliasesOf(query) })).map(toExpandItem);
}

function toExpandItem(item: ODataExpandItem): ExpandItem {
  const o = item.options;
  const unsupported: string[] = [];
  if (item.star || item.ref || item.count || item.value || item.path.length !== 1) unsupported.push(item.path.join('/') || '*');
  if (o.skip !== undefined) unsupported.push('$skip');
  if (o.count !== undefined) unsupported.push('$count');
  if (o.search !== undefined) unsupported.push('$search');
  if (o.levels !== undefined) unsupported.push('$levels');
  if (o.compute !== undefined) unsupported.push('$compute');
  if (o.apply !== undefined) unsupported.push('$apply');
  return {
    navigation: item.path[0] ?? '*',
    select: o.select?.map((s) => (s.star ? '*' : s.path.join('/'))),
    filter: o.filter,
    orderby: (o.orderby ?? []).map(toOrderItem),
    top: o.top,
    expand: (o.expand ?? []).map(toExpandItem),
    unsupported,
  };
}

export function parseApplyOption(text: string, query: URLSearchParams): Transformation[] {
  return guarded(() => parseApply(text, { aliases: aliasesOf(query) }));
}

/** Evaluation context over table rows: typed columns, single- and collection-valued navigation. */
function tableContext(table: Table, env: EvaluationEnv): EvaluationContext {
  const tables = new WeakMap<object, Table>();
  return {
    now: env.service.now(),
    userId: env.userId,
    businessUnitId: env.service.businessUnitId,
    typeOf: (row, property) => (tables.get(row) ?? table).columns.get(property)?.edmType,
    navigate: (row, name) => {
      const owner = tables.get(row) ?? table;
      if (!owner.lookups.has(name) && !owner.collections.has(name)) return undefined;
      const rel = related(env.service, owner, row as Row, name);
      if (rel.kind === 'single') {
        if (rel.row) tables.set(rel.row, rel.table);
        return rel.row ?? null;
      }
      for (const r of rel.rows) tables.set(r, rel.table);
      return rel.rows;
    },
  };
}

export function filterRows(expr: FilterExpr, rows: Row[], table: Table, env: EvaluationEnv): Row[] {
  const ctx = tableContext(table, env);
  return guarded(() => rows.filter((row) => evaluateFilter(expr, row, ctx)));
}

/** For metadata rows (EntityDefinitions…): plain JSON objects, nested objects reached by path. */
export function filterPlainRows(expr: FilterExpr, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const ctx: EvaluationContext = { now: new Date(), navigate: (row, name) => (row as Record<string, unknown>)[name] as never };
  return guarded(() => rows.filter((row) => evaluateFilter(expr, row, ctx)));
}

export function applyTransformations(transformations: Transformation[], rows: Row[], table: Table, env: EvaluationEnv): Row[] {
  const ctx = tableContext(table, env);
  return guarded(() => evaluateApply(rows, transformations, ctx)) as Row[];
}
