/**
 * Compiles `<filter>`/`<condition>` trees into predicates over joined records, parsing every literal once up front
 * so bad values fail even when no row is compared. Comparisons follow SQL: a null column matches only null/not-null.
 */
import { dateRange, inRange } from './date-ranges';
import { FetchXmlError } from './errors';
import { compileLike, matchLike } from './like-pattern';
import { X_OPERATOR } from './operators';
import type { FetchCondition, FetchFilter } from './query';
import { compareValues, normalize, parseLiteral, readColumn, type ColumnKind, type Comparable, type Row } from './values';

/** One slot per entity in the query: 0 is the root entity, then each link-entity in document order. */
export type JoinedRecord = Array<Row | undefined>;
export type Predicate = (record: JoinedRecord) => boolean;

export interface ConditionContext {
  kindOf(entity: string, attribute: string): ColumnKind;
  /** Slot and entity of a link-entity alias, for `entityname` on conditions. */
  scopeOfAlias(alias: string): { index: number; entity: string } | undefined;
  now: Date;
  userId: string;
}

const LIKE_FORMS: Record<string, { negate: boolean; pattern: (value: string) => string }> = {
  like: { negate: false, pattern: (v) => v },
  'not-like': { negate: true, pattern: (v) => v },
  'begins-with': { negate: false, pattern: (v) => `${v}%` },
  'not-begin-with': { negate: true, pattern: (v) => `${v}%` },
  'ends-with': { negate: false, pattern: (v) => `%${v}` },
  'not-end-with': { negate: true, pattern: (v) => `%${v}` },
};

const COMPARISONS: Record<string, (order: number) => boolean> = {
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
  neq: (c) => c !== 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
};

const literalKey = (value: Comparable) => `${typeof value}:${String(value)}`;

/** `ownScope` restricts `entityname` inside a link-entity filter, whose rows are tested before the join. */
export function compileFilter(
  filter: FetchFilter | undefined,
  scope: { index: number; entity: string; ownScope?: string },
  ctx: ConditionContext,
): Predicate {
  if (!filter) return () => true;
  const parts: Predicate[] = [
    ...filter.conditions.map((condition) => compileCondition(condition, resolveScope(condition, scope, ctx), ctx)),
    ...filter.filters.map((child) => compileFilter(child, scope, ctx)),
  ];
  if (parts.length === 0) return () => true;
  return filter.type === 'and' ? (record) => parts.every((part) => part(record)) : (record) => parts.some((part) => part(record));
}

function resolveScope(condition: FetchCondition, scope: { index: number; entity: string; ownScope?: string }, ctx: ConditionContext) {
  if (condition.entityName === undefined || condition.entityName === scope.ownScope) return scope;
  const found = scope.ownScope === undefined ? ctx.scopeOfAlias(condition.entityName) : undefined;
  if (!found) {
    throw new FetchXmlError(`The entityname '${condition.entityName}' of the condition on '${condition.attribute}' is not the alias of a link-entity in scope.`);
  }
  return found;
}

function compileCondition(condition: FetchCondition, scope: { index: number; entity: string }, ctx: ConditionContext): Predicate {
  const { attribute, operator, values } = condition;
  const where = `${scope.entity}.${attribute}`;
  const read = (record: JoinedRecord) => readColumn(record[scope.index], attribute)?.value;

  if (operator === 'null') return (record) => read(record) === undefined;
  if (operator === 'not-null') return (record) => read(record) !== undefined;

  if (operator === 'eq-userid' || operator === 'ne-userid') {
    const me = normalize(ctx.userId, 'guid');
    const wanted = operator === 'eq-userid';
    return (record) => {
      const value = normalize(read(record), 'guid');
      return value !== null && (value === me) === wanted;
    };
  }

  const like = LIKE_FORMS[operator];
  if (like) {
    const pattern = compileLike(like.pattern(values[0]));
    return (record) => {
      const value = read(record);
      return value !== undefined && matchLike(pattern, String(value)) !== like.negate;
    };
  }

  const column = ctx.kindOf(scope.entity, attribute);
  const isX = X_OPERATOR.test(operator);
  const datePoint = ['on', 'not-on', 'on-or-after', 'on-or-before'].includes(operator)
    ? (parseLiteral(values[0], { kind: 'datetime', declared: true }, where) as number)
    : undefined;
  const range = dateRange(operator, isX ? Number(values[0]) : datePoint, ctx.now);
  if (range) {
    if (column.declared && column.kind !== 'datetime') {
      throw new FetchXmlError(`The condition operator '${operator}' needs a date and time attribute; '${where}' is not one.`);
    }
    const negate = operator === 'not-on';
    return (record) => {
      const time = normalize(read(record), 'datetime');
      return time !== null && inRange(time as number, range) !== negate;
    };
  }

  const test = COMPARISONS[operator];
  if (condition.valueOfAttribute !== undefined) {
    const other = condition.valueOfAttribute;
    return (record) => {
      const left = normalize(read(record), column.kind);
      const right = normalize(readColumn(record[scope.index], other)?.value, column.kind);
      return left !== null && right !== null && test(compareValues(left, right));
    };
  }

  const literals = values.map((value) => parseLiteral(value, column, where));
  const value = (record: JoinedRecord) => normalize(read(record), column.kind);
  if (test) {
    const [literal] = literals;
    return (record) => {
      const current = value(record);
      return current !== null && test(compareValues(current, literal));
    };
  }
  switch (operator) {
    case 'in':
    case 'not-in': {
      const keys = new Set(literals.map(literalKey));
      const wanted = operator === 'in';
      return (record) => {
        const current = value(record);
        return current !== null && keys.has(literalKey(current)) === wanted;
      };
    }
    case 'between':
    case 'not-between': {
      const [low, high] = literals;
      const wanted = operator === 'between';
      return (record) => {
        const current = value(record);
        return current !== null && (compareValues(current, low) >= 0 && compareValues(current, high) <= 0) === wanted;
      };
    }
    default:
      // The parser only lets through operators handled above.
      throw new FetchXmlError(`The condition operator '${operator}' is not supported by the emulator.`);
  }
}
