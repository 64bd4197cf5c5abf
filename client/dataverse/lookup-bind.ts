/**
 * Writing a lookup column (dataverse-web-api.md §6.3): the body member is `<navigation>@odata.bind`, where the
 * navigation property depends on the target table for polymorphic lookups (Regarding, Customer, Owner), and the
 * value is `/<entityset>(<id>)`. This module resolves the navigation properties from the table's metadata once and
 * then turns a user's reference (`<guid>`, `account:<guid>`, `accounts(<guid>)` or a row URL) into that pair.
 */
import type { ColumnInfo, RelationshipInfo, TableInfo } from '../metadata/entity-definitions';
import { invalidArgument } from './errors';

/** The metadata reads the resolution needs (EntityDefinitions provides them, cached). */
export interface LookupMetadata {
  listTables(): Promise<TableInfo[]>;
  getColumns(table: string): Promise<ColumnInfo[]>;
  getRelationships(table: string): Promise<RelationshipInfo[]>;
}

export interface LookupTarget {
  table: string;
  entitySetName: string;
  displayName?: string;
  /** Single-valued navigation property on the lookup's table for this target. */
  navigationProperty: string;
}

export interface LookupColumn {
  table: string;
  column: string;
  targets: LookupTarget[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The targets of a lookup column with their navigation properties, from column and relationship metadata. Owner
 * lookups relate to the abstract `owner`/`principal` table, so every target shares the one navigation property.
 */
export function lookupColumnFrom(table: string, column: ColumnInfo, relationships: RelationshipInfo[], tables: TableInfo[]): LookupColumn {
  const own = relationships.filter((r) => r.kind === 'ManyToOne' && r.referencingAttribute === column.logicalName && r.navigationProperty);
  const targets: LookupTarget[] = [];
  for (const target of column.targets ?? []) {
    const info = tables.find((t) => t.logicalName === target);
    if (!info) continue;
    const rel = own.find((r) => r.relatedTable === target) ?? (own.length === 1 && !tables.some((t) => t.logicalName === own[0].relatedTable) ? own[0] : undefined);
    const navigationProperty = rel?.navigationProperty ?? (column.attributeType === 'Owner' ? column.logicalName : undefined);
    if (navigationProperty) targets.push({ table: target, entitySetName: info.entitySetName, displayName: info.displayName, navigationProperty });
  }
  return { table, column: column.logicalName, targets };
}

/** Reads the metadata of `table`.`column` and resolves its lookup targets. */
export async function describeLookup(metadata: LookupMetadata, table: string, column: string): Promise<LookupColumn> {
  const [columns, relationships, tables] = await Promise.all([metadata.getColumns(table), metadata.getRelationships(table), metadata.listTables()]);
  const info = columns.find((c) => c.logicalName === column);
  if (!info || !info.targets) throw invalidArgument(`The column '${column}' of table '${table}' is not a lookup.`);
  return lookupColumnFrom(table, info, relationships, tables);
}

function allowed(lookup: LookupColumn): string {
  return lookup.targets.map((t) => t.table).join(', ');
}

function findTarget(lookup: LookupColumn, name: string): LookupTarget {
  const wanted = name.toLowerCase();
  const target = lookup.targets.find((t) => t.table === wanted || t.entitySetName.toLowerCase() === wanted);
  if (!target) throw invalidArgument(`The lookup '${lookup.column}' cannot point at '${name}'; allowed tables: ${allowed(lookup)}.`);
  return target;
}

function checkId(lookup: LookupColumn, id: string): string {
  if (!GUID.test(id)) throw invalidArgument(`The lookup '${lookup.column}' needs a row id (GUID), got '${id}'.`);
  return id.toLowerCase();
}

/**
 * Which row a reference names. A bare GUID is enough for a single-target lookup; a polymorphic one needs the table:
 * `account:<guid>`, `accounts(<guid>)`, `/accounts(<guid>)` or the row's absolute URL under `serviceRoot`.
 */
export function parseLookupReference(lookup: LookupColumn, reference: string, serviceRoot?: string): { target: LookupTarget; id: string } {
  let text = reference.trim();
  if (/^https?:\/\//i.test(text)) {
    if (!serviceRoot || !text.toLowerCase().startsWith(serviceRoot.toLowerCase())) {
      throw invalidArgument(`The lookup '${lookup.column}' got a URL outside this environment's Web API${serviceRoot ? ` (${serviceRoot})` : ''}.`);
    }
    text = text.slice(serviceRoot.length);
  }
  const path = /^\/?([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)\)$/.exec(text);
  if (path) return { target: findTarget(lookup, path[1]), id: checkId(lookup, path[2]) };
  const prefixed = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/.exec(text);
  if (prefixed) return { target: findTarget(lookup, prefixed[1]), id: checkId(lookup, prefixed[2].trim()) };
  if (lookup.targets.length === 1) return { target: lookup.targets[0], id: checkId(lookup, text) };
  if (GUID.test(text)) {
    throw invalidArgument(
      `The lookup '${lookup.column}' can point at several tables (${allowed(lookup)}), so a bare id is ambiguous: write it as <table>:<id> (e.g. ${lookup.targets[0]?.table}:${text}) or <entityset>(<id>).`,
    );
  }
  throw invalidArgument(`The lookup '${lookup.column}' expects <table>:<id>, <entityset>(<id>) or a row URL, got '${reference}'.`);
}

/** The body member that sets the lookup: `[<navigation>@odata.bind, /<entityset>(<id>)]`. */
export function lookupBindPair(lookup: LookupColumn, target: string, id: string): [string, string] {
  const t = findTarget(lookup, target);
  return [`${t.navigationProperty}@odata.bind`, `/${t.entitySetName}(${checkId(lookup, id)})`];
}

/** A reference as written by a user, turned into the bind member (see parseLookupReference). */
export function bindLookupReference(lookup: LookupColumn, reference: string, serviceRoot?: string): [string, string] {
  const { target, id } = parseLookupReference(lookup, reference, serviceRoot);
  return lookupBindPair(lookup, target.table, id);
}
