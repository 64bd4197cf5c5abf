/**
 * Model objects built from one CSDL element's attributes. Type names are stored as written (possibly through an
 * alias declared later in the document) and qualified once the whole document has been read.
 */
import { CsdlError } from './csdl-error';
import type {
  ComplexType, EntitySet, EntityType, EnumType, NavigationProperty, Operation, Parameter, Property, Singleton, TypeFacets,
} from './model';
import { ownString as copyString } from './own-string';

/**
 * ownString() without the copy where none is needed: V8 makes sliced (and cons) strings only from 13 characters
 * on, so a shorter string is already its own flat copy and never pins the chunk it was read from.
 */
export function ownString(value: string): string {
  return value.length < 13 ? value : copyString(value);
}

type Attrs = Record<string, string>;

/**
 * Keeps one copy of each type name as written, detached from the input (type names repeat thousands of times), and
 * of each property name (`createdon`, `dataAreaId` and their like are declared on every table).
 */
export class TypeNames {
  private readonly names = new Map<string, string>();

  /** One own copy per distinct value: an arrow, so that it can be handed to readers as it is. */
  readonly intern = (raw: string): string => {
    let name = this.names.get(raw);
    if (name === undefined) {
      name = ownString(raw);
      this.names.set(name, name);
    }
    return name;
  };

  /** The attribute, interned: for values that repeat (constraint properties, binding targets), not for unique names. */
  required(attrs: Attrs, name: string, element: string): string {
    return this.intern(present(attrs, name, element));
  }

  ref(raw: string | undefined, where: string): { type: string; collection: boolean } {
    if (!raw) throw new CsdlError(`${where} has no Type`);
    // `Collection(T)` without a regular expression: this runs for every property.
    if (raw.length > 12 && raw.charCodeAt(raw.length - 1) === 41 /* ) */ && raw.startsWith('Collection(')) {
      return { type: this.intern(raw.slice(11, -1)), collection: true };
    }
    return { type: this.intern(raw), collection: false };
  }
}

export function required(attrs: Attrs, name: string, element: string): string {
  return ownString(present(attrs, name, element));
}

/** The attribute as read (possibly a slice of the input): for TypeNames.intern, which keeps a copy of its own. */
function present(attrs: Attrs, name: string, element: string): string {
  const value = attrs[name];
  if (value === undefined || value === '') throw new CsdlError(`<${element}> has no ${name}`);
  return value;
}

function maxLengthOf(value: string | undefined): number | undefined {
  return value && value.toLowerCase() !== 'max' ? Number(value) : undefined;
}

/** Facets present on the element, so that objects carry only what the document says. */
export function facets(attrs: Attrs): TypeFacets {
  const out: TypeFacets = {};
  const maxLength = maxLengthOf(attrs.MaxLength);
  if (maxLength !== undefined) out.maxLength = maxLength;
  if (attrs.Precision) out.precision = Number(attrs.Precision);
  if (attrs.Scale !== undefined) out.scale = attrs.Scale.toLowerCase() === 'variable' ? 'variable' : Number(attrs.Scale);
  if (attrs.SRID !== undefined) out.srid = ownString(attrs.SRID);
  if (attrs.Unicode !== undefined) out.unicode = attrs.Unicode !== 'false';
  return out;
}

export function readProperty(attrs: Attrs, names: TypeNames): Property {
  const name = names.intern(present(attrs, 'Name', 'Property'));
  const raw = attrs.Type;
  const { type, collection } = names.ref(raw, raw ? '' : `property ${name}`);
  // Most properties have no facet but MaxLength: the facet object only when there is more.
  const { maxLength, precision, scale, srid, unicode } =
    attrs.Precision === undefined && attrs.Scale === undefined && attrs.SRID === undefined && attrs.Unicode === undefined
      ? { maxLength: maxLengthOf(attrs.MaxLength), precision: undefined, scale: undefined, srid: undefined, unicode: undefined }
      : facets(attrs);
  // Every property has the same fields (the shape the emulator and older callers read); rare facets are added.
  const property: Property = {
    name,
    type,
    collection,
    nullable: attrs.Nullable !== 'false',
    maxLength,
    precision,
    scale,
    concurrency: attrs.ConcurrencyMode === 'Fixed',
    computed: false,
    readOnly: false,
    description: undefined,
  };
  if (srid !== undefined) property.srid = srid;
  if (unicode !== undefined) property.unicode = unicode;
  if (attrs.DefaultValue !== undefined) property.defaultValue = ownString(attrs.DefaultValue);
  return property;
}

export function readNavigation(attrs: Attrs, names: TypeNames): NavigationProperty {
  const name = names.intern(present(attrs, 'Name', 'NavigationProperty'));
  const { type, collection } = names.ref(attrs.Type, `navigation property ${name}`);
  // Written out rather than spread, so that every field is in the object itself (no separate property store).
  return {
    name,
    type,
    collection,
    nullable: attrs.Nullable !== 'false',
    partner: attrs.Partner === undefined ? undefined : names.intern(attrs.Partner),
    containsTarget: attrs.ContainsTarget === 'true',
    constraints: [],
  };
}

export function readEntityType(attrs: Attrs, ns: string, names: TypeNames): EntityType {
  const name = required(attrs, 'Name', 'EntityType');
  const properties = new Map<string, Property>();
  const navigation = new Map<string, NavigationProperty>();
  // allProperties/allNavigation/keyProperties are filled once the document has ended (resolveInheritance).
  const type: EntityType = {
    name,
    qualifiedName: ownString(`${ns}.${name}`),
    baseType: attrs.BaseType ? names.intern(attrs.BaseType) : undefined,
    abstract: attrs.Abstract === 'true',
    openType: attrs.OpenType === 'true',
    properties,
    description: undefined,
    kind: 'entity',
    key: [],
    navigation,
    alternateKeys: [],
    allProperties: properties,
    allNavigation: navigation,
    keyProperties: [],
  };
  if (attrs.HasStream === 'true') type.hasStream = true;
  return type;
}

export function readComplexType(attrs: Attrs, ns: string, names: TypeNames): ComplexType {
  const name = required(attrs, 'Name', 'ComplexType');
  const properties = new Map<string, Property>();
  return {
    name,
    qualifiedName: ownString(`${ns}.${name}`),
    baseType: attrs.BaseType ? names.intern(attrs.BaseType) : undefined,
    abstract: attrs.Abstract === 'true',
    openType: attrs.OpenType === 'true',
    properties,
    description: undefined,
    kind: 'complex',
    allProperties: properties,
  };
}

export function readEnumType(attrs: Attrs, ns: string, names: TypeNames): EnumType {
  const name = required(attrs, 'Name', 'EnumType');
  return {
    name,
    qualifiedName: ownString(`${ns}.${name}`),
    underlyingType: names.intern(attrs.UnderlyingType ?? 'Edm.Int32'),
    isFlags: attrs.IsFlags === 'true',
    members: [],
  };
}

export function readOperation(local: 'Action' | 'Function', attrs: Attrs, ns: string): Operation {
  const name = required(attrs, 'Name', local);
  const operation: Operation = {
    kind: local === 'Action' ? 'action' : 'function',
    name,
    qualifiedName: ownString(`${ns}.${name}`),
    bound: attrs.IsBound === 'true',
    composable: attrs.IsComposable === 'true',
    parameters: [],
    returnType: undefined,
  };
  if (attrs.EntitySetPath) operation.entitySetPath = ownString(attrs.EntitySetPath);
  return operation;
}

export function readParameter(attrs: Attrs, operation: Operation, names: TypeNames): Parameter {
  const name = required(attrs, 'Name', 'Parameter');
  return {
    name,
    ...names.ref(attrs.Type, `parameter ${name} of ${operation.name}`),
    nullable: attrs.Nullable !== 'false',
    ...facets(attrs),
  };
}

export function readReturnType(attrs: Attrs, operation: Operation, names: TypeNames): NonNullable<Operation['returnType']> {
  return {
    ...names.ref(attrs.Type, `return type of ${operation.name}`),
    nullable: attrs.Nullable !== 'false',
    ...facets(attrs),
  };
}

export function readEntitySet(attrs: Attrs, names: TypeNames): EntitySet {
  const name = required(attrs, 'Name', 'EntitySet');
  return { name, entityType: names.intern(required(attrs, 'EntityType', 'EntitySet')), navigationBindings: new Map() };
}

export function readSingleton(attrs: Attrs, names: TypeNames): Singleton {
  const name = required(attrs, 'Name', 'Singleton');
  return { name, type: names.intern(required(attrs, 'Type', 'Singleton')), navigationBindings: new Map() };
}
