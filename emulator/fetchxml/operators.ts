/** FetchXML condition operators the emulator evaluates, by how many values each takes. */

export type OperatorArity = 'none' | 'one' | 'two' | 'many';

const BY_ARITY: Record<OperatorArity, string[]> = {
  none: [
    'null', 'not-null', 'today', 'yesterday', 'tomorrow', 'last-seven-days', 'next-seven-days',
    'last-week', 'this-week', 'next-week', 'last-month', 'this-month', 'next-month',
    'last-year', 'this-year', 'next-year', 'eq-userid', 'ne-userid',
  ],
  one: [
    'eq', 'ne', 'neq', 'gt', 'ge', 'lt', 'le', 'like', 'not-like',
    'begins-with', 'not-begin-with', 'ends-with', 'not-end-with',
    'on', 'not-on', 'on-or-after', 'on-or-before',
    'last-x-hours', 'next-x-hours', 'last-x-days', 'next-x-days', 'last-x-weeks', 'next-x-weeks',
    'last-x-months', 'next-x-months', 'last-x-years', 'next-x-years',
    'olderthan-x-minutes', 'olderthan-x-hours', 'olderthan-x-days', 'olderthan-x-weeks',
    'olderthan-x-months', 'olderthan-x-years',
  ],
  two: ['between', 'not-between'],
  many: ['in', 'not-in'],
};

export const OPERATOR_ARITY: ReadonlyMap<string, OperatorArity> = new Map(
  (Object.keys(BY_ARITY) as OperatorArity[]).flatMap((arity) => BY_ARITY[arity].map((op) => [op, arity] as const)),
);

/** Valid FetchXML operators that need data the emulator does not model (hierarchies, teams, fiscal calendars). */
export const UNSUPPORTED_OPERATORS: ReadonlySet<string> = new Set([
  'eq-businessid', 'ne-businessid', 'eq-userteams', 'eq-useroruserteams', 'eq-useroruserhierarchy',
  'eq-useroruserhierarchyandteams', 'eq-userlanguage', 'under', 'eq-or-under', 'not-under', 'above', 'eq-or-above',
  'in-fiscal-year', 'in-fiscal-period', 'in-fiscal-period-and-year', 'in-or-before-fiscal-period-and-year',
  'in-or-after-fiscal-period-and-year', 'last-fiscal-year', 'this-fiscal-year', 'next-fiscal-year',
  'last-x-fiscal-years', 'next-x-fiscal-years', 'last-fiscal-period', 'this-fiscal-period', 'next-fiscal-period',
  'last-x-fiscal-periods', 'next-x-fiscal-periods', 'contain-values', 'not-contain-values',
]);

/** Operators whose value is a count of time units. */
export const X_OPERATOR = /^(last|next|olderthan)-x-/;
