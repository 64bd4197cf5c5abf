/**
 * Literal parsing outside expressions: URL literals (key predicates, alias values) and payload values
 * (JSON body strings such as "2023-04-07T21:59:01Z", CSDL DefaultValue), whose forms differ: payload values are
 * never prefixed (duration'..') and have case-sensitive booleans.
 */
import type { LiteralExpr } from './ast';
import { ODataSyntaxError } from './errors';
import { Lexer } from './lexer';
import {
  BASE64URL,
  DURATION,
  ENUM_MEMBERS,
  GUID,
  isValidDate,
  isValidDateTimeOffset,
  isValidTimeOfDay,
  numericValue,
} from './literals';

/** Parses exactly one URL literal such as `'O''Neil'`, `2012-09-03`, `Sales.Pattern'Yellow'`, `-INF`. */
export function parseLiteral(text: string): LiteralExpr {
  const lexer = new Lexer(text);
  const t = lexer.next();
  let node: LiteralExpr | undefined;
  const lower = t.text.toLowerCase();
  if (t.kind === 'literal') {
    node = { kind: 'literal', type: t.literalType ?? 'Edm.String', value: t.value ?? null, raw: t.text, position: t.start };
    if (t.enumType) node.enumType = t.enumType;
  } else if (t.kind === 'identifier' && (lower === 'true' || lower === 'false')) {
    node = { kind: 'literal', type: 'Edm.Boolean', value: lower === 'true', raw: t.text, position: t.start };
  } else if (t.kind === 'identifier' && t.text === 'null') {
    node = { kind: 'literal', type: 'null', value: null, raw: t.text, position: t.start };
  }
  if (!node || t.spaceBefore || lexer.peek().kind !== 'eof') throw lexer.error(node ? lexer.peek().start : t.start);
  return node;
}

const INTEGER_RANGES: Record<string, [bigint, bigint, boolean]> = {
  'Edm.Byte': [0n, 255n, false],
  'Edm.SByte': [-128n, 127n, true],
  'Edm.Int16': [-32768n, 32767n, true],
  'Edm.Int32': [-2147483648n, 2147483647n, true],
  'Edm.Int64': [-9223372036854775808n, 9223372036854775807n, true],
};

const FLOATING = /^(?:[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|NaN|-INF|INF)$/;

/**
 * Checks a payload value of the given Edm type (or 'Enum') and returns its JavaScript value: numbers for
 * numeric types, booleans, and the text itself for everything else.
 */
export function parseTypedValue(type: string, text: string): string | number | boolean {
  const fail = (): never => {
    throw new ODataSyntaxError(`Cannot convert the literal '${text}' to the expected type '${type}'.`, 0, text);
  };
  const range = INTEGER_RANGES[type];
  if (range) {
    const [min, max, signed] = range;
    if (!(signed ? /^[+-]?\d{1,19}$/ : /^\d{1,3}$/).test(text)) fail();
    const n = BigInt(text.replace(/^\+/, ''));
    if (n < min || n > max) fail();
    return Number(n);
  }
  switch (type) {
    case 'Edm.Boolean':
      if (text !== 'true' && text !== 'false') fail();
      return text === 'true';
    case 'Edm.Decimal':
    case 'Edm.Double':
    case 'Edm.Single':
      if (!FLOATING.test(text)) fail();
      return numericValue(text);
    case 'Edm.Guid':
      if (!GUID.test(text) || text.length !== 36) fail();
      return text;
    case 'Edm.Date':
      return isValidDate(text) ? text : fail();
    case 'Edm.DateTimeOffset':
      return isValidDateTimeOffset(text) ? text : fail();
    case 'Edm.TimeOfDay':
      return isValidTimeOfDay(text) ? text : fail();
    case 'Edm.Duration':
      return DURATION.test(text) ? text : fail();
    case 'Edm.Binary':
      return BASE64URL.test(text) ? text : fail();
    case 'Enum':
      return ENUM_MEMBERS.test(text) ? text : fail();
    case 'Edm.String':
      return text;
    default:
      return fail();
  }
}
