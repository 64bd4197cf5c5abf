/**
 * Tables and columns as Dataverse sees them, built from a CSDL model plus the seed file that supplies what CSDL
 * lacks (labels, required levels, lengths, choice labels). Everything the handlers know about a table comes from here.
 */
import type { CsdlModel, EntityType, NavigationProperty, Property } from '../../client/metadata/model';

export interface TableSeed {
  displayName?: string;
  displayCollectionName?: string;
  primaryName?: string;
  objectTypeCode?: number;
  /** Business-required: reported in metadata, not enforced by the Web API (as in Dataverse). */
  applicationRequired?: string[];
  /** Enforced on every create and update. */
  systemRequired?: string[];
  changeTracking?: boolean;
  maxLength?: Record<string, number>;
  choices?: Record<string, [number, string][]>;
  fileColumns?: Record<string, { maxSizeInKB: number }>;
}

export interface SchemaSeed {
  tables: Record<string, TableSeed>;
  imageColumns?: Record<string, string[]>;
}

export type ColumnKind =
  | 'uniqueidentifier' | 'lookup' | 'string' | 'memo' | 'integer' | 'bigint' | 'decimal' | 'double' | 'money'
  | 'boolean' | 'datetime' | 'picklist' | 'state' | 'status' | 'file' | 'image' | 'binary' | 'other';

export interface Column {
  name: string;
  edmType: string;
  kind: ColumnKind;
  readOnly: boolean;
  requiredLevel: 'None' | 'ApplicationRequired' | 'SystemRequired';
  /** True when the Web API refuses a row without a value (SystemRequired). */
  required: boolean;
  maxLength?: number;
  choices?: Map<number, string>;
  /** For `_x_value` lookup columns: the navigation properties that set it, one per target table. */
  lookupTargets?: { navigation: string; table: string }[];
  property: Property;
}

export interface LookupNavigation {
  navigation: string;
  column: string;
  targetTable: string;
}

export interface Table {
  logicalName: string;
  setName: string;
  type: EntityType;
  primaryId: string;
  /** The CSDL key when it is not the primary id (systemuser and team are keyed by ownerid in $metadata). */
  keyAlias?: string;
  primaryName?: string;
  displayName: string;
  displayCollectionName: string;
  objectTypeCode: number;
  changeTracking: boolean;
  columns: Map<string, Column>;
  /** Single-valued navigation properties backed by a lookup column. */
  lookups: Map<string, LookupNavigation>;
  /** Collection-valued navigation properties. */
  collections: Map<string, NavigationProperty>;
  alternateKeys: string[][];
  fileColumns: Map<string, { maxSizeInKB: number }>;
  imageColumns: Set<string>;
}

const NAMESPACE_PREFIX = /^.*\./;

export class DataverseSchema {
  readonly tables = new Map<string, Table>();
  readonly bySet = new Map<string, Table>();

  constructor(
    readonly model: CsdlModel,
    seed: SchemaSeed,
  ) {
    for (const set of model.entitySets.values()) {
      const type = model.entityTypes.get(set.entityType);
      if (!type || type.keyProperties.length !== 1) continue;
      const logicalName = type.name;
      const tableSeed = seed.tables[logicalName] ?? {};
      const table = buildTable(set.name, type, tableSeed, seed.imageColumns?.[logicalName] ?? []);
      if (!this.tables.has(logicalName)) this.tables.set(logicalName, table);
      this.bySet.set(set.name, table);
    }
  }

  table(logicalName: string): Table | undefined {
    return this.tables.get(logicalName);
  }

  tableOfType(qualifiedType: string): Table | undefined {
    return this.tables.get(qualifiedType.replace(NAMESPACE_PREFIX, ''));
  }
}

function kindOf(property: Property, name: string, tableSeed: TableSeed, images: string[]): ColumnKind {
  if (tableSeed.fileColumns?.[name]) return 'file';
  if (images.includes(name)) return 'image';
  if (name === 'statecode') return 'state';
  if (name === 'statuscode') return 'status';
  if (tableSeed.choices?.[name]) return 'picklist';
  if (/^_.*_value$/.test(name) && property.type === 'Edm.Guid') return 'lookup';
  switch (property.type) {
    case 'Edm.Guid': return 'uniqueidentifier';
    case 'Edm.String': return (tableSeed.maxLength?.[name] ?? 0) > 4000 ? 'memo' : 'string';
    case 'Edm.Int32': case 'Edm.Int16': case 'Edm.Byte': case 'Edm.SByte': return 'integer';
    case 'Edm.Int64': return 'bigint';
    case 'Edm.Decimal': return /revenue|amount|price|value$|_base$/.test(name) ? 'money' : 'decimal';
    case 'Edm.Double': case 'Edm.Single': return 'double';
    case 'Edm.Boolean': return 'boolean';
    case 'Edm.DateTimeOffset': case 'Edm.Date': return 'datetime';
    case 'Edm.Binary': return 'binary';
    default: return 'other';
  }
}

function buildTable(setName: string, type: EntityType, seed: TableSeed, images: string[]): Table {
  const keyProperty = type.keyProperties[0];
  const conventional = `${type.name}id`;
  const primaryId = type.allProperties.get(conventional)?.type === 'Edm.Guid' ? conventional : keyProperty;
  const lookups = new Map<string, LookupNavigation>();
  const collections = new Map<string, NavigationProperty>();
  const targetsByColumn = new Map<string, { navigation: string; table: string }[]>();
  for (const nav of type.allNavigation.values()) {
    if (nav.collection) {
      collections.set(nav.name, nav);
      continue;
    }
    const column = nav.constraints[0]?.property ?? inferLookupColumn(type, nav.name);
    const targetTable = nav.type.replace(NAMESPACE_PREFIX, '');
    if (!column) continue;
    lookups.set(nav.name, { navigation: nav.name, column, targetTable });
    const list = targetsByColumn.get(column) ?? [];
    list.push({ navigation: nav.name, table: targetTable });
    targetsByColumn.set(column, list);
  }
  const systemRequired = new Set(seed.systemRequired ?? []);
  const applicationRequired = new Set(seed.applicationRequired ?? []);
  const columns = new Map<string, Column>();
  for (const property of type.allProperties.values()) {
    const name = property.name;
    const kind = kindOf(property, name, seed, images);
    columns.set(name, {
      name,
      edmType: property.type,
      kind,
      readOnly: property.readOnly || property.computed || name === 'versionnumber' || kind === 'lookup',
      requiredLevel: systemRequired.has(name) ? 'SystemRequired' : applicationRequired.has(name) ? 'ApplicationRequired' : 'None',
      required: systemRequired.has(name),
      maxLength: seed.maxLength?.[name] ?? property.maxLength,
      choices: seed.choices?.[name] ? new Map(seed.choices[name]) : undefined,
      lookupTargets: targetsByColumn.get(name),
      property,
    });
  }
  const primaryName = seed.primaryName && columns.has(seed.primaryName) ? seed.primaryName : undefined;
  return {
    logicalName: type.name,
    setName,
    type,
    primaryId,
    keyAlias: keyProperty !== primaryId ? keyProperty : undefined,
    primaryName,
    displayName: seed.displayName ?? type.name,
    displayCollectionName: seed.displayCollectionName ?? setName,
    objectTypeCode: seed.objectTypeCode ?? 0,
    changeTracking: seed.changeTracking ?? false,
    columns,
    lookups,
    collections,
    alternateKeys: dedupeKeys(type.alternateKeys),
    fileColumns: new Map(Object.entries(seed.fileColumns ?? {})),
    imageColumns: new Set(images.filter((c) => columns.has(c))),
  };
}

/**
 * Some lookups (regarding, polymorphic ones) carry no ReferentialConstraint in real $metadata; their navigation
 * name starts with the lookup's logical name (`regardingobjectid_account_task` → `_regardingobjectid_value`).
 */
function inferLookupColumn(type: EntityType, navigation: string): string | undefined {
  let best: string | undefined;
  for (const name of type.allProperties.keys()) {
    const m = /^_(.+)_value$/.exec(name);
    if (m && (navigation === m[1] || navigation.startsWith(`${m[1]}_`)) && (!best || name.length > best.length)) best = name;
  }
  return best;
}

function dedupeKeys(keys: string[][]): string[][] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = [...k].sort().join(',');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
