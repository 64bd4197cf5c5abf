/** Public API of the emulator's own OData query-option parser and evaluator (no dependency on client/odata). */
export * from './ast';
export * from './errors';
export { parseExpression, parseFilter, parseAliasValue, type ParseOptions } from './parse-filter';
export {
  parseOrderBy,
  parseSelect,
  parseExpand,
  parseCompute,
  parseTop,
  parseSkip,
  parseCount,
  parseLevels,
} from './parse-options';
export { parseApply } from './parse-apply';
export { parseQueryOptions, type QueryParseSettings } from './parse-query';
export { parseLiteral, parseTypedValue } from './parse-literal';
export * from './evaluate';
export { like } from './wildcards';
