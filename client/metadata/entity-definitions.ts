/**
 * Dataverse table, column, choice and relationship metadata from the EntityDefinitions API, for pickers and
 * generators. The HTTP pipeline is injected: this module only builds request paths (relative to the Web API root,
 * e.g. `https://org.crm.dynamics.com/api/data/v9.2/`) and reads the JSON answers. Answers are cached per
 * environment (see MetadataCache), so repeated and concurrent calls cost one request.
 */
import { MetadataCache } from './metadata-cache';
import { labelText } from './metadata-label';

/** GET `pathAndQuery` (relative to the Web API root) and return the parsed JSON body. */
export type MetadataGet = (pathAndQuery: string) => Promise<unknown>;

export interface EntityDefinitionsOptions {
  /** The environment (`https://org.crm.dynamics.com`): the cache key. */
  environmentUrl: string;
  get: MetadataGet;
  /** Shared by default between all instances, so that every caller for one environment benefits. */
  cache?: MetadataCache;
  /** Language of labels when the user's language has none; default 1033. */
  languageCode?: number;
}

export interface TableInfo {
  logicalName: string;
  entitySetName: string;
  displayName?: string;
  displayCollectionName?: string;
  primaryIdAttribute: string;
  primaryNameAttribute?: string;
  isCustomEntity: boolean;
  changeTrackingEnabled: boolean;
  objectTypeCode?: number;
}

export interface ColumnInfo {
  logicalName: string;
  /** `String`, `Picklist`, `Lookup`, `Owner`, `Customer`, `Virtual`… */
  attributeType: string;
  /** `StringType`, `MultiSelectPicklistType`… (tells virtual columns apart). */
  attributeTypeName?: string;
  displayName?: string;
  /** `None`, `SystemRequired`, `ApplicationRequired`, `Recommended`. */
  requiredLevel: string;
  isValidForCreate: boolean;
  isValidForUpdate: boolean;
  isValidForRead: boolean;
  /** String and memo columns. */
  maxLength?: number;
  /** Lookup, customer and owner columns: the tables they may point at. */
  targets?: string[];
}

export interface ChoiceOption {
  value: number;
  label?: string;
  /** Status reasons: the state (statecode) they belong to. */
  state?: number;
}

export type RelationshipKind = 'ManyToOne' | 'OneToMany' | 'ManyToMany';

export interface RelationshipInfo {
  kind: RelationshipKind;
  schemaName: string;
  /** The table at the other end. */
  relatedTable: string;
  /** Navigation property on the asked table ($expand, `@odata.bind`). */
  navigationProperty?: string;
  /** Navigation property on the related table pointing back. */
  relatedNavigationProperty?: string;
  /** One-to-many relationships: the lookup column (on the referencing table) and the column it refers to. */
  referencingAttribute?: string;
  referencedAttribute?: string;
  /** Many-to-many relationships: the intersect table. */
  intersectEntityName?: string;
}

const CRM = 'Microsoft.Dynamics.CRM.';
const TABLE_SELECT = [
  'LogicalName', 'EntitySetName', 'DisplayName', 'DisplayCollectionName', 'PrimaryIdAttribute', 'PrimaryNameAttribute',
  'IsCustomEntity', 'ChangeTrackingEnabled', 'ObjectTypeCode',
].join(',');
const COLUMN_SELECT = [
  'LogicalName', 'AttributeType', 'AttributeTypeName', 'DisplayName', 'RequiredLevel', 'IsValidForCreate',
  'IsValidForUpdate', 'IsValidForRead',
].join(',');
const ONE_TO_MANY_SELECT = [
  'SchemaName', 'ReferencedEntity', 'ReferencedAttribute', 'ReferencingEntity', 'ReferencingAttribute',
  'ReferencedEntityNavigationPropertyName', 'ReferencingEntityNavigationPropertyName',
].join(',');
const MANY_TO_MANY_SELECT = [
  'SchemaName', 'Entity1LogicalName', 'Entity2LogicalName', 'IntersectEntityName', 'Entity1NavigationPropertyName',
  'Entity2NavigationPropertyName',
].join(',');

/** Choice columns by AttributeType (or AttributeTypeName for virtual multi-select ones): the type to cast to. */
const CHOICE_CASTS: Record<string, string> = {
  Picklist: 'PicklistAttributeMetadata',
  State: 'StateAttributeMetadata',
  Status: 'StatusAttributeMetadata',
  Boolean: 'BooleanAttributeMetadata',
  MultiSelectPicklistType: 'MultiSelectPicklistAttributeMetadata',
};

const sharedCache = new MetadataCache();

type Row = Record<string, unknown>;

export class EntityDefinitions {
  private readonly cache: MetadataCache;
  private readonly languageCode?: number;

  constructor(private readonly options: EntityDefinitionsOptions) {
    this.cache = options.cache ?? sharedCache;
    this.languageCode = options.languageCode;
  }

  /** Every table; the array is shared between callers (cached), so copy it before sorting or changing it. */
  listTables(): Promise<TableInfo[]> {
    return this.memo('tables', () => this.readTables());
  }

  /** Columns of a table, shared between callers like listTables. */
  getColumns(table: string): Promise<ColumnInfo[]> {
    return this.memo(`columns:${table}`, () => this.readColumns(table));
  }

  /** Relationships of a table, shared between callers like listTables. */
  getRelationships(table: string): Promise<RelationshipInfo[]> {
    return this.memo(`relationships:${table}`, () => this.readRelationships(table));
  }

  private async readTables(): Promise<TableInfo[]> {
    const rows = await this.rows(`EntityDefinitions?$select=${TABLE_SELECT}`);
    return rows.map((r) => ({
      logicalName: str(r.LogicalName),
      entitySetName: str(r.EntitySetName),
      displayName: this.label(r.DisplayName),
      displayCollectionName: this.label(r.DisplayCollectionName),
      primaryIdAttribute: str(r.PrimaryIdAttribute),
      primaryNameAttribute: optionalStr(r.PrimaryNameAttribute),
      isCustomEntity: r.IsCustomEntity === true,
      changeTrackingEnabled: r.ChangeTrackingEnabled === true,
      objectTypeCode: typeof r.ObjectTypeCode === 'number' ? r.ObjectTypeCode : undefined,
    }));
  }

  /**
   * MaxLength and Targets are declared on derived types, not on AttributeMetadata, so they are read through casts
   * (one request each, in parallel) rather than by fetching every property of every column.
   */
  private async readColumns(table: string): Promise<ColumnInfo[]> {
    const base = `${tablePath(table)}/Attributes`;
    const [rows, strings, memos, lookups] = await Promise.all([
      this.rows(`${base}?$select=${COLUMN_SELECT}`),
      this.rows(`${base}/${CRM}StringAttributeMetadata?$select=LogicalName,MaxLength`),
      this.rows(`${base}/${CRM}MemoAttributeMetadata?$select=LogicalName,MaxLength`),
      this.rows(`${base}/${CRM}LookupAttributeMetadata?$select=LogicalName,Targets`),
    ]);
    const maxLength = new Map([...strings, ...memos].map((r) => [r.LogicalName, r.MaxLength]));
    const targets = new Map(lookups.map((r) => [r.LogicalName, r.Targets]));
    return rows.map((r) => {
      const column: ColumnInfo = {
        logicalName: str(r.LogicalName),
        attributeType: str(r.AttributeType),
        attributeTypeName: optionalStr((r.AttributeTypeName as Row | null | undefined)?.Value),
        displayName: this.label(r.DisplayName),
        requiredLevel: optionalStr((r.RequiredLevel as Row | null | undefined)?.Value) ?? 'None',
        isValidForCreate: r.IsValidForCreate === true,
        isValidForUpdate: r.IsValidForUpdate === true,
        isValidForRead: r.IsValidForRead === true,
      };
      const length = maxLength.get(r.LogicalName);
      if (typeof length === 'number') column.maxLength = length;
      const to = targets.get(r.LogicalName);
      if (Array.isArray(to)) column.targets = to.filter((t): t is string => typeof t === 'string');
      return column;
    });
  }

  /** Options of a choice (picklist, state, status, yes/no, multi-select) column, with labels. */
  async getOptionSet(table: string, column: string): Promise<ChoiceOption[]> {
    checkName(column, 'column');
    const info = (await this.getColumns(table)).find((c) => c.logicalName === column);
    if (!info) throw new Error(`Table '${table}' has no column '${column}'.`);
    const cast = CHOICE_CASTS[info.attributeType] ?? (info.attributeTypeName ? CHOICE_CASTS[info.attributeTypeName] : undefined);
    if (!cast) throw new Error(`Column '${table}.${column}' is a ${info.attributeType} column, not a choice.`);
    const optionsSelect = cast === 'BooleanAttributeMetadata' ? 'TrueOption,FalseOption' : 'Options';
    const path = `${tablePath(table)}/Attributes(LogicalName='${column}')/${CRM}${cast}?$select=LogicalName&$expand=OptionSet($select=${optionsSelect})`;
    const body = (await this.fetch(path)) as Row;
    const optionSet = (body?.OptionSet ?? null) as Row | null;
    if (!optionSet) return [];
    const options = cast === 'BooleanAttributeMetadata' ? [optionSet.FalseOption, optionSet.TrueOption] : optionSet.Options;
    return (Array.isArray(options) ? options : [])
      .filter((o): o is Row => Boolean(o) && typeof (o as Row).Value === 'number')
      .map((o) => {
        const option: ChoiceOption = { value: o.Value as number, label: this.label(o.Label) };
        if (typeof o.State === 'number') option.state = o.State;
        return option;
      });
  }

  private async readRelationships(table: string): Promise<RelationshipInfo[]> {
    const base = tablePath(table);
    const [manyToOne, oneToMany, manyToMany] = await Promise.all([
      this.rows(`${base}/ManyToOneRelationships?$select=${ONE_TO_MANY_SELECT}`),
      this.rows(`${base}/OneToManyRelationships?$select=${ONE_TO_MANY_SELECT}`),
      this.rows(`${base}/ManyToManyRelationships?$select=${MANY_TO_MANY_SELECT}`),
    ]);
    return [
      ...manyToOne.map((r): RelationshipInfo => ({
        kind: 'ManyToOne',
        schemaName: str(r.SchemaName),
        relatedTable: str(r.ReferencedEntity),
        navigationProperty: optionalStr(r.ReferencingEntityNavigationPropertyName),
        relatedNavigationProperty: optionalStr(r.ReferencedEntityNavigationPropertyName),
        referencingAttribute: optionalStr(r.ReferencingAttribute),
        referencedAttribute: optionalStr(r.ReferencedAttribute),
      })),
      ...oneToMany.map((r): RelationshipInfo => ({
        kind: 'OneToMany',
        schemaName: str(r.SchemaName),
        relatedTable: str(r.ReferencingEntity),
        navigationProperty: optionalStr(r.ReferencedEntityNavigationPropertyName),
        relatedNavigationProperty: optionalStr(r.ReferencingEntityNavigationPropertyName),
        referencingAttribute: optionalStr(r.ReferencingAttribute),
        referencedAttribute: optionalStr(r.ReferencedAttribute),
      })),
      ...manyToMany.map((r): RelationshipInfo => {
        // The asked table may be either end; a self-referencing relationship is read from its first end.
        const first = r.Entity1LogicalName === table;
        return {
          kind: 'ManyToMany',
          schemaName: str(r.SchemaName),
          relatedTable: str(first ? r.Entity2LogicalName : r.Entity1LogicalName),
          navigationProperty: optionalStr(first ? r.Entity1NavigationPropertyName : r.Entity2NavigationPropertyName),
          relatedNavigationProperty: optionalStr(first ? r.Entity2NavigationPropertyName : r.Entity1NavigationPropertyName),
          intersectEntityName: optionalStr(r.IntersectEntityName),
        };
      }),
    ];
  }

  /** Forgets this environment's cached metadata (after a solution import, say). */
  clear(): void {
    this.cache.clear(this.options.environmentUrl);
  }

  private label(value: unknown): string | undefined {
    return labelText(value, this.languageCode);
  }

  /**
   * The mapped answer is cached too, not only the response: a node asks for the same columns once per input item,
   * and mapping hundreds of columns or tables every time would cost more than the requests it saves.
   */
  private memo<T>(key: string, build: () => Promise<T>): Promise<T> {
    return this.cache.get(this.options.environmentUrl, `mapped:${this.languageCode ?? ''}:${key}`, build);
  }

  private fetch(path: string): Promise<unknown> {
    return this.cache.get(this.options.environmentUrl, path, () => this.options.get(path));
  }

  private async rows(path: string): Promise<Row[]> {
    const body = (await this.fetch(path)) as { value?: unknown } | null;
    if (!body || !Array.isArray(body.value)) throw new Error(`Unexpected answer to GET ${path}: no 'value' array.`);
    return body.value.filter((r): r is Row => Boolean(r) && typeof r === 'object');
  }
}

/** Logical names are `[a-z0-9_]`; anything else would change the meaning of the path it is put into. */
function checkName(name: string, what: string): void {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`'${name}' is not a valid ${what} logical name.`);
}

function tablePath(table: string): string {
  checkName(table, 'table');
  return `EntityDefinitions(LogicalName='${table}')`;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optionalStr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
