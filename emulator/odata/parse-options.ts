/**
 * Parsers for $orderby, $select, $expand (with nested options), $compute, $top, $skip, $count and $levels.
 * Nested options are parsed on the same lexer as their container, so `;` and the closing `)` end them naturally.
 */
import type { ComputeItem, ExpandItem, NestedOptions, OrderByItem, SelectItem } from './ast';
import { ODataSyntaxError } from './errors';
import { ExpressionParser, isKeyword, isPunct, type ParseOptions } from './expression-parser';
import { Lexer, type Token } from './lexer';
import { readApply } from './parse-apply';

type OptionName = Exclude<keyof NestedOptions, 'aliases'>;

const ALL_OPTIONS: OptionName[] = ['select', 'filter', 'orderby', 'top', 'skip', 'count', 'expand', 'levels', 'search', 'compute', 'apply'];
/** What the ABNF allows after `/$ref`, after `/$count`, and after `*`. */
const REF_OPTIONS: OptionName[] = ['filter', 'search', 'orderby', 'skip', 'top', 'count'];
const COUNT_OPTIONS: OptionName[] = ['filter', 'search'];
const STAR_OPTIONS: OptionName[] = ['levels'];

function runParser<T>(text: string, options: ParseOptions, read: (p: ExpressionParser) => T): T {
  const parser = new ExpressionParser(new Lexer(text), options);
  const result = read(parser);
  parser.expectEnd();
  return result;
}

export function parseOrderBy(text: string, options: ParseOptions = {}): OrderByItem[] {
  return runParser(text, options, readOrderBy);
}

export function parseSelect(text: string, options: ParseOptions = {}): SelectItem[] {
  return runParser(text, options, readSelect);
}

export function parseExpand(text: string, options: ParseOptions = {}): ExpandItem[] {
  return runParser(text, options, readExpand);
}

export function parseCompute(text: string, options: ParseOptions = {}): ComputeItem[] {
  return runParser(text, options, readCompute);
}

function nonNegativeInteger(option: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new ODataSyntaxError(
      `Invalid value '${text}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`,
      0,
      text,
    );
  }
  return Number(text);
}

export function parseTop(text: string): number {
  return nonNegativeInteger('$top', text);
}

export function parseSkip(text: string): number {
  return nonNegativeInteger('$skip', text);
}

export function parseCount(text: string): boolean {
  const lower = text.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw new ODataSyntaxError(`'${text}' is not a valid count option.`, 0, text);
  }
  return lower === 'true';
}

export function parseLevels(text: string): number | 'max' {
  if (text === 'max') return 'max';
  if (!/^[1-9]\d*$/.test(text)) throw new ODataSyntaxError(`Invalid value '${text}' for $levels query option found.`, 0, text);
  return Number(text);
}

function readList<T>(p: ExpressionParser, readItem: (p: ExpressionParser) => T): T[] {
  const items = [readItem(p)];
  while (isPunct(p.lexer.peek(), ',')) {
    p.lexer.next();
    items.push(readItem(p));
  }
  return items;
}

export function readOrderBy(p: ExpressionParser): OrderByItem[] {
  return readList(p, (q) => {
    const expression = q.parseCommonExpr();
    const t = q.lexer.peek();
    const direction = isKeyword(t, 'asc') || isKeyword(t, 'desc') ? (q.lexer.next().text.toLowerCase() as 'asc' | 'desc') : 'asc';
    return { expression, direction };
  });
}

export function readCompute(p: ExpressionParser): ComputeItem[] {
  return readList(p, (q) => {
    const expression = q.parseCommonExpr();
    const as = q.lexer.next();
    const alias = q.lexer.next();
    if (!isKeyword(as, 'as')) throw q.lexer.error(as.start);
    if (alias.kind !== 'identifier' || /[.$]/.test(alias.text)) throw q.lexer.error(alias.start);
    return { expression, alias: alias.text };
  });
}

/** Path segment of a $select/$expand item: a property, a qualified type cast, or an annotation. */
function readSegment(p: ExpressionParser): Token {
  const t = p.lexer.next();
  if ((t.kind !== 'identifier' || t.text.startsWith('$')) && t.kind !== 'at') throw p.lexer.error(t.start);
  return t;
}

/** `(` followed by `name=` (or `@alias=`) opens nested options rather than a parameter list. */
function opensOptions(p: ExpressionParser): boolean {
  const name = p.lexer.peek(1);
  return (name.kind === 'identifier' || name.kind === 'at') && isPunct(p.lexer.peek(2), '=');
}

export function readSelect(p: ExpressionParser): SelectItem[] {
  return readList(p, (q) => {
    if (isPunct(q.lexer.peek(), '*')) {
      q.lexer.next();
      return { path: [], star: true };
    }
    const path: string[] = [];
    for (;;) {
      const segment = readSegment(q);
      if (q.adjacent('.') && isPunct(q.lexer.peek(1), '*') && path.length === 0) {
        q.lexer.next();
        q.lexer.next();
        return { path: [], allOperationsInSchema: segment.text };
      }
      path.push(segment.text);
      if (!q.adjacent('/')) break;
      q.lexer.next();
      if (isPunct(q.lexer.peek(), '*')) {
        q.lexer.next();
        return { path, star: true };
      }
    }
    const item: SelectItem = { path };
    if (q.adjacent('(')) {
      if (opensOptions(q)) item.options = readNestedOptions(q, ALL_OPTIONS);
      else item.parameterNames = readParameterNames(q);
    }
    return item;
  });
}

function readParameterNames(p: ExpressionParser): string[] {
  p.expectPunct('(');
  const names = readList(p, (q) => {
    const t = q.lexer.next();
    if (t.kind !== 'identifier' || /[.$]/.test(t.text)) throw q.lexer.error(t.start);
    return t.text;
  });
  p.expectPunct(')');
  return names;
}

export function readExpand(p: ExpressionParser): ExpandItem[] {
  return readList(p, readExpandItem);
}

function readExpandItem(p: ExpressionParser): ExpandItem {
  const first = p.lexer.peek();
  if (first.kind === 'identifier' && first.text === '$value') {
    p.lexer.next();
    return { path: [], value: true, options: {} };
  }
  const path: string[] = [];
  let star = false;
  for (;;) {
    if (isPunct(p.lexer.peek(), '*')) {
      p.lexer.next();
      star = true;
      break;
    }
    path.push(readSegment(p).text);
    if (!p.adjacent('/')) break;
    const after = p.lexer.peek(1);
    if (after.kind === 'identifier' && (after.text === '$ref' || after.text === '$count')) break;
    p.lexer.next();
  }
  const item: ExpandItem = { path, options: {} };
  if (star) item.star = true;
  if (p.adjacent('/')) {
    p.lexer.next();
    const suffix = p.lexer.next();
    if (suffix.text === '$ref') item.ref = true;
    else if (suffix.text === '$count' && !star) item.count = true;
    else throw p.lexer.error(suffix.start);
  }
  if (p.adjacent('(')) {
    const allowed = item.ref ? REF_OPTIONS : item.count ? COUNT_OPTIONS : star ? STAR_OPTIONS : ALL_OPTIONS;
    item.options = readNestedOptions(p, allowed);
  }
  return item;
}

/** `( option *( ";" option ) )` where option is `$name=value`, `name=value` (4.01) or `@alias=value`. */
export function readNestedOptions(p: ExpressionParser, allowed: OptionName[]): NestedOptions {
  p.expectPunct('(');
  const options: NestedOptions = {};
  for (;;) {
    const nameToken = p.lexer.next();
    p.expectPunct('=');
    if (nameToken.kind === 'at' && !/[.#]/.test(nameToken.text)) {
      const start = p.lexer.peek().start;
      p.parseCommonExpr();
      options.aliases = { ...options.aliases, [nameToken.text.slice(1)]: p.text.slice(start, p.lexer.position) };
    } else {
      const name = (nameToken.kind === 'identifier' ? nameToken.text.replace(/^\$/, '').toLowerCase() : '') as OptionName;
      if (!allowed.includes(name) || options[name] !== undefined) throw p.lexer.error(nameToken.start);
      readNestedOption(p, name, options);
    }
    if (!isPunct(p.lexer.peek(), ';')) break;
    p.lexer.next();
  }
  p.expectPunct(')');
  return options;
}

function readNestedOption(p: ExpressionParser, name: OptionName, options: NestedOptions): void {
  switch (name) {
    case 'select':
      options.select = readSelect(p);
      return;
    case 'expand':
      options.expand = readExpand(p);
      return;
    case 'filter':
      options.filter = p.parseCommonExpr();
      return;
    case 'orderby':
      options.orderby = readOrderBy(p);
      return;
    case 'compute':
      options.compute = readCompute(p);
      return;
    case 'apply':
      options.apply = readApply(p);
      return;
    case 'search':
      options.search = p.lexer.readRawOptionValue();
      return;
    default:
      break;
  }
  const value = p.lexer.next();
  const fail = (): never => {
    throw p.lexer.error(value.start);
  };
  if (name === 'count') {
    if (!isKeyword(value, 'true') && !isKeyword(value, 'false')) fail();
    options.count = value.text.toLowerCase() === 'true';
  } else if (name === 'levels') {
    if (isKeyword(value, 'max')) options.levels = 'max';
    else if (value.kind === 'literal' && /^[1-9]\d*$/.test(value.text)) options.levels = Number(value.text);
    else fail();
  } else {
    if (value.kind !== 'literal' || !/^\d+$/.test(value.text)) fail();
    options[name as 'top' | 'skip'] = Number(value.text);
  }
}
