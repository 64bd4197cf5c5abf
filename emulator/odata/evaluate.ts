/** Evaluation entry points (filter, order, apply), importable without the parsers. */
export { evaluateFilter, evaluateExpression, evaluateTyped, applyFilter, type EvaluationContext, type Row } from './evaluate-filter';
export { compareForOrderBy, compareForOrderBy as compareValues, applyOrderBy } from './order-by';
export { evaluateApply } from './apply';
export { evaluateDataverseFunction } from './dataverse-functions';
export type { Typed } from './values';
