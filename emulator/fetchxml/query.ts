/** The parsed form of a FetchXML `<fetch>` document. */

export type AggregateFunction = 'count' | 'countcolumn' | 'sum' | 'avg' | 'min' | 'max';
export type DateGrouping = 'year' | 'quarter' | 'month' | 'week' | 'day';
/** `exists` and `in` only filter the parent rows; `inner` and `outer` add the linked columns. */
export type LinkType = 'inner' | 'outer' | 'exists' | 'in';

export interface FetchAttribute {
  name: string;
  alias?: string;
  aggregate?: AggregateFunction;
  groupBy?: boolean;
  /** `distinct="true"` on a count/countcolumn aggregate. */
  distinct?: boolean;
  dateGrouping?: DateGrouping;
}

export interface FetchCondition {
  attribute: string;
  operator: string;
  /** From the `value` attribute or the `<value>` children, as written. */
  values: string[];
  /** Alias of a link-entity whose column the condition tests (conditions on joined rows). */
  entityName?: string;
  /** Column comparison: compare with another column of the same row instead of a value. */
  valueOfAttribute?: string;
}

export interface FetchFilter {
  type: 'and' | 'or';
  conditions: FetchCondition[];
  filters: FetchFilter[];
}

export interface FetchOrder {
  attribute?: string;
  /** Aggregate queries order by the alias of an output column. */
  alias?: string;
  descending: boolean;
  entityName?: string;
}

interface FetchEntityParts {
  name: string;
  /** `'all'` for `<all-attributes/>`. */
  attributes: FetchAttribute[] | 'all';
  /** Several `<filter>` elements directly under the entity are combined with `and`. */
  filter?: FetchFilter;
  orders: FetchOrder[];
  links: FetchLinkEntity[];
}

export interface FetchLinkEntity extends FetchEntityParts {
  /** Column of the linked entity. */
  from: string;
  /** Column of the parent entity. */
  to: string;
  alias?: string;
  linkType: LinkType;
}

export interface FetchQuery extends Omit<FetchEntityParts, 'name'> {
  entity: string;
  count?: number;
  page?: number;
  /** The inner cookie as written in `paging-cookie` (XML entities already decoded). */
  pagingCookie?: string;
  top?: number;
  distinct: boolean;
  returnTotalRecordCount: boolean;
  aggregate: boolean;
}
