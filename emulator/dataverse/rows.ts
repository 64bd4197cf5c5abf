/** Finding rows by key, alternate key or entity URL, and reading their primary names. */
import type { Row } from '../store/table-store';
import type { DataverseService } from './context';
import { badRequest, invalidKey, unknownSegment } from './errors';
import type { Table } from './schema';
import { isGuid, KeyValue, parseKey, splitPath } from './url';

export interface RowRef {
  table: Table;
  id: string;
  row: Row | undefined;
  /** Key used, for OData-EntityId echoes (`accounts(accountnumber='A1')`). */
  keyText: string;
  /** Values an upsert copies into a new row (alternate key parts or the primary id). */
  keyValues: Record<string, KeyValue>;
}

/** Resolves `(guid)`, `(accountid=guid)` or an alternate key `(accountnumber='A1')` to a row (which may not exist). */
export function findByKey(service: DataverseService, table: Table, args: string, aliases: URLSearchParams): RowRef {
  const key = parseKey(args, aliases);
  if (key.single !== undefined) {
    if (typeof key.single !== 'string' || !isGuid(key.single)) throw invalidKey(table.logicalName);
    const row = service.store.get(table.logicalName, key.single);
    return { table, id: key.single, row, keyText: `(${key.single})`, keyValues: { [table.primaryId]: key.single } };
  }
  const named = key.named!;
  if (named.size === 1 && named.has(table.primaryId)) {
    const id = named.get(table.primaryId);
    if (typeof id !== 'string' || !isGuid(id)) throw invalidKey(table.logicalName);
    return { table, id, row: service.store.get(table.logicalName, id), keyText: `(${id})`, keyValues: { [table.primaryId]: id } };
  }
  const names = [...named.keys()].sort();
  const altKey = table.alternateKeys.find((k) => k.length === names.length && [...k].sort().every((n, i) => n === names[i]));
  if (!altKey) throw invalidKey(table.logicalName);
  const keyValues = Object.fromEntries(named);
  const foundId = service.store.findByIndex(table.logicalName, altKey, altKey.map((k) => named.get(k)));
  const found = foundId ? service.store.get(table.logicalName, foundId) : undefined;
  const id = found ? String(found[table.primaryId]) : '';
  return { table, id, row: found, keyText: `(${args})`, keyValues };
}

/**
 * Resolves an entity reference (`accounts(guid)`, `/accounts(guid)`, or an absolute URL under this service) as
 * used by `@odata.bind` and `$ref` bodies.
 */
export function resolveEntityUrl(service: DataverseService, url: string, aliases = new URLSearchParams()): RowRef {
  let path = url.trim();
  if (/^https?:\/\//i.test(path)) {
    if (!path.toLowerCase().startsWith(service.serviceRoot.toLowerCase())) {
      throw badRequest(`The URL '${url}' does not refer to an entity of this service.`);
    }
    path = path.slice(service.serviceRoot.length);
  }
  path = path.replace(/^\//, '').replace(/^api\/data\/v9\.\d\//, '');
  const segments = splitPath(decodeURIComponent(path));
  const first = segments[0];
  if (!first || segments.length !== 1 || first.args === undefined) throw badRequest(`The URL '${url}' is not a valid entity reference.`);
  const table = service.schema.bySet.get(first.name);
  if (!table) throw unknownSegment(first.name);
  return findByKey(service, table, first.args, aliases);
}

export function primaryNameOf(service: DataverseService, table: string, id: string): string | undefined {
  const t = service.schema.table(table);
  const row = service.store.get(table, id);
  if (!t || !row || !t.primaryName) return undefined;
  const value = row[t.primaryName];
  return value === null || value === undefined ? undefined : String(value);
}

export function entityUrl(service: DataverseService, table: Table, id: string): string {
  return `${service.serviceRoot}${table.setName}(${id})`;
}
