/** Entry points for $filter and other single-expression texts (parameter alias values, $orderby items). */
import type { Expr } from './ast';
import { ExpressionParser, type ParseOptions } from './expression-parser';
import { Lexer } from './lexer';

export type { ParseOptions } from './expression-parser';

/** Parses a complete common expression; the caller passes the already percent-decoded option value. */
export function parseExpression(text: string, options: ParseOptions = {}): Expr {
  const parser = new ExpressionParser(new Lexer(text), options);
  const expr = parser.parseCommonExpr();
  parser.expectEnd();
  return expr;
}

/** Parses a `$filter` value (a boolCommonExpr; boolean-ness is checked at evaluation, the parser is model-free). */
export function parseFilter(text: string, options: ParseOptions = {}): Expr {
  return parseExpression(text, options);
}

/** Parses the value of an `@alias=` query option: a JSON array/object or any common expression. */
export function parseAliasValue(text: string, options: ParseOptions = {}): Expr {
  return parseExpression(text, options);
}
