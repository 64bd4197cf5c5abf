/**
 * Parser for the `$apply` subset Dataverse implements: aggregate(...), groupby((...)[,transformations]) and
 * filter(...), chained with '/'. Other transformations of the aggregation extension are recognised and reported
 * as not supported instead of as syntax errors, so callers can tell "wrong" from "not emulated".
 */
import type { AggregateItem, Expr, Transformation } from './ast';
import { notSupported } from './errors';
import { ExpressionParser, isKeyword, isPunct, type ParseOptions } from './expression-parser';
import { Lexer } from './lexer';

const OTHER_TRANSFORMATIONS = new Set([
  'identity', 'compute', 'concat', 'nest', 'addnested', 'join', 'outerjoin', 'search', 'orderby', 'top', 'skip',
  'topcount', 'topsum', 'toppercent', 'bottomcount', 'bottomsum', 'bottompercent',
  'ancestors', 'descendants', 'traverse',
]);

const METHODS = new Set(['sum', 'min', 'max', 'average', 'countdistinct']);

export function parseApply(text: string, options: ParseOptions = {}): Transformation[] {
  const parser = new ExpressionParser(new Lexer(text), options);
  const result = readApply(parser);
  parser.expectEnd();
  return result;
}

/** Reads `transformation *( "/" transformation )` from the parser's current position. */
export function readApply(p: ExpressionParser): Transformation[] {
  const steps = [readTransformation(p)];
  while (isPunct(p.lexer.peek(), '/')) {
    p.lexer.next();
    steps.push(readTransformation(p));
  }
  return steps;
}

function readTransformation(p: ExpressionParser): Transformation {
  const t = p.lexer.next();
  const name = t.kind === 'identifier' ? t.text.toLowerCase() : '';
  if (OTHER_TRANSFORMATIONS.has(name)) throw notSupported(`The $apply transformation '${name}'`);
  if (t.kind === 'identifier' && t.text.includes('.')) throw notSupported(`The custom $apply transformation '${t.text}'`);
  if (!p.adjacent('(') || !['aggregate', 'groupby', 'filter'].includes(name)) throw p.lexer.error(t.start);
  p.lexer.next();
  let result: Transformation;
  if (name === 'filter') {
    result = { kind: 'filter', predicate: p.parseCommonExpr() };
  } else if (name === 'aggregate') {
    const items = [readAggregateItem(p)];
    while (isPunct(p.lexer.peek(), ',')) {
      p.lexer.next();
      items.push(readAggregateItem(p));
    }
    result = { kind: 'aggregate', items };
  } else {
    result = readGroupBy(p);
  }
  p.expectPunct(')');
  return result;
}

function readGroupBy(p: ExpressionParser): Transformation {
  p.expectPunct('(');
  const properties = [readGroupingPath(p)];
  while (isPunct(p.lexer.peek(), ',')) {
    p.lexer.next();
    properties.push(readGroupingPath(p));
  }
  p.expectPunct(')');
  let transformations: Transformation[] = [];
  if (isPunct(p.lexer.peek(), ',')) {
    p.lexer.next();
    transformations = readApply(p);
  }
  return { kind: 'groupby', properties, transformations };
}

/** Grouping properties are plain paths: no annotations, no functions, and no trailing type cast. */
function readGroupingPath(p: ExpressionParser): string[] {
  const segments: string[] = [];
  for (;;) {
    const t = p.lexer.next();
    if (t.kind !== 'identifier' || t.text.startsWith('$')) throw p.lexer.error(t.start);
    if (/^rollup(recursive)?$/i.test(t.text) && p.adjacent('(')) throw notSupported('groupby with rollup');
    segments.push(t.text);
    if (!p.adjacent('/')) break;
    p.lexer.next();
  }
  if (segments[segments.length - 1].includes('.')) throw p.lexer.error(p.lexer.position);
  return segments;
}

function readAlias(p: ExpressionParser): string {
  const as = p.lexer.next();
  if (!isKeyword(as, 'as')) throw p.lexer.error(as.start);
  const alias = p.lexer.next();
  if (alias.kind !== 'identifier' || /[.$]/.test(alias.text)) throw p.lexer.error(alias.start);
  return alias.text;
}

function readAggregateItem(p: ExpressionParser): AggregateItem {
  const first = p.lexer.peek();
  if (first.kind === 'identifier' && first.text === '$count' && !p.adjacent('/', 1)) {
    p.lexer.next();
    return { kind: 'count', alias: readAlias(p) };
  }
  // A bare type cast (`Self.Derived with Custom.m as x`) aggregates whole instances of that type.
  const castOnly = first.kind === 'identifier' && first.text.includes('.') && !p.adjacent('/', 1) && !p.adjacent('(', 1);
  if (castOnly) p.lexer.next();
  const expression: Expr = castOnly
    ? { kind: 'path', root: { kind: 'implicit' }, segments: [{ kind: 'cast', typeName: first.text }], position: first.start }
    : p.parseCommonExpr();
  if (expression.kind === 'path' && expression.segments[expression.segments.length - 1]?.kind === 'count') {
    return { kind: 'pathCount', path: expression, alias: readAlias(p) };
  }
  const withToken = p.lexer.next();
  // Without `with` the item would have to be a model-defined custom aggregate, which Dataverse does not have.
  if (!isKeyword(withToken, 'with')) throw p.lexer.error(withToken.start);
  const method = p.lexer.next();
  if (method.kind !== 'identifier' || (!METHODS.has(method.text) && !method.text.includes('.'))) {
    throw p.lexer.error(method.start);
  }
  if (isKeyword(p.lexer.peek(), 'from')) throw notSupported("Aggregation with 'from'");
  return { kind: 'aggregate', expression, method: method.text, alias: readAlias(p) };
}
