/**
 * The CSDL model as the client, the generator and the emulator read it.
 * Type names are kept fully qualified (`Microsoft.Dynamics.CRM.account`, `Edm.String`); aliases are resolved.
 */

export interface CsdlModel {
  version: string;
  /** Namespace of the first schema with an entity container (e.g. Microsoft.Dynamics.CRM). */
  namespace: string;
  alias?: string;
  containerName: string;
  entityTypes: Map<string, EntityType>;
  complexTypes: Map<string, ComplexType>;
  enumTypes: Map<string, EnumType>;
  entitySets: Map<string, EntitySet>;
  /** Entity set by the qualified name of its entity type. */
  entitySetByType: Map<string, EntitySet>;
  actions: Operation[];
  functions: Operation[];
  actionImports: Map<string, string>;
  functionImports: Map<string, string>;
  /** Singletons of the entity containers (Graph's `me`); Dataverse declares none. */
  singletons?: Map<string, Singleton>;
}

/**
 * The value of an annotation as written: constants become strings, numbers or booleans (enum members and paths
 * stay strings), `<Collection>` an array, `<Record>` an object keyed by property (its `Type` under `$Type`).
 * Dynamic expressions (`<Apply>`, `<If>`…) are not evaluated and read as null.
 */
export type AnnotationValue = string | number | boolean | null | AnnotationValue[] | { [property: string]: AnnotationValue };

/** Facets that may accompany a type reference (properties, parameters, return types). */
export interface TypeFacets {
  /** Undefined for `MaxLength="max"` and when absent. */
  maxLength?: number;
  precision?: number;
  scale?: number | 'variable';
  srid?: string;
  unicode?: boolean;
}

export interface StructuredType {
  name: string;
  qualifiedName: string;
  baseType?: string;
  abstract: boolean;
  openType: boolean;
  /** Own properties only; use allProperties() for inherited ones. */
  properties: Map<string, Property>;
  description?: string;
}

export interface EntityType extends StructuredType {
  kind: 'entity';
  /** Media entity (`HasStream="true"`). */
  hasStream?: boolean;
  /** Own key property names; an empty list means inherited (or none). */
  key: string[];
  navigation: Map<string, NavigationProperty>;
  alternateKeys: string[][];
  /** All properties including inherited ones, filled in by the parser. */
  allProperties: Map<string, Property>;
  allNavigation: Map<string, NavigationProperty>;
  /** Effective key including inherited. */
  keyProperties: string[];
}

export interface ComplexType extends StructuredType {
  kind: 'complex';
  allProperties: Map<string, Property>;
}

export interface Property extends TypeFacets {
  name: string;
  /** Element type, qualified (`Edm.String`, `Microsoft.Dynamics.CRM.OptionSet`). */
  type: string;
  collection: boolean;
  nullable: boolean;
  maxLength?: number;
  precision?: number;
  scale?: number | 'variable';
  concurrency: boolean;
  computed: boolean;
  /** `Read` when Core.Permissions says the property cannot be written. */
  readOnly: boolean;
  description?: string;
  /** Core.Immutable: settable on create only. */
  immutable?: boolean;
  /** Core.Permissions members (`Read`, `Write`, `ReadWrite`, `None`); one list shared by properties that agree: read only. */
  permissions?: string[];
  defaultValue?: string;
}

export interface NavigationProperty {
  name: string;
  /** Target entity type, qualified. */
  type: string;
  collection: boolean;
  nullable: boolean;
  partner?: string;
  containsTarget: boolean;
  /** Dependent property (`_parentaccountid_value`) → principal property (`accountid`). */
  constraints: { property: string; referencedProperty: string }[];
  /** `<OnDelete Action="Cascade">`. */
  onDelete?: string;
  description?: string;
}

export interface EnumType {
  name: string;
  qualifiedName: string;
  underlyingType: string;
  isFlags: boolean;
  members: EnumMember[];
  description?: string;
}

export interface EnumMember {
  name: string;
  value: number;
  description?: string;
}

export interface EntitySet {
  name: string;
  entityType: string;
  navigationBindings: Map<string, string>;
  description?: string;
  /** Capabilities.ChangeTracking/Supported, when the service says. */
  changeTracking?: boolean;
  /** Every annotation on the set by qualified term (`Org.OData.Core.V1.…`, `…Capabilities.V1.…`; `term#qualifier`). */
  annotations?: Record<string, AnnotationValue>;
}

export interface Singleton {
  name: string;
  /** Entity type, qualified. */
  type: string;
  navigationBindings: Map<string, string>;
  description?: string;
}

export interface Parameter extends TypeFacets {
  name: string;
  type: string;
  collection: boolean;
  nullable: boolean;
  description?: string;
}

export interface Operation {
  kind: 'action' | 'function';
  name: string;
  qualifiedName: string;
  bound: boolean;
  composable: boolean;
  /** For bound operations the first parameter is the binding parameter. */
  parameters: Parameter[];
  returnType?: { type: string; collection: boolean; nullable: boolean } & TypeFacets;
  entitySetPath?: string;
  description?: string;
}

export const EDM_PRIMITIVES = new Set([
  'Edm.Binary', 'Edm.Boolean', 'Edm.Byte', 'Edm.Date', 'Edm.DateTimeOffset', 'Edm.Decimal', 'Edm.Double',
  'Edm.Duration', 'Edm.Guid', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.SByte', 'Edm.Single', 'Edm.Stream',
  'Edm.String', 'Edm.TimeOfDay',
]);
