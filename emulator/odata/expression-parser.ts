/**
 * Recursive-descent parser for OData common expressions (commonExpr / boolCommonExpr), with the operator
 * precedence of URL Conventions 5.1.1.16 rather than the flat right-recursive shape of the ABNF:
 *   or < and < eq ne < gt ge lt le < add sub < mul div divby mod < unary (- not) < has, in, member access, calls.
 * Binary operators are left-associative. The parser is model-free: identifiers are properties unless the syntax
 * says otherwise (a call, a qualified cast segment, a lambda variable in scope).
 */
import type {
  BinaryOperator,
  Expr,
  FunctionCallExpr,
  LiteralExpr,
  NamedParameter,
  PathExpr,
  PathRoot,
  PathSegment,
} from './ast';
import { builtinSignature } from './builtin-functions';
import { checkDataverseFunction } from './dataverse-function-specs';
import { expressionExpected, ODataSyntaxError, unknownFunction } from './errors';
import { readArray, readObject } from './json-values';
import { isKeyword, isPunct, Lexer, type Token } from './lexer';

export interface ParseOptions {
  /** Values of `@name=value` query options (keys with or without '@'), substituted where the alias is used. */
  aliases?: Record<string, string>;
}

const BINARY_LEVELS: BinaryOperator[][] = [
  ['or'],
  ['and'],
  ['eq', 'ne'],
  ['gt', 'ge', 'lt', 'le'],
  ['add', 'sub'],
  ['mul', 'div', 'divby', 'mod'],
];

const MAX_ALIAS_DEPTH = 8;

export { isKeyword, isPunct };

export class ExpressionParser {
  private readonly scopes: string[] = [];

  constructor(
    readonly lexer: Lexer,
    readonly options: ParseOptions = {},
    private readonly aliasDepth = 0,
  ) {}

  get text(): string {
    return this.lexer.text;
  }

  parseCommonExpr(): Expr {
    return this.parseLevel(0);
  }

  expectEnd(): void {
    const t = this.lexer.peek();
    if (t.kind !== 'eof') throw this.lexer.error(t.start);
  }

  expectPunct(ch: string): Token {
    const t = this.lexer.next();
    if (!isPunct(t, ch)) {
      if (t.kind === 'eof' && ch === ')') {
        throw new ODataSyntaxError(`')' or operator expected at position ${t.start} in '${this.text}'.`, t.start, this.text);
      }
      throw this.lexer.error(t.start);
    }
    return t;
  }

  /** Next token is `ch` written directly after the previous token (as `(` of a call must be). */
  adjacent(ch: string, offset = 0): boolean {
    const t = this.lexer.peek(offset);
    return isPunct(t, ch) && !t.spaceBefore;
  }

  private parseLevel(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.parseUnary();
    let left = this.parseLevel(level + 1);
    for (;;) {
      const t = this.lexer.peek();
      const op = BINARY_LEVELS[level].find((o) => isKeyword(t, o));
      if (!op) return left;
      this.lexer.next();
      const right = this.parseLevel(level + 1);
      left = { kind: 'binary', operator: op, left, right, position: t.start };
    }
  }

  private parseUnary(): Expr {
    const t = this.lexer.peek();
    if (isPunct(t, '-')) {
      this.lexer.next();
      return { kind: 'unary', operator: 'negate', operand: this.parseUnary(), position: t.start };
    }
    if (isKeyword(t, 'not') && !this.adjacent('/', 1) && this.lexer.peek(1).kind !== 'eof') {
      this.lexer.next();
      return { kind: 'unary', operator: 'not', operand: this.parseUnary(), position: t.start };
    }
    return this.parsePostfix();
  }

  /** `has` and `in` bind tighter than unary operators (primary level of the precedence table). */
  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      const t = this.lexer.peek();
      if (isKeyword(t, 'has')) {
        this.lexer.next();
        expr = { kind: 'binary', operator: 'has', left: expr, right: this.parsePrimary(), position: t.start };
      } else if (isKeyword(t, 'in')) {
        this.lexer.next();
        expr = { kind: 'binary', operator: 'in', left: expr, right: this.parseInOperand(), position: t.start };
      } else {
        return expr;
      }
    }
  }

  private parseInOperand(): Expr {
    const open = this.lexer.peek();
    if (!isPunct(open, '(')) return this.parsePrimary();
    this.lexer.next();
    const items: Expr[] = [];
    if (isPunct(this.lexer.peek(), ')')) {
      this.lexer.next();
      return { kind: 'list', items, position: open.start };
    }
    const first = this.parseCommonExpr();
    if (isPunct(this.lexer.peek(), ')')) {
      this.lexer.next();
      // `x in (y)` with a non-literal is just a parenthesised collection expression.
      return first.kind === 'literal' ? { kind: 'list', items: [first], position: open.start } : first;
    }
    items.push(first);
    while (isPunct(this.lexer.peek(), ',')) {
      const comma = this.lexer.next();
      if (items.some((i) => i.kind !== 'literal')) throw this.lexer.error(comma.start);
      items.push(this.parseCommonExpr());
    }
    const bad = items.find((i) => i.kind !== 'literal');
    if (bad) throw this.lexer.error(bad.position);
    this.expectPunct(')');
    return { kind: 'list', items, position: open.start };
  }

  parsePrimary(): Expr {
    const t = this.lexer.peek();
    switch (t.kind) {
      case 'literal':
        this.lexer.next();
        return literal(t);
      case 'identifier':
        return this.parseIdentifierPrimary();
      case 'at':
        return this.parseAtPrimary();
      case 'punct':
        if (t.text === '(') return this.parseParenthesised();
        if (t.text === '[') return readArray(this);
        if (t.text === '{') return readObject(this);
        break;
      default:
        break;
    }
    throw expressionExpected(this.text, t.start);
  }

  private parseParenthesised(): Expr {
    this.lexer.next();
    const inner = this.parseCommonExpr();
    this.expectPunct(')');
    return inner;
  }

  private parseIdentifierPrimary(): Expr {
    const t = this.lexer.next();
    const name = t.text;
    const call = this.adjacent('(');
    if (!call && !this.adjacent('/')) {
      const lower = name.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        return { kind: 'literal', type: 'Edm.Boolean', value: lower === 'true', raw: name, position: t.start };
      }
      if (name === 'null') return { kind: 'literal', type: 'null', value: null, raw: name, position: t.start };
    }
    if (name.startsWith('$')) return this.parseDollarRoot(t);
    if (this.scopes.includes(name) && !call) return this.parsePath({ kind: 'variable', name }, [], t.start);
    if (call) return this.parseCall(t);
    if (name.includes('.')) {
      // A leading type cast must be followed by a member: `Model.Type` alone is not an expression.
      if (!this.adjacent('/')) throw this.lexer.error(t.end);
      return this.parsePath({ kind: 'implicit' }, [{ kind: 'cast', typeName: name }], t.start);
    }
    return this.parsePath({ kind: 'implicit' }, [{ kind: 'member', name }], t.start);
  }

  private parseDollarRoot(t: Token): Expr {
    const roots: Record<string, PathRoot> = { $it: { kind: 'it' }, $this: { kind: 'this' }, $root: { kind: 'root' } };
    const root = roots[t.text];
    if (!root || (root.kind === 'root' && !this.adjacent('/'))) throw this.lexer.error(t.start);
    return this.parsePath(root, [], t.start);
  }

  private parseCall(t: Token): Expr {
    const name = t.text;
    const builtin = builtinSignature(name);
    const lower = name.toLowerCase();
    if (builtin) return this.parseBuiltin(builtin.name, builtin.min, builtin.max, t.start);
    if (lower === 'cast' || lower === 'isof') return this.parseTypeFunction(lower, t.start);
    if (lower === 'case') return this.parseCase(t.start);
    if (!name.includes('.')) throw unknownFunction(name, this.text, t.start);
    const parameters = this.parseNamedParameters();
    if (this.adjacent('/')) {
      return this.parsePath({ kind: 'implicit' }, [{ kind: 'call', name, parameters }], t.start);
    }
    const dot = name.lastIndexOf('.');
    const fn: FunctionCallExpr = {
      kind: 'function',
      name,
      namespace: name.slice(0, dot),
      shortName: name.slice(dot + 1),
      parameters,
      position: t.start,
    };
    checkDataverseFunction(fn, this.text);
    return fn;
  }

  private parseArguments(): Expr[] {
    this.expectPunct('(');
    const args: Expr[] = [];
    if (isPunct(this.lexer.peek(), ')')) {
      this.lexer.next();
      return args;
    }
    for (;;) {
      args.push(this.parseCommonExpr());
      if (!isPunct(this.lexer.peek(), ',')) break;
      this.lexer.next();
    }
    const close = this.lexer.peek();
    if (!isPunct(close, ')')) {
      throw new ODataSyntaxError(`')' or ',' expected at position ${close.start} in '${this.text}'.`, close.start, this.text);
    }
    this.lexer.next();
    return args;
  }

  private parseBuiltin(name: string, min: number, max: number, position: number): Expr {
    const args = this.parseArguments();
    if (args.length < min || args.length > max) {
      throw new ODataSyntaxError(
        `No function signature for the function with name '${name}' matches the specified arguments.`,
        position,
        this.text,
      );
    }
    return { kind: 'method', name, args, position };
  }

  private parseTypeFunction(kind: 'cast' | 'isof', position: number): Expr {
    this.expectPunct('(');
    const typeOnly = this.lexer.peek().kind === 'identifier' && isPunct(this.lexer.peek(1), ')');
    const operand = typeOnly ? undefined : this.parseCommonExpr();
    if (operand) this.expectPunct(',');
    const type = this.lexer.next();
    if (type.kind !== 'identifier' || type.text.startsWith('$')) throw this.lexer.error(type.start);
    this.expectPunct(')');
    return { kind, operand, typeName: type.text, position };
  }

  private parseCase(position: number): Expr {
    this.expectPunct('(');
    const branches: { when: Expr; then: Expr }[] = [];
    for (;;) {
      const when = this.parseCommonExpr();
      this.expectPunct(':');
      branches.push({ when, then: this.parseCommonExpr() });
      if (!isPunct(this.lexer.peek(), ',')) break;
      this.lexer.next();
    }
    this.expectPunct(')');
    return { kind: 'case', branches, position };
  }

  /** `(Name=value,...)` of a namespace-qualified function; values may be aliases, JSON or expressions. */
  parseNamedParameters(): NamedParameter[] {
    this.expectPunct('(');
    const parameters: NamedParameter[] = [];
    if (isPunct(this.lexer.peek(), ')')) {
      this.lexer.next();
      return parameters;
    }
    for (;;) {
      const name = this.lexer.next();
      if (name.kind !== 'identifier' || name.text.includes('.') || name.text.startsWith('$')) {
        throw this.lexer.error(name.start);
      }
      this.expectPunct('=');
      parameters.push({ name: name.text, value: this.parseCommonExpr() });
      if (!isPunct(this.lexer.peek(), ',')) break;
      this.lexer.next();
    }
    this.expectPunct(')');
    return parameters;
  }

  private parseAtPrimary(): Expr {
    const t = this.lexer.next();
    const name = t.text.slice(1);
    if (/[.#]/.test(name)) {
      return this.parsePath({ kind: 'implicit' }, [annotationSegment(name)], t.start);
    }
    if (this.adjacent('/')) return this.parsePath({ kind: 'alias', name }, [], t.start);
    return this.resolveAlias(name, t.start);
  }

  private resolveAlias(name: string, position: number): Expr {
    const aliases = this.options.aliases ?? {};
    const raw = aliases[name] ?? aliases[`@${name}`];
    if (raw === undefined) return { kind: 'alias', name, position };
    if (this.aliasDepth >= MAX_ALIAS_DEPTH) {
      throw new ODataSyntaxError(`Parameter alias '@${name}' is nested too deeply.`, position, this.text);
    }
    const parser = new ExpressionParser(new Lexer(raw), this.options, this.aliasDepth + 1);
    const value = parser.parseCommonExpr();
    parser.expectEnd();
    return value;
  }

  /** Member access chain after a root: `a/b/c`, casts, annotations, calls, keys, $count, $filter, any/all. */
  parsePath(root: PathRoot, segments: PathSegment[], position: number): PathExpr {
    if (segments.length && this.adjacent('(')) segments.push(this.parseKey());
    while (this.adjacent('/')) {
      this.lexer.next();
      const t = this.lexer.next();
      if (t.kind === 'at') {
        segments.push(annotationSegment(t.text.slice(1)));
        continue;
      }
      if (t.kind !== 'identifier') throw this.lexer.error(t.start);
      const name = t.text;
      const call = this.adjacent('(');
      const lower = name.toLowerCase();
      if (name === '$count') {
        segments.push(call ? this.parseCountOptions() : { kind: 'count' });
        break;
      }
      if (name === '$filter' && call) {
        this.lexer.next();
        const predicate = this.parseCommonExpr();
        this.expectPunct(')');
        segments.push({ kind: 'filter', predicate });
        if (this.adjacent('(')) segments.push(this.parseKey());
        continue;
      }
      if (name.startsWith('$')) throw this.lexer.error(t.start);
      if ((lower === 'any' || lower === 'all') && call) {
        segments.push(this.parseLambda(lower));
        break;
      }
      if (call && (name.includes('.') || this.isCallParens())) {
        segments.push({ kind: 'call', name, parameters: this.parseNamedParameters() });
      } else {
        segments.push(name.includes('.') ? { kind: 'cast', typeName: name } : { kind: 'member', name });
        if (call) segments.push(this.parseKey());
      }
    }
    return { kind: 'path', root, segments, position };
  }

  /** After `Name`: empty parens or `p=` mean a function call, anything else a key predicate. */
  private isCallParens(): boolean {
    const first = this.lexer.peek(1);
    return isPunct(first, ')') || (first.kind === 'identifier' && isPunct(this.lexer.peek(2), '='));
  }

  private parseKey(): PathSegment {
    if (this.isCallParens() && !isPunct(this.lexer.peek(1), ')')) {
      return { kind: 'key', parameters: this.parseNamedParameters() };
    }
    this.expectPunct('(');
    const value = this.parseCommonExpr();
    this.expectPunct(')');
    return { kind: 'key', value };
  }

  private parseCountOptions(): PathSegment {
    this.expectPunct('(');
    const segment: Extract<PathSegment, { kind: 'count' }> = { kind: 'count' };
    for (;;) {
      const name = this.lexer.next();
      const option = name.kind === 'identifier' ? name.text.replace(/^\$/, '').toLowerCase() : '';
      this.expectPunct('=');
      if (option === 'filter' && !segment.filter) segment.filter = this.parseCommonExpr();
      else if (option === 'search' && segment.search === undefined) segment.search = this.lexer.readRawOptionValue();
      else throw this.lexer.error(name.start);
      if (!isPunct(this.lexer.peek(), ';')) break;
      this.lexer.next();
    }
    this.expectPunct(')');
    return segment;
  }

  private parseLambda(operator: 'any' | 'all'): PathSegment {
    this.expectPunct('(');
    if (isPunct(this.lexer.peek(), ')')) {
      const close = this.lexer.next();
      if (operator === 'all') throw this.lexer.error(close.start);
      return { kind: 'lambda', operator };
    }
    const variable = this.lexer.next();
    if (variable.kind !== 'identifier' || /[.$]/.test(variable.text)) throw this.lexer.error(variable.start);
    this.expectPunct(':');
    this.scopes.push(variable.text);
    try {
      const predicate = this.parseCommonExpr();
      this.expectPunct(')');
      return { kind: 'lambda', operator, variable: variable.text, predicate };
    } finally {
      this.scopes.pop();
    }
  }

}

function literal(t: Token): LiteralExpr {
  const node: LiteralExpr = {
    kind: 'literal',
    type: t.literalType ?? 'Edm.String',
    value: t.value ?? null,
    raw: t.text,
    position: t.start,
  };
  if (t.enumType) node.enumType = t.enumType;
  return node;
}

function annotationSegment(name: string): PathSegment {
  const [term, qualifier] = name.split('#');
  return qualifier ? { kind: 'annotation', term, qualifier } : { kind: 'annotation', term };
}
