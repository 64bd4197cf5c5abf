/**
 * Evaluation of the $apply subset: filter, aggregate and groupby (with nested transformations). Grouping uses the
 * same equality as $filter (case-insensitive strings), and aggregates skip nulls as SQL does; sum/average/min/max
 * over no values are null, counts are 0.
 */
import type { AggregateItem, Expr, PathExpr, Transformation } from './ast';
import { notSupported } from './errors';
import { applyFilter, evaluateTyped } from './evaluate-filter';
import type { EvaluationContext, Row } from './evaluation-context';
import { compareForOrderBy } from './order-by';
import { groupingKey, type Typed } from './values';

function pathOf(segments: string[]): PathExpr {
  return {
    kind: 'path',
    root: { kind: 'implicit' },
    segments: segments.map((s) => (s.includes('.') ? { kind: 'cast', typeName: s } : { kind: 'member', name: s })),
    position: 0,
  };
}

function setPath(target: Row, segments: string[], value: unknown): void {
  const names = segments.filter((s) => !s.includes('.'));
  let node = target;
  for (const name of names.slice(0, -1)) {
    if (typeof node[name] !== 'object' || node[name] === null) node[name] = {};
    node = node[name] as Row;
  }
  node[names[names.length - 1]] = value;
}

function aggregateValue(rows: Row[], item: AggregateItem, ctx: EvaluationContext): unknown {
  if (item.kind === 'count') return rows.length;
  if (item.kind === 'pathCount') {
    return rows.reduce((sum, row) => sum + Number(evaluateTyped(item.path, row, ctx).value ?? 0), 0);
  }
  const values: Typed[] = rows
    .map((row) => evaluateTyped(item.expression as Expr, row, ctx))
    .filter((t) => t.value !== null && t.value !== undefined);
  switch (item.method) {
    case 'sum':
      return values.length ? values.reduce((s, t) => s + Number(t.value), 0) : null;
    case 'average':
      return values.length ? values.reduce((s, t) => s + Number(t.value), 0) / values.length : null;
    case 'min':
    case 'max': {
      if (!values.length) return null;
      const sign = item.method === 'min' ? 1 : -1;
      return values.reduce((best, t) => (sign * compareForOrderBy(t.value, best.value, t.type) < 0 ? t : best)).value;
    }
    case 'countdistinct':
      return new Set(values.map(groupingKey)).size;
    default:
      throw notSupported(`The aggregation method '${item.method}'`);
  }
}

function aggregate(rows: Row[], items: AggregateItem[], ctx: EvaluationContext): Row {
  return Object.fromEntries(items.map((item) => [item.alias, aggregateValue(rows, item, ctx)]));
}

function groupBy(rows: Row[], properties: string[][], steps: Transformation[], ctx: EvaluationContext): Row[] {
  const paths = properties.map(pathOf);
  const groups = new Map<string, { values: unknown[]; rows: Row[] }>();
  for (const row of rows) {
    const typed = paths.map((p) => evaluateTyped(p, row, ctx));
    const key = typed.map(groupingKey).join('\u0000');
    const group = groups.get(key) ?? { values: typed.map((t) => t.value ?? null), rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  const out: Row[] = [];
  for (const group of groups.values()) {
    const keyRow: Row = {};
    properties.forEach((segments, i) => setPath(keyRow, segments, group.values[i]));
    if (!steps.length) {
      out.push(keyRow);
      continue;
    }
    for (const result of evaluateApply(group.rows, steps, ctx)) out.push({ ...keyRow, ...result });
  }
  return out;
}

/** Runs the transformations in order and returns the resulting rows (new objects for groupby/aggregate). */
export function evaluateApply(rows: readonly Row[], transformations: Transformation[], ctx: EvaluationContext = {}): Row[] {
  let current: Row[] = [...rows];
  for (const t of transformations) {
    if (t.kind === 'filter') current = applyFilter(current, t.predicate, ctx);
    else if (t.kind === 'aggregate') current = [aggregate(current, t.items, ctx)];
    else current = groupBy(current, t.properties, t.transformations, ctx);
  }
  return current;
}
