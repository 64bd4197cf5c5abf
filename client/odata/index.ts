/** OData request building for Dataverse and F&O: literals, filters, query strings, entity paths, lookups. No HTTP. */
export { EDM_PRIMITIVE_TYPES, typed, inferEdmType, type ColumnTypeLookup, type EdmPrimitiveType, type EdmType, type TypedValue } from './edm-types';
export { canonicalValue, type CanonicalValue } from './edm-values';
export { formatLiteral, keyPredicate, quoteString, type EntityKey, type KeyValue } from './literals';
export { encodeODataText } from './url-encoding';
export { raw, renderFilter, isFilter, type Filter } from './filter-text';
export {
  filterBuilder,
  type ColumnReference,
  type FilterBuilder,
  type FilterBuilderOptions,
  type FilterValue,
  type LambdaOptions,
  type StringMatchOptions,
} from './filter';
export { DATAVERSE_FUNCTION_NAMESPACE, DATAVERSE_QUERY_FUNCTION_NAMES, type DataverseQueryFunctions } from './query-functions';
export { appendQuery, buildQueryString, entityPath, type ExpandOption, type ODataQuery, type OrderByItem } from './query';
export { bindProperty, bindValue, lookupNavigation, lookupValueColumn, type BindPropertyOptions } from './lookups';
export { assertPropertyPath, isIdentifier } from './identifiers';
