/**
 * Navigation between rows: 1:N through the child's lookup column, N:N through stored associations (kept under
 * both navigation names), and associate / disassociate as `$ref` and collection binds perform them.
 */
import { LOOKUP_TABLES, Row } from '../store/table-store';
import type { DataverseService } from './context';
import { badRequest, rowNotFound } from './errors';
import { resolveEntityUrl } from './rows';
import type { Table } from './schema';
import type { WriteCaller } from './writes';

export interface RelatedSingle {
  kind: 'single';
  table: Table;
  row: Row | undefined;
}
export interface RelatedCollection {
  kind: 'collection';
  table: Table;
  rows: Row[];
}

export function related(service: DataverseService, table: Table, row: Row, nav: string): RelatedSingle | RelatedCollection {
  const lookup = table.lookups.get(nav);
  if (lookup) {
    const target = service.schema.table(lookup.targetTable)!;
    const id = row[lookup.column];
    const storedTable = (row[LOOKUP_TABLES] as Record<string, string> | undefined)?.[lookup.column];
    const matches = typeof id === 'string' && (!storedTable || storedTable === lookup.targetTable);
    return { kind: 'single', table: target, row: matches ? service.store.get(target.logicalName, id as string) : undefined };
  }
  const collection = table.collections.get(nav);
  if (!collection) throw badRequest(`Could not find a property named '${nav}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`);
  const target = service.schema.tableOfType(collection.type);
  if (!target) return { kind: 'collection', table, rows: [] };
  const id = String(row[table.primaryId]);
  const partner = collection.partner ? target.lookups.get(collection.partner) : undefined;
  if (partner) {
    const rows = [...service.store.rows(target.logicalName).values()].filter((r) => {
      const storedTable = (r[LOOKUP_TABLES] as Record<string, string> | undefined)?.[partner.column];
      return r[partner.column] === id && (!storedTable || storedTable === table.logicalName);
    });
    return { kind: 'collection', table: target, rows };
  }
  const rows = service.store
    .associated(nav, id)
    .map((otherId) => service.store.get(target.logicalName, otherId))
    .filter((r): r is Row => r !== undefined);
  return { kind: 'collection', table: target, rows };
}

/** Adds (or removes) the link `table(id)/nav` → `targetUrl`. */
export function associate(caller: WriteCaller, table: Table, id: string, nav: string, targetUrl: string, add: boolean): void {
  const { service } = caller;
  const target = resolveEntityUrl(service, caller.resolveReference?.(targetUrl) ?? targetUrl, caller.aliases);
  if (!target.row) throw rowNotFound(target.table.logicalName, target.id || target.keyText);
  const source = service.store.get(table.logicalName, id);
  if (!source) throw rowNotFound(table.logicalName, id);

  const lookup = table.lookups.get(nav);
  if (lookup) {
    if (target.table.logicalName !== lookup.targetTable) throw badRequest(`'${nav}' cannot refer to a '${target.table.logicalName}' row.`);
    setLookup(service, table, source, lookup.column, add ? target.id : null, lookup.targetTable);
    return;
  }
  const collection = table.collections.get(nav);
  if (!collection) throw badRequest(`Could not find a property named '${nav}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`);
  const expected = service.schema.tableOfType(collection.type);
  if (expected?.logicalName !== target.table.logicalName) {
    throw badRequest(`'${nav}' relates '${expected?.logicalName}' rows, not '${target.table.logicalName}'.`);
  }
  const partner = collection.partner ? target.table.lookups.get(collection.partner) : undefined;
  if (partner) {
    if (!add && target.row[partner.column] !== id) return;
    setLookup(service, target.table, target.row, partner.column, add ? id : null, table.logicalName);
    return;
  }
  service.store.associate(nav, id, target.id, add);
  if (collection.partner) service.store.associate(collection.partner, target.id, id, add);
}

function setLookup(service: DataverseService, table: Table, row: Row, column: string, value: string | null, targetTable: string) {
  const tables = { ...((row[LOOKUP_TABLES] as Record<string, string>) ?? {}) };
  if (value === null) delete tables[column];
  else tables[column] = targetTable;
  service.store.put(table.logicalName, String(row[table.primaryId]), {
    ...row,
    [column]: value,
    [LOOKUP_TABLES]: tables,
    modifiedon: service.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
}
