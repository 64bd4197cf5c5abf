/**
 * Relationship definitions read off the CSDL navigation properties: every lookup is the referencing side of a
 * one-to-many relationship whose name is the partner collection on the referenced table, and a collection whose
 * partner is also a collection is a many-to-many relationship.
 */
import type { DataverseSchema, Table } from '../schema';
import { attributeLogicalName } from './attribute-metadata';
import { CRM, isCustomTable, userTables } from './entity-metadata';
import { emptyLabel, fillDeclaredProperties, managed, MetadataRow, stableGuid } from './labels';

export type RelationshipKind = 'OneToManyRelationshipMetadata' | 'ManyToManyRelationshipMetadata';

export interface RelationshipEntry {
  typeName: RelationshipKind;
  row: MetadataRow;
}

const NO_CASCADE = {
  Assign: 'NoCascade', Delete: 'RemoveLink', Merge: 'NoCascade', Reparent: 'NoCascade', Share: 'NoCascade',
  Unshare: 'NoCascade', RollupView: 'NoCascade',
};

const menu = () => ({ Behavior: 'UseCollectionName', Group: 'Details', Label: emptyLabel(), Order: 10000 });

function common(schemaName: string, custom: boolean, type: string): MetadataRow {
  return {
    MetadataId: stableGuid('relationship', schemaName),
    HasChanged: null,
    SchemaName: schemaName,
    RelationshipType: type,
    IsCustomRelationship: custom,
    IsManaged: !custom,
    IsValidForAdvancedFind: true,
    IsCustomizable: managed(true, false, 'iscustomizable'),
    SecurityTypes: type === 'OneToManyRelationship' ? 'Append' : 'None',
    IntroducedVersion: custom ? '1.0.0.0' : '5.0.0.0',
  };
}

/**
 * Only a table's own navigation properties count: derived activity types (task, email) inherit the
 * activitypointer lookups, whose relationships belong to activitypointer.
 */
function oneToMany(schema: DataverseSchema, referencing: Table, tables: Map<string, Table>): RelationshipEntry[] {
  const out: RelationshipEntry[] = [];
  for (const lookup of referencing.lookups.values()) {
    const nav = referencing.type.navigation.get(lookup.navigation);
    const referenced = tables.get(lookup.targetTable);
    const column = referencing.columns.get(lookup.column);
    if (!nav || !referenced || !column) continue;
    const schemaName = nav.partner ?? lookup.navigation;
    const row: MetadataRow = {
      ...common(schemaName, isCustomTable(referencing) || isCustomTable(referenced), 'OneToManyRelationship'),
      ReferencedAttribute: nav.constraints[0]?.referencedProperty ?? referenced.primaryId,
      ReferencedEntity: referenced.logicalName,
      ReferencingAttribute: attributeLogicalName(column),
      ReferencingEntity: referencing.logicalName,
      IsHierarchical: false,
      ReferencedEntityNavigationPropertyName: nav.partner ?? null,
      ReferencingEntityNavigationPropertyName: lookup.navigation,
      CascadeConfiguration: { ...NO_CASCADE },
      AssociatedMenuConfiguration: menu(),
    };
    out.push({ typeName: 'OneToManyRelationshipMetadata', row: fillDeclaredProperties(row, schema.model, `${CRM}OneToManyRelationshipMetadata`) });
  }
  return out;
}

function manyToMany(schema: DataverseSchema, table: Table, tables: Map<string, Table>): RelationshipEntry[] {
  const out: RelationshipEntry[] = [];
  for (const nav of table.type.navigation.values()) {
    if (!nav.collection || !nav.partner) continue;
    const other = schema.tableOfType(nav.type);
    if (!other || !tables.has(other.logicalName) || !other.collections.has(nav.partner)) continue;
    const row: MetadataRow = {
      ...common(nav.name, isCustomTable(table) || isCustomTable(other), 'ManyToManyRelationship'),
      Entity1LogicalName: table.logicalName,
      Entity2LogicalName: other.logicalName,
      IntersectEntityName: nav.name,
      Entity1IntersectAttribute: table.primaryId,
      Entity2IntersectAttribute: other.primaryId,
      Entity1NavigationPropertyName: nav.name,
      Entity2NavigationPropertyName: nav.partner,
      Entity1AssociatedMenuConfiguration: menu(),
      Entity2AssociatedMenuConfiguration: menu(),
    };
    out.push({ typeName: 'ManyToManyRelationshipMetadata', row: fillDeclaredProperties(row, schema.model, `${CRM}ManyToManyRelationshipMetadata`) });
  }
  return out;
}

/** Every relationship once, one-to-many first; a relationship seen from both sides keeps its first reading. */
export function buildRelationships(schema: DataverseSchema): RelationshipEntry[] {
  const tables = new Map(userTables(schema).map((t) => [t.logicalName, t]));
  const seen = new Set<string>();
  const out: RelationshipEntry[] = [];
  const add = (entries: RelationshipEntry[]) => {
    for (const e of entries) {
      const name = String(e.row.SchemaName);
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(e);
    }
  };
  for (const table of tables.values()) add(oneToMany(schema, table, tables));
  for (const table of tables.values()) add(manyToMany(schema, table, tables));
  return out;
}
