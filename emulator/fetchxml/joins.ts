/** Link-entity joins: every entity of the query gets a slot in the joined record, linked rows are matched by key. */
import type { JoinedRecord, Predicate } from './conditions';
import { FetchXmlError } from './errors';
import type { FetchAttribute, FetchLinkEntity, FetchOrder, FetchQuery } from './query';
import { readColumn, type Row } from './values';

export interface QueryScope {
  /** Slot in {@link JoinedRecord}: 0 for the root entity. */
  index: number;
  entity: string;
  /** Prefix of the link's output columns (`alias.column`); '' for the root. */
  alias: string;
  parent: number;
  link?: FetchLinkEntity;
  attributes: FetchAttribute[] | 'all';
  orders: FetchOrder[];
}

/** Joins can multiply rows; past this the query is refused rather than exhausting memory. */
const MAX_JOINED_RECORDS = 500_000;

/** Root first, then link-entities depth-first; links without an alias are named `<entity><n>` (inference). */
export function planScopes(query: FetchQuery): QueryScope[] {
  const scopes: QueryScope[] = [
    { index: 0, entity: query.entity, alias: '', parent: -1, attributes: query.attributes, orders: query.orders },
  ];
  const used = new Set<string>();
  const counters = new Map<string, number>();
  const visit = (links: FetchLinkEntity[], parent: number) => {
    for (const link of links) {
      let alias = link.alias;
      if (alias === undefined) {
        do {
          const n = (counters.get(link.name) ?? 0) + 1;
          counters.set(link.name, n);
          alias = `${link.name}${n}`;
        } while (used.has(alias.toLowerCase()));
      } else if (used.has(alias.toLowerCase())) {
        throw new FetchXmlError(`The link-entity alias '${alias}' is used more than once.`);
      }
      used.add(alias.toLowerCase());
      const index = scopes.length;
      scopes.push({ index, entity: link.name, alias, parent, link, attributes: link.attributes, orders: link.orders });
      visit(link.links, index);
    }
  };
  visit(query.links, 0);
  return scopes;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

function joinKey(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  const guid = GUID.exec(text);
  return guid ? guid[1].toLowerCase() : text.toLowerCase();
}

/**
 * Adds one link-entity to every record. The link's own filter is tested on candidate rows before joining,
 * like the ON clause Dataverse generates, so an outer link keeps parents whose candidates all fail it.
 */
export function joinLink(records: JoinedRecord[], scope: QueryScope, targets: Row[], filter: Predicate): JoinedRecord[] {
  const link = scope.link!;
  const index = new Map<string, Row[]>();
  const probe: JoinedRecord = [];
  for (const row of targets) {
    const key = joinKey(readColumn(row, link.from)?.value);
    if (key === undefined) continue;
    probe[scope.index] = row;
    if (!filter(probe)) continue;
    const bucket = index.get(key);
    if (bucket) bucket.push(row);
    else index.set(key, [row]);
  }

  const joined: JoinedRecord[] = [];
  for (const record of records) {
    const key = joinKey(readColumn(record[scope.parent], link.to)?.value);
    const matches = key === undefined ? undefined : index.get(key);
    switch (link.linkType) {
      case 'exists':
      case 'in':
        if (matches) joined.push(record);
        break;
      case 'outer':
        if (!matches) joined.push(withSlot(record, scope.index, undefined));
        break;
    }
    if (matches && (link.linkType === 'inner' || link.linkType === 'outer')) {
      for (const match of matches) joined.push(withSlot(record, scope.index, match));
    }
    if (joined.length > MAX_JOINED_RECORDS) {
      throw new FetchXmlError(`The query's link-entities produce more than ${MAX_JOINED_RECORDS} rows; add filters.`);
    }
  }
  return joined;
}

function withSlot(record: JoinedRecord, index: number, row: Row | undefined): JoinedRecord {
  const copy = record.slice();
  copy[index] = row;
  return copy;
}
