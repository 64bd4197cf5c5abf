/**
 * EntityMetadata rows (what `EntityDefinitions` returns) and their alternate keys, derived from the emulator's
 * schema. Only the structural properties are computed; the rest get neutral values from the CSDL type.
 */
import type { DataverseSchema, Table } from '../schema';
import { emptyLabel, fillDeclaredProperties, label, managed, MetadataRow, pascalCase, stableGuid } from './labels';

export const CRM = 'Microsoft.Dynamics.CRM.';
const BASE_ENTITY = `${CRM}crmbaseentity`;

/**
 * Standard tables whose schema name cannot be read off the display name. Real schema names are mixed case and
 * clients sometimes match on them (e.g. `ActivityPointer`), so a few are spelled out.
 */
const STANDARD_SCHEMA_NAMES: Record<string, string> = {
  activitypointer: 'ActivityPointer',
  systemuser: 'SystemUser',
  transactioncurrency: 'TransactionCurrency',
};

/**
 * The CSDL also declares the metadata types themselves (EntityMetadata…) with entity sets, so the schema lists
 * them as tables; only types deriving from crmbaseentity are real Dataverse tables.
 */
export function userTables(schema: DataverseSchema): Table[] {
  return [...schema.tables.values()].filter((t) => derivesFromBaseEntity(schema, t.type.qualifiedName));
}

function derivesFromBaseEntity(schema: DataverseSchema, qualified: string): boolean {
  for (let name: string | undefined = qualified, guard = 0; name && guard < 20; guard++) {
    if (name === BASE_ENTITY) return true;
    name = schema.model.entityTypes.get(name)?.baseType;
  }
  return false;
}

/** Custom tables carry a publisher prefix (`sample_document`); standard table names never contain `_`. */
export function isCustomTable(table: Table): boolean {
  return table.logicalName.includes('_');
}

export function publisherPrefix(table: Table): string | undefined {
  return isCustomTable(table) ? table.logicalName.slice(0, table.logicalName.indexOf('_') + 1) : undefined;
}

export function entitySchemaName(table: Table): string {
  const known = STANDARD_SCHEMA_NAMES[table.logicalName];
  if (known) return known;
  const prefix = publisherPrefix(table) ?? '';
  const rest = table.logicalName.slice(prefix.length);
  const fromDisplay = pascalCase(table.displayName);
  if (fromDisplay.toLowerCase() === rest) return prefix + fromDisplay;
  return prefix + rest[0].toUpperCase() + rest.slice(1);
}

/** `transactioncurrencies` + `TransactionCurrency` → `TransactionCurrencies`: the set name with the schema casing. */
function collectionSchemaName(table: Table, schemaName: string): string {
  const set = table.setName;
  let common = 0;
  while (common < set.length && common < schemaName.length && set[common].toLowerCase() === schemaName[common].toLowerCase()) common++;
  return schemaName.slice(0, common) + set.slice(common);
}

function ownershipType(table: Table): string {
  if (table.columns.has('_ownerid_value')) return 'UserOwned';
  if (table.columns.has('_businessunitid_value') || table.columns.has('_parentbusinessunitid_value')) return 'BusinessOwned';
  return 'OrganizationOwned';
}

export function entityMetadataId(table: Table): string {
  return stableGuid('entity', table.logicalName);
}

export function buildEntityMetadata(schema: DataverseSchema, table: Table): MetadataRow {
  const custom = isCustomTable(table);
  const schemaName = entitySchemaName(table);
  const owner = `entity:${table.logicalName}`;
  const isActivity = table.type.baseType === `${CRM}activitypointer`;
  const row: MetadataRow = {
    MetadataId: entityMetadataId(table),
    HasChanged: null,
    LogicalName: table.logicalName,
    SchemaName: schemaName,
    EntitySetName: table.setName,
    LogicalCollectionName: table.setName,
    CollectionSchemaName: collectionSchemaName(table, schemaName),
    PrimaryIdAttribute: table.primaryId,
    PrimaryNameAttribute: table.primaryName ?? null,
    PrimaryImageAttribute: table.imageColumns.size ? [...table.imageColumns][0] : null,
    ObjectTypeCode: table.objectTypeCode,
    IsCustomEntity: custom,
    IsManaged: !custom,
    IsActivity: isActivity,
    IsActivityParty: ['account', 'contact', 'lead', 'systemuser'].includes(table.logicalName),
    IsIntersect: false,
    IsPrivate: false,
    IsLogicalEntity: false,
    ChangeTrackingEnabled: table.changeTracking,
    OwnershipType: ownershipType(table),
    IsStateModelAware: table.columns.has('statecode'),
    IsOptimisticConcurrencyEnabled: true,
    IsValidForAdvancedFind: true,
    IsImportable: true,
    IsEnabledForCharts: true,
    HasActivities: !isActivity && table.logicalName !== 'activitypointer',
    HasNotes: table.logicalName !== 'annotation',
    IntroducedVersion: custom ? '1.0.0.0' : '5.0.0.0',
    DisplayName: label(table.displayName, `${owner}:displayname`),
    DisplayCollectionName: label(table.displayCollectionName, `${owner}:displaycollectionname`),
    // The CSDL descriptions come from a German-language org, so they cannot pass as 1033 labels.
    Description: emptyLabel(),
    IsCustomizable: managed(true, custom, 'iscustomizable'),
    IsRenameable: managed(true, false, 'isrenameable'),
    IsAuditEnabled: managed(false, true, 'canmodifyauditsettings'),
    CanCreateAttributes: managed(true, false, 'cancreateattributes'),
    CanChangeTrackingBeEnabled: managed(true, true, 'canchangetrackingbeenabled'),
  };
  return fillDeclaredProperties(row, schema.model, `${CRM}EntityMetadata`);
}

/** Alternate keys as EntityKeyMetadata; the emulator's keys are always built (index status Active). */
export function buildKeys(schema: DataverseSchema, table: Table): MetadataRow[] {
  const custom = isCustomTable(table);
  return table.alternateKeys.map((attributes) => {
    const name = `${table.logicalName}_${attributes.join('_')}_key`;
    const row: MetadataRow = {
      MetadataId: stableGuid('key', table.logicalName, ...attributes),
      HasChanged: null,
      LogicalName: name,
      SchemaName: name,
      EntityLogicalName: table.logicalName,
      KeyAttributes: [...attributes],
      DisplayName: label(`Key: ${attributes.join(', ')}`, `key:${name}`),
      EntityKeyIndexStatus: 'Active',
      AsyncJob: null,
      IsManaged: !custom,
      IsCustomizable: managed(true, true, 'iscustomizable'),
      IntroducedVersion: '1.0.0.0',
    };
    return fillDeclaredProperties(row, schema.model, `${CRM}EntityKeyMetadata`);
  });
}
