/**
 * Evaluates filter ASTs against plain rows with SQL's three-valued logic, which is what Dataverse executes:
 * a comparison involving a null column is unknown (so `name ne 'x'` does not return rows whose name is null),
 * `and`/`or`/`not` follow Kleene logic, and only rows whose filter is true are returned. Comparing with the null
 * literal is IS NULL / IS NOT NULL, so `x eq null` is true for missing and null values.
 */
import type { BinaryExpr, Expr, LiteralExpr, PathExpr } from './ast';
import { evaluateDataverseFunction } from './dataverse-functions';
import { notSupported, ODataEvaluationError } from './errors';
import { evaluateMethod } from './evaluate-methods';
import type { EvaluationContext, Row } from './evaluation-context';
import { durationToMilliseconds } from './literals';
import { parseAliasValue } from './parse-filter';
import { compareTyped, declaredFamily, familyOf, toTimestamp, type Typed } from './values';

export type { EvaluationContext, Row } from './evaluation-context';

interface Scope {
  /** The instance the option is evaluated on ($it, and the target of unprefixed member paths). */
  it: Row;
  variables: Map<string, unknown>;
}

const NULL: Typed = { value: null, type: 'null' };
const aliasCache = new WeakMap<Record<string, string>, Map<string, Expr>>();

function isNullLiteral(e: Expr): boolean {
  return e.kind === 'literal' && e.type === 'null';
}

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

/** true / false / null (unknown); anything else is a type error. */
function truth(t: Typed, what = 'The $filter expression'): boolean | null {
  if (isNull(t.value)) return null;
  if (typeof t.value !== 'boolean') {
    throw new ODataEvaluationError(`${what} must evaluate to a single boolean value.`);
  }
  return t.value;
}

function literalValue(e: LiteralExpr): Typed {
  if (e.type === 'Enum' && /^[+-]?\d+$/.test(String(e.value))) return { value: Number(e.value), type: 'Enum' };
  return { value: e.value, type: e.type };
}

class Evaluator {
  constructor(private readonly ctx: EvaluationContext) {}

  evaluate(e: Expr, scope: Scope): Typed {
    switch (e.kind) {
      case 'literal':
        return literalValue(e);
      case 'path':
        return this.path(e, scope);
      case 'alias':
        return this.alias(e.name, scope);
      case 'binary':
        return this.binary(e, scope);
      case 'unary': {
        const operand = this.evaluate(e.operand, scope);
        if (e.operator === 'not') {
          const v = truth(operand, "The operand of 'not'");
          return { value: v === null ? null : !v, type: 'Edm.Boolean' };
        }
        return isNull(operand.value) ? NULL : { value: -Number(operand.value), type: operand.type };
      }
      case 'method':
        return evaluateMethod(e.name, e.args.map((a) => this.evaluate(a, scope)), this.ctx.now ?? new Date());
      case 'function':
        return {
          value: evaluateDataverseFunction(e, scope.it, this.ctx, (p) => this.evaluate(p, scope)),
          type: 'Edm.Boolean',
        };
      case 'case': {
        const branch = e.branches.find((b) => truth(this.evaluate(b.when, scope), 'A case condition') === true);
        return branch ? this.evaluate(branch.then, scope) : NULL;
      }
      case 'cast':
      case 'isof':
        return this.typeFunction(e.kind, e.typeName, e.operand ? this.evaluate(e.operand, scope) : { value: scope.it });
      case 'list':
      case 'array':
        return { value: e.items.map((i) => this.evaluate(i, scope).value), type: 'Collection' };
      case 'object':
        return { value: Object.fromEntries(e.members.map((m) => [m.name, this.evaluate(m.value, scope).value])), type: 'Entity' };
    }
  }

  private alias(name: string, scope: Scope): Typed {
    const aliases = this.ctx.aliases;
    const raw = aliases?.[name] ?? aliases?.[`@${name}`];
    if (!aliases || raw === undefined) return NULL;
    let parsed = aliasCache.get(aliases);
    if (!parsed) aliasCache.set(aliases, (parsed = new Map()));
    let expr = parsed.get(name);
    if (!expr) parsed.set(name, (expr = parseAliasValue(raw, { aliases })));
    return this.evaluate(expr, scope);
  }

  private path(e: PathExpr, scope: Scope): Typed {
    let current: unknown;
    switch (e.root.kind) {
      case 'implicit':
      case 'it':
      case 'this':
        current = scope.it;
        break;
      case 'variable':
        current = scope.variables.get(e.root.name);
        break;
      default:
        throw notSupported(`Paths starting with ${e.root.kind === 'root' ? '$root' : 'a parameter alias'}`);
    }
    let type: string | undefined = e.segments.length ? undefined : 'Entity';
    let lastMember: string | undefined;
    let owner: Row | undefined;
    for (const segment of e.segments) {
      if (isNull(current)) return NULL;
      switch (segment.kind) {
        case 'member': {
          if (Array.isArray(current) || typeof current !== 'object') {
            throw new ODataEvaluationError(
              `The parent value for a property access of a property '${segment.name}' is not a single value. Property access can only be applied to a single value.`,
            );
          }
          const row = current as Row;
          const related = this.ctx.navigate?.(row, segment.name);
          lastMember = segment.name;
          // Some callers' navigate() also answers plain columns; only objects and arrays are navigation results.
          if (related !== undefined && (related === null || typeof related === 'object') && !(related instanceof Date)) {
            current = related;
            type = related === null ? undefined : Array.isArray(related) ? 'Collection' : 'Entity';
            owner = undefined;
          } else if (related !== undefined) {
            owner = row;
            current = related;
            type = this.ctx.typeOf?.(row, segment.name);
          } else {
            owner = row;
            current = row[segment.name] ?? null;
            type = this.ctx.typeOf?.(row, segment.name);
          }
          break;
        }
        case 'cast':
          break;
        case 'annotation': {
          const key = `${lastMember ?? ''}@${segment.term}${segment.qualifier ? `#${segment.qualifier}` : ''}`;
          current = (owner ?? (current as Row))[key] ?? null;
          type = undefined;
          break;
        }
        case 'count':
        case 'filter': {
          const items = this.collection(current, segment.kind === 'count' ? '$count' : '$filter');
          const predicate = segment.kind === 'count' ? segment.filter : segment.predicate;
          const kept = predicate ? items.filter((item) => this.holds(predicate, item, scope)) : items;
          current = segment.kind === 'count' ? kept.length : kept;
          type = segment.kind === 'count' ? 'Edm.Int64' : 'Collection';
          break;
        }
        case 'lambda':
          return { value: this.lambda(segment, this.collection(current, segment.operator), scope), type: 'Edm.Boolean' };
        default:
          throw notSupported('Function calls and key lookups inside $filter paths');
      }
    }
    return { value: current ?? null, type };
  }

  private collection(value: unknown, operation: string): unknown[] {
    if (!Array.isArray(value)) {
      throw new ODataEvaluationError(`'${operation}' can only be applied to a collection-valued navigation property.`);
    }
    return value;
  }

  private holds(predicate: Expr, item: unknown, scope: Scope): boolean {
    return truth(this.evaluate(predicate, { ...scope, it: item as Row })) === true;
  }

  /** any: some element satisfies; all: no element fails (unknown elements do not fail, as NOT EXISTS(NOT p)). */
  private lambda(
    segment: { operator: 'any' | 'all'; variable?: string; predicate?: Expr },
    items: unknown[],
    scope: Scope,
  ): boolean {
    if (!segment.predicate || !segment.variable) return items.length > 0;
    const results = items.map((item) => {
      const variables = new Map(scope.variables).set(segment.variable!, item);
      return truth(this.evaluate(segment.predicate!, { it: scope.it, variables }), 'A lambda predicate');
    });
    return segment.operator === 'any' ? results.includes(true) : !results.includes(false);
  }

  private binary(e: BinaryExpr, scope: Scope): Typed {
    const op = e.operator;
    if (op === 'and' || op === 'or') {
      const left = truth(this.evaluate(e.left, scope), `The operands of '${op}'`);
      if (left === (op === 'or')) return { value: left, type: 'Edm.Boolean' };
      const right = truth(this.evaluate(e.right, scope), `The operands of '${op}'`);
      const value = op === 'and' ? (left === false || right === false ? false : left && right ? true : null)
        : left === true || right === true ? true : left === false && right === false ? false : null;
      return { value, type: 'Edm.Boolean' };
    }
    if ((op === 'eq' || op === 'ne') && (isNullLiteral(e.left) || isNullLiteral(e.right))) {
      const other = this.evaluate(isNullLiteral(e.left) ? e.right : e.left, scope);
      return { value: isNull(other.value) === (op === 'eq'), type: 'Edm.Boolean' };
    }
    const left = this.evaluate(e.left, scope);
    if (op === 'in') return { value: this.isIn(left, e.right, scope), type: 'Edm.Boolean' };
    const right = this.evaluate(e.right, scope);
    if (isNull(left.value) || isNull(right.value)) return { value: null, type: op === 'has' ? 'Edm.Boolean' : left.type };
    switch (op) {
      case 'eq': case 'ne': case 'gt': case 'ge': case 'lt': case 'le': {
        const c = compareTyped(left, right, op);
        const value = { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[op];
        return { value, type: 'Edm.Boolean' };
      }
      case 'has': {
        const flag = Number(right.value);
        if (!Number.isFinite(flag)) throw notSupported('has with enumeration member names');
        return { value: (Number(left.value) & flag) === flag, type: 'Edm.Boolean' };
      }
      default:
        return arithmetic(op, left, right);
    }
  }

  /** SQL IN: true on a match, unknown when there is no match but the list holds a null. */
  private isIn(left: Typed, right: Expr, scope: Scope): boolean | null {
    if (isNull(left.value)) return null;
    let items: Typed[];
    if (right.kind === 'list' || right.kind === 'array') {
      items = right.items.map((i) => this.evaluate(i, scope));
    } else {
      const collection = this.evaluate(right, scope).value;
      if (isNull(collection)) return null;
      if (!Array.isArray(collection)) throw new ODataEvaluationError("The right operand of 'in' must be a collection.");
      items = collection.map((value) => ({ value }));
    }
    let unknown = false;
    for (const item of items) {
      if (isNull(item.value)) unknown = true;
      else if (compareTyped(left, item, 'eq') === 0) return true;
    }
    return unknown ? null : false;
  }

  private typeFunction(kind: 'cast' | 'isof', typeName: string, operand: Typed): Typed {
    const target = declaredFamily(typeName);
    if (!target) {
      if (kind === 'cast') return operand;
      const odataType = (operand.value as Row | null)?.['@odata.type'];
      if (typeof odataType !== 'string') throw notSupported('isof with entity or complex types');
      return { value: odataType.replace(/^#/, '').endsWith(typeName), type: 'Edm.Boolean' };
    }
    if (kind === 'isof') return { value: !isNull(operand.value) && familyOf(operand) === target, type: 'Edm.Boolean' };
    if (isNull(operand.value)) return { value: null, type: typeName };
    const v = operand.value;
    const converted =
      target === 'string' ? String(v)
        : target === 'number' ? (/Int|Byte/.test(typeName) ? Math.trunc(Number(v)) : Number(v))
          : target === 'boolean' ? v === true || v === 'true' || v === 1
            : v;
    return { value: converted, type: typeName };
  }
}

function arithmetic(op: string, left: Typed, right: Typed): Typed {
  const lf = familyOf(left);
  const rf = familyOf(right);
  if (lf === 'datetime' && rf === 'duration' && (op === 'add' || op === 'sub')) {
    const ms = durationToMilliseconds(String(right.value)) ?? 0;
    return { value: new Date(toTimestamp(left.value) + (op === 'add' ? ms : -ms)).toISOString(), type: 'Edm.DateTimeOffset' };
  }
  const a = Number(left.value);
  const b = Number(right.value);
  if (Number.isNaN(a) || Number.isNaN(b)) throw notSupported(`'${op}' on ${lf} and ${rf} operands`);
  const integral = /Int|Byte/.test(left.type ?? '') && /Int|Byte/.test(right.type ?? '');
  if ((op === 'div' || op === 'mod') && integral && b === 0) throw new ODataEvaluationError('Attempted to divide by zero.');
  const value = { add: a + b, sub: a - b, mul: a * b, div: integral ? Math.trunc(a / b) : a / b, divby: a / b, mod: a % b }[
    op as 'add'
  ];
  return { value, type: integral && op !== 'divby' ? 'Edm.Int64' : 'Edm.Decimal' };
}

function scopeFor(row: Row): Scope {
  return { it: row, variables: new Map() };
}

/** The value and (when known) Edm type of an expression for one row; used by $orderby and $apply. */
export function evaluateTyped(ast: Expr, row: Row, ctx: EvaluationContext = {}): Typed {
  return new Evaluator(ctx).evaluate(ast, scopeFor(row));
}

/** The value of an expression for one row (null for unknown). */
export function evaluateExpression(ast: Expr, row: Row, ctx: EvaluationContext = {}): unknown {
  return evaluateTyped(ast, row, ctx).value;
}

/** True when the row satisfies the filter; false for false and for unknown (null), as Dataverse returns it. */
export function evaluateFilter(ast: Expr, row: Row, ctx: EvaluationContext = {}): boolean {
  return truth(evaluateTyped(ast, row, ctx)) === true;
}

/** Filters rows, keeping the input order. */
export function applyFilter<T extends Row>(rows: readonly T[], ast: Expr, ctx: EvaluationContext = {}): T[] {
  const evaluator = new Evaluator(ctx);
  return rows.filter((row) => truth(evaluator.evaluate(ast, scopeFor(row))) === true);
}
