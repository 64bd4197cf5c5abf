/**
 * AttributeMetadata rows for a table's columns, typed the way Dataverse types them (`@odata.type`, AttributeType,
 * AttributeTypeName), plus the option sets of choice, state, status and yes/no columns, which Dataverse only returns
 * through the OptionSet / GlobalOptionSet navigation properties.
 */
import type { Column, DataverseSchema, Table } from '../schema';
import { CRM, isCustomTable, publisherPrefix } from './entity-metadata';
import { emptyLabel, fillDeclaredProperties, label, managed, MetadataRow, stableGuid } from './labels';

export interface AttributeEntry {
  /** Derived type name without namespace (`PicklistAttributeMetadata`). */
  typeName: string;
  row: MetadataRow;
  /** For choice-like columns: what OptionSet (and GlobalOptionSet) expand to. */
  optionSet?: MetadataRow;
}

/** Types a client may cast `Attributes` to; EnumAttributeMetadata is abstract and refused by Dataverse too. */
export const ATTRIBUTE_CASTS = new Set([
  'BigIntAttributeMetadata', 'BooleanAttributeMetadata', 'DateTimeAttributeMetadata', 'DecimalAttributeMetadata',
  'DoubleAttributeMetadata', 'FileAttributeMetadata', 'ImageAttributeMetadata', 'IntegerAttributeMetadata',
  'LookupAttributeMetadata', 'MemoAttributeMetadata', 'MoneyAttributeMetadata', 'PicklistAttributeMetadata',
  'StateAttributeMetadata', 'StatusAttributeMetadata', 'StringAttributeMetadata', 'UniqueIdentifierAttributeMetadata',
]);

/** Types that have the OptionSet / GlobalOptionSet navigation properties. */
export const OPTION_SET_TYPES = new Set([
  'PicklistAttributeMetadata', 'StateAttributeMetadata', 'StatusAttributeMetadata', 'BooleanAttributeMetadata',
]);

/** Dataverse's default for image columns (configurable up to 30 MB); file columns carry their own limit. */
export const IMAGE_MAX_SIZE_KB = 10240;

interface TypeInfo {
  typeName: string;
  attributeType: string;
  typeDisplayName: string;
}

const info = (typeName: string, attributeType: string, typeDisplayName: string): TypeInfo => ({ typeName, attributeType, typeDisplayName });

/** Lookups are exposed as `_x_value` in row JSON, but the attribute itself is named `x`. */
export function attributeLogicalName(column: Column): string {
  const m = /^_(.+)_value$/.exec(column.name);
  return column.kind === 'lookup' && m ? m[1] : column.name;
}

/** Distinct target tables; `principal` (the owner base type) stands for users and teams. */
export function lookupTargets(column: Column): string[] {
  const targets = new Set<string>();
  for (const t of column.lookupTargets ?? []) {
    if (t.table === 'principal') {
      targets.add('systemuser');
      targets.add('team');
    } else targets.add(t.table);
  }
  return [...targets];
}

function typeInfo(column: Column): TypeInfo {
  switch (column.kind) {
    case 'uniqueidentifier': return info('UniqueIdentifierAttributeMetadata', 'Uniqueidentifier', 'UniqueidentifierType');
    case 'lookup': {
      const targets = lookupTargets(column).sort().join(',');
      if (attributeLogicalName(column) === 'ownerid' || targets === 'systemuser,team') return info('LookupAttributeMetadata', 'Owner', 'OwnerType');
      if (targets === 'account,contact') return info('LookupAttributeMetadata', 'Customer', 'CustomerType');
      return info('LookupAttributeMetadata', 'Lookup', 'LookupType');
    }
    case 'string': return info('StringAttributeMetadata', 'String', 'StringType');
    case 'memo': return info('MemoAttributeMetadata', 'Memo', 'MemoType');
    case 'integer': return info('IntegerAttributeMetadata', 'Integer', 'IntegerType');
    case 'bigint': return info('BigIntAttributeMetadata', 'BigInt', 'BigIntType');
    case 'decimal': return info('DecimalAttributeMetadata', 'Decimal', 'DecimalType');
    case 'double': return info('DoubleAttributeMetadata', 'Double', 'DoubleType');
    case 'money': return info('MoneyAttributeMetadata', 'Money', 'MoneyType');
    case 'boolean': return info('BooleanAttributeMetadata', 'Boolean', 'BooleanType');
    case 'datetime': return info('DateTimeAttributeMetadata', 'DateTime', 'DateTimeType');
    case 'picklist': return info('PicklistAttributeMetadata', 'Picklist', 'PicklistType');
    case 'state': return info('StateAttributeMetadata', 'State', 'StateType');
    case 'status': return info('StatusAttributeMetadata', 'Status', 'StatusType');
    case 'file': return info('FileAttributeMetadata', 'Virtual', 'FileType');
    case 'image': return info('ImageAttributeMetadata', 'Virtual', 'ImageType');
    // Tables not listed as having image columns still carry entityimage in CSDL; it is an image all the same.
    case 'binary': return column.name === 'entityimage' ? info('ImageAttributeMetadata', 'Virtual', 'ImageType') : info('AttributeMetadata', 'Virtual', 'VirtualType');
    default: return info('AttributeMetadata', 'Virtual', 'VirtualType');
  }
}

function requiredLevel(table: Table, column: Column): string {
  const name = attributeLogicalName(column);
  if (name === table.primaryId || name === 'ownerid' || name === 'statecode') return 'SystemRequired';
  return column.requiredLevel;
}

function stringFormat(name: string): string {
  if (/^emailaddress/.test(name)) return 'Email';
  if (/url$/.test(name)) return 'Url';
  if (/^telephone|^mobilephone|^fax/.test(name)) return 'Phone';
  return 'Text';
}

/** Companion columns (`sample_file_name`, `entityimage_url`) point at the column they describe. */
function attributeOf(table: Table, name: string): string | null {
  const m = /^(.+?)(_name|_url|_timestamp|id)$/.exec(name);
  if (!m) return null;
  const base = m[1];
  return table.fileColumns.has(base) || table.imageColumns.has(base) || (base === 'entityimage' && table.columns.has(base)) ? base : null;
}

/** Properties only some attribute types have, with the values Dataverse uses for standard columns. */
function typeSpecific(table: Table, column: Column, typeName: string): MetadataRow {
  const name = column.name;
  switch (typeName) {
    case 'StringAttributeMetadata': {
      const format = stringFormat(name);
      return { MaxLength: column.maxLength ?? 100, Format: format, FormatName: { Value: format }, ImeMode: 'Auto', IsLocalizable: false };
    }
    case 'MemoAttributeMetadata': return { MaxLength: column.maxLength ?? 2000, Format: 'TextArea', ImeMode: 'Auto', IsLocalizable: false };
    case 'IntegerAttributeMetadata': return { MinValue: -2147483648, MaxValue: 2147483647, Format: 'None' };
    case 'DecimalAttributeMetadata':
    case 'DoubleAttributeMetadata':
      return { Precision: typeof column.property.scale === 'number' ? column.property.scale : 2, MinValue: -100000000000, MaxValue: 100000000000, ImeMode: 'Auto' };
    case 'MoneyAttributeMetadata':
      return { Precision: 2, PrecisionSource: 2, MinValue: -922337203685477, MaxValue: 922337203685477, IsBaseCurrency: name.endsWith('_base'), CalculationOf: null, ImeMode: 'Auto' };
    case 'DateTimeAttributeMetadata': {
      const dateOnly = column.edmType === 'Edm.Date';
      return {
        Format: dateOnly ? 'DateOnly' : 'DateAndTime',
        DateTimeBehavior: { Value: dateOnly ? 'DateOnly' : 'UserLocal' },
        CanChangeDateTimeBehavior: managed(false, false, 'canchangedatetimebehavior'),
        ImeMode: 'Auto',
        MinSupportedValue: '1753-01-01T00:00:00Z',
        MaxSupportedValue: '9999-12-30T23:59:59Z',
      };
    }
    case 'BooleanAttributeMetadata': return { DefaultValue: false };
    case 'PicklistAttributeMetadata': return { DefaultFormValue: -1 };
    case 'LookupAttributeMetadata': return { Targets: lookupTargets(column) };
    case 'FileAttributeMetadata': return { MaxSizeInKB: table.fileColumns.get(name)?.maxSizeInKB ?? 32768 };
    case 'ImageAttributeMetadata':
      return { MaxSizeInKB: IMAGE_MAX_SIZE_KB, CanStoreFullImage: true, IsPrimaryImage: name === 'entityimage', MaxHeight: 144, MaxWidth: 144 };
    default: return {};
  }
}

function schemaNameOf(table: Table, logicalName: string): string {
  const prefix = publisherPrefix(table);
  if (prefix && logicalName.startsWith(prefix)) return prefix + logicalName[prefix.length].toUpperCase() + logicalName.slice(prefix.length + 1);
  return logicalName[0].toUpperCase() + logicalName.slice(1);
}

/** Lookups Dataverse sets itself (audit, ownership bookkeeping, merge): IsValidForCreate/Update false. */
const PLATFORM_LOOKUPS = new Set([
  'createdby', 'modifiedby', 'createdonbehalfby', 'modifiedonbehalfby', 'createdbyexternalparty', 'modifiedbyexternalparty',
  'owninguser', 'owningteam', 'owningbusinessunit', 'masterid',
]);

function buildAttribute(schema: DataverseSchema, table: Table, column: Column, index: number): AttributeEntry {
  const { typeName, attributeType, typeDisplayName } = typeInfo(column);
  const logicalName = attributeLogicalName(column);
  const owner = `attribute:${table.logicalName}.${logicalName}`;
  const custom = isCustomTable(table) && logicalName.startsWith(publisherPrefix(table)!);
  const level = requiredLevel(table, column);
  const isPrimaryId = logicalName === table.primaryId;
  // Lookups are read-only in row JSON (`_x_value`, annotated Computed in $metadata) but writable through @odata.bind,
  // which is what metadata reports; only the ones the platform maintains are not.
  const readOnly = column.kind === 'lookup'
    ? PLATFORM_LOOKUPS.has(logicalName) || !column.lookupTargets?.length
    : column.property.readOnly || column.property.computed || column.name === 'versionnumber';
  const writable = !readOnly && column.kind !== 'file';
  const row: MetadataRow = {
    MetadataId: stableGuid('attribute', table.logicalName, logicalName),
    HasChanged: null,
    LogicalName: logicalName,
    SchemaName: schemaNameOf(table, logicalName),
    EntityLogicalName: table.logicalName,
    AttributeType: attributeType,
    AttributeTypeName: { Value: typeDisplayName },
    AttributeOf: attributeOf(table, logicalName),
    ColumnNumber: index + 1,
    IsPrimaryId: isPrimaryId,
    IsPrimaryName: logicalName === table.primaryName,
    IsValidForCreate: isPrimaryId || (writable && column.kind !== 'state'),
    IsValidForUpdate: !isPrimaryId && writable,
    IsValidForRead: true,
    IsRetrievable: true,
    IsFilterable: column.kind !== 'file' && column.kind !== 'image',
    IsSearchable: column.kind !== 'file' && column.kind !== 'image',
    IsCustomAttribute: custom,
    IsManaged: !custom,
    IsLogical: false,
    IsSecured: false,
    RequiredLevel: managed(level, level !== 'SystemRequired', 'canmodifyrequirementlevelsettings'),
    DisplayName: label(isPrimaryId ? table.displayName : logicalName, `${owner}:displayname`),
    // The CSDL descriptions come from a German-language org, so they cannot pass as 1033 labels.
    Description: emptyLabel(),
    IsAuditEnabled: managed(true, true, 'canmodifyauditsettings'),
    IsCustomizable: managed(true, false, 'iscustomizable'),
    IsRenameable: managed(true, false, 'isrenameable'),
    IsValidForAdvancedFind: managed(true, false, 'canmodifysearchsettings'),
    IntroducedVersion: custom ? '1.0.0.0' : '5.0.0.0',
    ...typeSpecific(table, column, typeName),
  };
  const declared = schema.model.entityTypes.has(`${CRM}${typeName}`) ? typeName : 'AttributeMetadata';
  fillDeclaredProperties(row, schema.model, `${CRM}${declared}`);
  const entry: AttributeEntry = { typeName, row };
  if (typeName === 'BooleanAttributeMetadata') entry.optionSet = booleanOptionSet(table, logicalName);
  else if (column.choices) entry.optionSet = choiceOptionSet(table, column, typeName);
  return entry;
}

export function buildAttributes(schema: DataverseSchema, table: Table): AttributeEntry[] {
  return [...table.columns.values()].map((column, i) => buildAttribute(schema, table, column, i));
}

function optionSetHeader(table: Table, name: string, type: string): MetadataRow {
  const optionSetName = `${table.logicalName}_${name}`;
  const custom = isCustomTable(table);
  return {
    MetadataId: stableGuid('optionset', optionSetName),
    HasChanged: null,
    Name: optionSetName,
    OptionSetType: type,
    IsGlobal: false,
    IsCustomOptionSet: custom,
    IsManaged: !custom,
    IsCustomizable: managed(true, false, 'iscustomizable'),
    DisplayName: label(name, `optionset:${optionSetName}:displayname`),
    Description: emptyLabel(),
    IntroducedVersion: null,
    ExternalTypeName: null,
    ParentOptionSetName: null,
  };
}

function option(value: number, text: string, owner: string): MetadataRow {
  return {
    Value: value,
    Color: null,
    IsManaged: true,
    ExternalValue: null,
    ParentValues: [],
    Tag: null,
    IsHidden: false,
    MetadataId: null,
    HasChanged: null,
    Label: label(text, `${owner}:${value}`),
    Description: emptyLabel(),
  };
}

/**
 * The seed gives state and status labels but not which status belongs to which state; a status is linked to the
 * state of the same name (Active/Active), otherwise left null rather than guessed.
 */
function choiceOptionSet(table: Table, column: Column, typeName: string): MetadataRow {
  const type = typeName === 'StateAttributeMetadata' ? 'State' : typeName === 'StatusAttributeMetadata' ? 'Status' : 'Picklist';
  const header = optionSetHeader(table, column.name, type);
  const owner = `option:${header.Name}`;
  const states = table.columns.get('statecode')?.choices;
  const statuses = table.columns.get('statuscode')?.choices;
  const Options = [...column.choices!].map(([value, text]) => {
    const o = option(value, text, owner);
    if (type === 'State') {
      const status = [...(statuses ?? [])].find(([, s]) => s === text)?.[0] ?? null;
      return { '@odata.type': `#${CRM}StateOptionMetadata`, ...o, InvariantName: text.replace(/\s+/g, ''), DefaultStatus: status };
    }
    if (type === 'Status') {
      const state = [...(states ?? [])].find(([, s]) => s === text)?.[0] ?? null;
      return { '@odata.type': `#${CRM}StatusOptionMetadata`, ...o, State: state, TransitionData: null };
    }
    return o;
  });
  return { ...header, Options };
}

function booleanOptionSet(table: Table, name: string): MetadataRow {
  const header = optionSetHeader(table, name, 'Boolean');
  const owner = `option:${header.Name}`;
  return { ...header, TrueOption: option(1, 'Yes', owner), FalseOption: option(0, 'No', owner) };
}
