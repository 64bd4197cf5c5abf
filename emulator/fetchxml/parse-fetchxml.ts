/** Reads a FetchXML document into a {@link FetchQuery}, refusing anything the emulator would otherwise misread. */
import { childrenNamed, parseXml, XmlError, type XmlElement } from '../../client/metadata/xml';
import { FetchXmlError } from './errors';
import { OPERATOR_ARITY, UNSUPPORTED_OPERATORS, X_OPERATOR } from './operators';
import type {
  AggregateFunction,
  DateGrouping,
  FetchAttribute,
  FetchCondition,
  FetchFilter,
  FetchLinkEntity,
  FetchOrder,
  FetchQuery,
  LinkType,
} from './query';

/** Dataverse pages hold at most 5,000 rows; `top` has the same ceiling. */
export const MAX_PAGE_SIZE = 5000;
/** Dataverse refuses queries with more than 15 link-entities. */
const MAX_LINK_ENTITIES = 15;
/** FetchXML arrives in a URL (32 KB) or a $batch part (64 KB); these bounds leave room while capping hostile input. */
const XML_LIMITS = { maxDepth: 64, maxElements: 20_000, maxLength: 1024 * 1024 };

const AGGREGATES = new Set<AggregateFunction>(['count', 'countcolumn', 'sum', 'avg', 'min', 'max']);
const DATE_GROUPINGS = new Set<DateGrouping>(['year', 'quarter', 'month', 'week', 'day']);
const LINK_TYPES = new Set<LinkType>(['inner', 'outer', 'exists', 'in']);

export function parseFetchXml(xml: string): FetchQuery {
  let root: XmlElement;
  try {
    root = parseXml(xml, XML_LIMITS);
  } catch (error) {
    if (error instanceof XmlError) throw new FetchXmlError(`Invalid FetchXML: ${error.message}`);
    throw error;
  }
  if (root.name !== 'fetch') throw new FetchXmlError(`The FetchXML root element must be <fetch>, not <${root.name}>.`);
  const entities = root.children.filter((child) => child.name === 'entity');
  const other = root.children.find((child) => child.name !== 'entity');
  if (other) throw new FetchXmlError(`Unexpected element <${other.name}> inside <fetch>; only <entity> is allowed.`);
  if (entities.length !== 1) throw new FetchXmlError('The <fetch> element must contain exactly one <entity> element.');

  const aggregate = readBoolean(root, 'aggregate');
  const state = { links: 0, aggregate };
  const entity = readEntity(entities[0], 'entity', state);
  const query: FetchQuery = {
    entity: entity.name,
    attributes: entity.attributes,
    ...(entity.filter ? { filter: entity.filter } : {}),
    orders: entity.orders,
    links: entity.links,
    distinct: readBoolean(root, 'distinct'),
    returnTotalRecordCount: readBoolean(root, 'returntotalrecordcount'),
    aggregate,
  };
  const count = readInteger(root, 'count', 1, MAX_PAGE_SIZE);
  const page = readInteger(root, 'page', 1, 1_000_000_000);
  const top = readInteger(root, 'top', 1, MAX_PAGE_SIZE);
  if (top !== undefined && (count !== undefined || page !== undefined)) {
    throw new FetchXmlError("The 'top' attribute can't be combined with the paging attributes 'count' or 'page'.");
  }
  if (count !== undefined) query.count = count;
  if (page !== undefined) query.page = page;
  if (top !== undefined) query.top = top;
  const cookie = root.attrs['paging-cookie'];
  if (cookie !== undefined && cookie.trim() !== '') query.pagingCookie = cookie.trim();
  if (aggregate) checkAggregate(query);
  return query;
}

interface ParseState {
  links: number;
  aggregate: boolean;
}

type EntityParts = Omit<FetchLinkEntity, 'from' | 'to' | 'alias' | 'linkType'>;

function readEntity(element: XmlElement, what: string, state: ParseState): EntityParts {
  const name = requireAttr(element, 'name');
  const attributes: FetchAttribute[] = [];
  let all = false;
  const filters: FetchFilter[] = [];
  const orders: FetchOrder[] = [];
  const links: FetchLinkEntity[] = [];
  for (const child of element.children) {
    switch (child.name) {
      case 'attribute':
        attributes.push(readAttribute(child, state));
        break;
      case 'all-attributes':
        all = true;
        break;
      case 'filter':
        filters.push(readFilter(child));
        break;
      case 'order':
        orders.push(readOrder(child));
        break;
      case 'link-entity':
        links.push(readLink(child, state));
        break;
      default:
        throw new FetchXmlError(`Unexpected element <${child.name}> inside <${what} name='${name}'>.`);
    }
  }
  if (all && attributes.length > 0) throw new FetchXmlError(`<${what} name='${name}'> can't have both <all-attributes/> and <attribute> elements.`);
  const filter = filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { type: 'and' as const, conditions: [], filters };
  // Without column elements the root entity returns every column (like all-attributes); a link-entity returns none.
  const noColumns = attributes.length === 0 && !all;
  return {
    name,
    attributes: all || (noColumns && what === 'entity') ? 'all' : attributes,
    ...(filter ? { filter } : {}),
    orders,
    links,
  };
}

function readLink(element: XmlElement, state: ParseState): FetchLinkEntity {
  if (++state.links > MAX_LINK_ENTITIES) throw new FetchXmlError(`The query has more than ${MAX_LINK_ENTITIES} link-entity elements.`);
  const linkType = (element.attrs['link-type'] ?? 'inner').toLowerCase() as LinkType;
  if (!LINK_TYPES.has(linkType)) {
    throw new FetchXmlError(`The link-type '${element.attrs['link-type']}' is not supported by the emulator; use inner, outer, exists or in.`);
  }
  const parts = readEntity(element, 'link-entity', state);
  const from = element.attrs.from;
  const to = element.attrs.to;
  if (!from || !to) {
    throw new FetchXmlError(`<link-entity name='${parts.name}'> needs both 'from' and 'to' attributes (relationship inference is not emulated).`);
  }
  if ((linkType === 'exists' || linkType === 'in') && (parts.links.length > 0 || parts.attributes === 'all' || parts.attributes.length > 0)) {
    throw new FetchXmlError(`<link-entity link-type='${linkType}'> can only filter; it can't return columns or contain link-entities.`);
  }
  const alias = element.attrs.alias;
  return { ...parts, from, to, ...(alias ? { alias } : {}), linkType };
}

function readAttribute(element: XmlElement, state: ParseState): FetchAttribute {
  const attribute: FetchAttribute = { name: requireAttr(element, 'name') };
  const { alias, aggregate, dategrouping } = element.attrs;
  if (alias) attribute.alias = alias;
  if (aggregate !== undefined) {
    if (!state.aggregate) throw new FetchXmlError(`The attribute '${attribute.name}' has an aggregate but <fetch> lacks aggregate='true'.`);
    if (!AGGREGATES.has(aggregate as AggregateFunction)) {
      throw new FetchXmlError(`The aggregate '${aggregate}' is not valid; use count, countcolumn, sum, avg, min or max.`);
    }
    attribute.aggregate = aggregate as AggregateFunction;
  }
  if (readBoolean(element, 'groupby')) attribute.groupBy = true;
  if (readBoolean(element, 'distinct')) attribute.distinct = true;
  if (dategrouping !== undefined) {
    if (!DATE_GROUPINGS.has(dategrouping as DateGrouping)) {
      throw new FetchXmlError(`The dategrouping '${dategrouping}' is not supported by the emulator; use year, quarter, month, week or day.`);
    }
    attribute.dateGrouping = dategrouping as DateGrouping;
  }
  return attribute;
}

function readFilter(element: XmlElement): FetchFilter {
  const type = (element.attrs.type ?? 'and').toLowerCase();
  if (type !== 'and' && type !== 'or') throw new FetchXmlError(`The filter type '${element.attrs.type}' is not valid; use 'and' or 'or'.`);
  const filter: FetchFilter = { type, conditions: [], filters: [] };
  for (const child of element.children) {
    if (child.name === 'condition') filter.conditions.push(readCondition(child));
    else if (child.name === 'filter') filter.filters.push(readFilter(child));
    else throw new FetchXmlError(`Unexpected element <${child.name}> inside <filter>; only <condition> and <filter> are supported.`);
  }
  return filter;
}

function readCondition(element: XmlElement): FetchCondition {
  const attribute = requireAttr(element, 'attribute');
  const operator = requireAttr(element, 'operator');
  const arity = OPERATOR_ARITY.get(operator);
  if (arity === undefined) {
    if (UNSUPPORTED_OPERATORS.has(operator)) throw new FetchXmlError(`The condition operator '${operator}' is valid FetchXML but is not supported by the emulator.`);
    const hint = operator === 'contains' ? " FetchXML has no 'contains'; use operator='like' with value='%text%'." : '';
    throw new FetchXmlError(`The condition operator '${operator}' on attribute '${attribute}' is not a valid FetchXML operator.${hint}`);
  }
  const children = childrenNamed(element, 'value').map((value) => value.text);
  const stray = element.children.find((child) => child.name !== 'value');
  if (stray) throw new FetchXmlError(`Unexpected element <${stray.name}> inside <condition>; only <value> is allowed.`);
  const single = element.attrs.value;
  if (single !== undefined && children.length > 0) {
    throw new FetchXmlError(`The condition on '${attribute}' has both a 'value' attribute and <value> elements.`);
  }
  const values = single !== undefined ? [single] : children;
  const condition: FetchCondition = { attribute, operator, values };
  if (element.attrs.entityname) condition.entityName = element.attrs.entityname;
  if (element.attrs.valueof) {
    if (!['eq', 'ne', 'neq', 'gt', 'ge', 'lt', 'le'].includes(operator)) {
      throw new FetchXmlError(`The operator '${operator}' can't be used with valueof; use eq, ne, gt, ge, lt or le.`);
    }
    if (values.length > 0) throw new FetchXmlError(`The condition on '${attribute}' has both 'valueof' and a value.`);
    condition.valueOfAttribute = element.attrs.valueof;
    return condition;
  }
  checkArity(condition, arity);
  return condition;
}

function checkArity(condition: FetchCondition, arity: string): void {
  const { attribute, operator, values } = condition;
  const count = values.length;
  const expected = { none: count === 0, one: count === 1, two: count === 2, many: count >= 1 }[arity];
  if (!expected) {
    const wanted = { none: 'no value', one: 'exactly one value', two: 'exactly two values', many: 'at least one value' }[arity];
    throw new FetchXmlError(`The condition operator '${operator}' on attribute '${attribute}' takes ${wanted}; got ${count}.`);
  }
  if (X_OPERATOR.test(operator) && !/^[1-9]\d{0,5}$/.test(values[0].trim())) {
    throw new FetchXmlError(`The condition operator '${operator}' on attribute '${attribute}' needs a positive whole number, not '${values[0]}'.`);
  }
}

function readOrder(element: XmlElement): FetchOrder {
  const { attribute, alias, entityname } = element.attrs;
  if (!attribute === !alias) throw new FetchXmlError("An <order> element needs either an 'attribute' or an 'alias' attribute.");
  return {
    ...(attribute ? { attribute } : {}),
    ...(alias ? { alias } : {}),
    descending: readBoolean(element, 'descending'),
    ...(entityname ? { entityName: entityname } : {}),
  };
}

function checkAggregate(query: FetchQuery): void {
  const all: FetchAttribute[] = [];
  const collect = (attributes: FetchAttribute[] | 'all', links: FetchLinkEntity[], name: string) => {
    if (attributes === 'all') throw new FetchXmlError(`An aggregate query can't return all attributes of '${name}'; list aggregate or groupby attributes.`);
    all.push(...attributes);
    for (const link of links) collect(link.attributes, link.links, link.name);
  };
  collect(query.attributes, query.links, query.entity);
  if (!all.some((attribute) => attribute.aggregate !== undefined)) throw new FetchXmlError('An aggregate query needs at least one attribute with an aggregate.');
  for (const attribute of all) {
    if (attribute.aggregate === undefined && !attribute.groupBy) {
      throw new FetchXmlError(`In an aggregate query the attribute '${attribute.name}' needs an aggregate or groupby='true'.`);
    }
    if (!attribute.alias) throw new FetchXmlError(`In an aggregate query the attribute '${attribute.name}' needs an alias.`);
  }
}

function requireAttr(element: XmlElement, name: string): string {
  const value = element.attrs[name];
  if (value === undefined || value.trim() === '') throw new FetchXmlError(`The <${element.name}> element needs a '${name}' attribute.`);
  return value.trim();
}

function readBoolean(element: XmlElement, name: string): boolean {
  const value = element.attrs[name];
  if (value === undefined) return false;
  const lower = value.trim().toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new FetchXmlError(`The '${name}' attribute of <${element.name}> must be true or false, not '${value}'.`);
}

function readInteger(element: XmlElement, name: string, min: number, max: number): number | undefined {
  const value = element.attrs[name];
  if (value === undefined) return undefined;
  const number = /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(number >= min && number <= max)) {
    throw new FetchXmlError(`The '${name}' attribute of <${element.name}> must be a whole number from ${min} to ${max}, not '${value}'.`);
  }
  return number;
}
