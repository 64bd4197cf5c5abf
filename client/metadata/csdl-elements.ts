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
const COLLECTION = /^Collection\((.+)\)$/;

/** Keeps one copy of each type name as written, detached from the input (type names repeat thousands of times). */
export class TypeNames {
  private readonly names = new Map<string, string>();

  intern(raw: string): string {
    let name = this.names.get(raw);
    if (name === undefined) {
      name = ownString(raw);
      this.names.set(name, name);
    }
    return name;
  }

  ref(raw: string | undefined, where: string): { type: string; collection: boolean } {
    if (!raw) throw new CsdlError(`${where} has no Type`);
    const m = COLLECTION.exec(raw);
    return m ? { type: this.intern(m[1]), collection: true } : { type: this.intern(raw), collection: false };
  }
}

export function required(attrs: Attrs, name: string, element: string): string {
  const value = attrs[name];
  if (value === undefined || value === '') throw new CsdlError(`<${element}> has no ${name}`);
  return ownString(value);
}

/** Facets present on the element, so that objects carry only what the document says. */
export function facets(attrs: Attrs): TypeFacets {
  const out: TypeFacets = {};
  if (attrs.MaxLength && attrs.MaxLength.toLowerCase() !== 'max') out.maxLength = Number(attrs.MaxLength);
  if (attrs.Precision) out.precision = Number(attrs.Precision);
  if (attrs.Scale !== undefined) out.scale = attrs.Scale.toLowerCase() === 'variable' ? 'variable' : Number(attrs.Scale);
  if (attrs.SRID !== undefined) out.srid = ownString(attrs.SRID);
  if (attrs.Unicode !== undefined) out.unicode = attrs.Unicode !== 'false';
  return out;
}

export function readProperty(attrs: Attrs, names: TypeNames): Property {
  const name = required(attrs, 'Name', 'Property');
  const { type, collection } = names.ref(attrs.Type, `property ${name}`);
  const { maxLength, precision, scale, srid, unicode } = facets(attrs);
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
  const name = required(attrs, 'Name', 'NavigationProperty');
  return {
    name,
    ...names.ref(attrs.Type, `navigation property ${name}`),
    nullable: attrs.Nullable !== 'false',
    partner: attrs.Partner === undefined ? undefined : ownString(attrs.Partner),
    containsTarget: attrs.ContainsTarget === 'true',
    constraints: [],
  };
}

function structured(attrs: Attrs, ns: string, element: string, names: TypeNames) {
  const name = required(attrs, 'Name', element);
  return {
    name,
    qualifiedName: ownString(`${ns}.${name}`),
    baseType: attrs.BaseType ? names.intern(attrs.BaseType) : undefined,
    abstract: attrs.Abstract === 'true',
    openType: attrs.OpenType === 'true',
    properties: new Map<string, Property>(),
    description: undefined,
  };
}

export function readEntityType(attrs: Attrs, ns: string, names: TypeNames): EntityType {
  const type: EntityType = {
    ...structured(attrs, ns, 'EntityType', names),
    kind: 'entity',
    key: [],
    navigation: new Map(),
    alternateKeys: [],
    allProperties: new Map(),
    allNavigation: new Map(),
    keyProperties: [],
  };
  if (attrs.HasStream === 'true') type.hasStream = true;
  return type;
}

export function readComplexType(attrs: Attrs, ns: string, names: TypeNames): ComplexType {
  return { ...structured(attrs, ns, 'ComplexType', names), kind: 'complex', allProperties: new Map() };
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
