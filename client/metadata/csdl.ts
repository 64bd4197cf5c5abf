/**
 * Reads an OData v4 CSDL ($metadata) document into a CsdlModel.
 * Uses the strict XML reader, so hostile documents (DOCTYPE, entity bombs) are refused before any model is built.
 */
import { childrenNamed, parseXml, XmlElement } from './xml';
import type {
  CsdlModel, EntitySet, EntityType, EnumType, NavigationProperty, Operation, Parameter, Property,
} from './model';

export class CsdlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsdlError';
  }
}

const COLLECTION = /^Collection\((.+)\)$/;

export function parseCsdl(xml: string): CsdlModel {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    throw new CsdlError(`$metadata is not well-formed XML: ${(e as Error).message}`);
  }
  if (root.local !== 'Edmx') throw new CsdlError(`$metadata root element is <${root.name}>, expected <edmx:Edmx>`);
  const dataServices = childrenNamed(root, 'DataServices')[0];
  if (!dataServices) throw new CsdlError('$metadata has no <edmx:DataServices> element');
  const schemas = childrenNamed(dataServices, 'Schema');
  if (schemas.length === 0) throw new CsdlError('$metadata has no <Schema> element');

  const aliases = new Map<string, string>();
  for (const schema of schemas) {
    const ns = schema.attrs.Namespace;
    if (!ns) throw new CsdlError('a <Schema> element has no Namespace');
    if (schema.attrs.Alias) aliases.set(schema.attrs.Alias, ns);
  }
  for (const ref of childrenNamed(root, 'Reference')) {
    for (const inc of childrenNamed(ref, 'Include')) {
      if (inc.attrs.Alias && inc.attrs.Namespace) aliases.set(inc.attrs.Alias, inc.attrs.Namespace);
    }
  }
  const qualify = (name: string): string => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    const ns = aliases.get(prefix);
    return ns ? `${ns}${name.slice(dot)}` : name;
  };
  const typeRef = (raw: string | undefined, where: string): { type: string; collection: boolean } => {
    if (!raw) throw new CsdlError(`${where} has no Type`);
    const m = COLLECTION.exec(raw);
    return m ? { type: qualify(m[1]), collection: true } : { type: qualify(raw), collection: false };
  };

  const model: CsdlModel = {
    version: root.attrs.Version ?? '4.0',
    namespace: '',
    containerName: '',
    entityTypes: new Map(),
    complexTypes: new Map(),
    enumTypes: new Map(),
    entitySets: new Map(),
    entitySetByType: new Map(),
    actions: [],
    functions: [],
    actionImports: new Map(),
    functionImports: new Map(),
  };

  for (const schema of schemas) {
    const ns = schema.attrs.Namespace;
    for (const el of schema.children) {
      switch (el.local) {
        case 'EntityType': {
          const type = readEntityType(el, ns, qualify, typeRef);
          model.entityTypes.set(type.qualifiedName, type);
          break;
        }
        case 'ComplexType': {
          const base = readStructured(el, ns, qualify, typeRef);
          model.complexTypes.set(base.qualifiedName, { ...base, kind: 'complex', allProperties: new Map() });
          break;
        }
        case 'EnumType':
          model.enumTypes.set(`${ns}.${el.attrs.Name}`, readEnum(el, ns, qualify));
          break;
        case 'Action':
        case 'Function':
          (el.local === 'Action' ? model.actions : model.functions).push(readOperation(el, ns, typeRef));
          break;
        case 'EntityContainer':
          if (!model.containerName) {
            model.containerName = el.attrs.Name ?? '';
            model.namespace = ns;
            model.alias = schema.attrs.Alias;
          }
          readContainer(el, model, qualify);
          break;
        default:
          break;
      }
    }
  }
  if (!model.namespace) model.namespace = schemas[0].attrs.Namespace;
  resolveInheritance(model);
  return model;
}

type Qualify = (name: string) => string;
type TypeRef = (raw: string | undefined, where: string) => { type: string; collection: boolean };

function annotationsOf(el: XmlElement): Map<string, XmlElement> {
  const map = new Map<string, XmlElement>();
  for (const a of childrenNamed(el, 'Annotation')) if (a.attrs.Term) map.set(a.attrs.Term, a);
  return map;
}

function readProperty(el: XmlElement, typeRef: TypeRef): Property {
  const { type, collection } = typeRef(el.attrs.Type, `property ${el.attrs.Name}`);
  const notes = annotationsOf(el);
  const permissions = notes.get('Org.OData.Core.V1.Permissions');
  const permissionText = permissions
    ? [permissions.attrs.EnumMember ?? '', ...childrenNamed(permissions, 'EnumMember').map((m) => m.text)].join(' ')
    : '';
  const computed = notes.get('Org.OData.Core.V1.Computed');
  const description = notes.get('Org.OData.Core.V1.Description')?.attrs.String;
  const scale = el.attrs.Scale;
  return {
    name: el.attrs.Name,
    type,
    collection,
    nullable: el.attrs.Nullable !== 'false',
    maxLength: el.attrs.MaxLength && el.attrs.MaxLength !== 'max' ? Number(el.attrs.MaxLength) : undefined,
    precision: el.attrs.Precision ? Number(el.attrs.Precision) : undefined,
    scale: scale === undefined ? undefined : scale.toLowerCase() === 'variable' ? 'variable' : Number(scale),
    concurrency: el.attrs.ConcurrencyMode === 'Fixed',
    computed: computed !== undefined && computed.attrs.Bool !== 'false',
    readOnly: /PermissionType\/Read\b/.test(permissionText) && !/ReadWrite|Write/.test(permissionText),
    description: description || undefined,
  };
}

function readStructured(el: XmlElement, ns: string, qualify: Qualify, typeRef: TypeRef) {
  const properties = new Map<string, Property>();
  for (const p of childrenNamed(el, 'Property')) properties.set(p.attrs.Name, readProperty(p, typeRef));
  return {
    name: el.attrs.Name,
    qualifiedName: `${ns}.${el.attrs.Name}`,
    baseType: el.attrs.BaseType ? qualify(el.attrs.BaseType) : undefined,
    abstract: el.attrs.Abstract === 'true',
    openType: el.attrs.OpenType === 'true',
    properties,
    description: annotationsOf(el).get('Org.OData.Core.V1.Description')?.attrs.String || undefined,
  };
}

function readEntityType(el: XmlElement, ns: string, qualify: Qualify, typeRef: TypeRef): EntityType {
  const base = readStructured(el, ns, qualify, typeRef);
  const key = childrenNamed(el, 'Key').flatMap((k) => childrenNamed(k, 'PropertyRef').map((r) => r.attrs.Name));
  const navigation = new Map<string, NavigationProperty>();
  for (const n of childrenNamed(el, 'NavigationProperty')) {
    const { type, collection } = typeRef(n.attrs.Type, `navigation property ${n.attrs.Name}`);
    navigation.set(n.attrs.Name, {
      name: n.attrs.Name,
      type,
      collection,
      nullable: n.attrs.Nullable !== 'false',
      partner: n.attrs.Partner,
      containsTarget: n.attrs.ContainsTarget === 'true',
      constraints: childrenNamed(n, 'ReferentialConstraint').map((c) => ({
        property: c.attrs.Property,
        referencedProperty: c.attrs.ReferencedProperty,
      })),
    });
  }
  const alternateKeys: string[][] = [];
  const altKeys = annotationsOf(el).get('OData.Community.Keys.V1.AlternateKeys');
  for (const record of altKeys ? childrenNamed(childrenNamed(altKeys, 'Collection')[0] ?? altKeys, 'Record') : []) {
    const keyValue = childrenNamed(record, 'PropertyValue').find((p) => p.attrs.Property === 'Key');
    const refs = keyValue ? childrenNamed(childrenNamed(keyValue, 'Collection')[0] ?? keyValue, 'Record') : [];
    const names = refs
      .map((r) => childrenNamed(r, 'PropertyValue').find((p) => p.attrs.Property === 'Name')?.attrs.PropertyPath)
      .filter((n): n is string => Boolean(n));
    if (names.length) alternateKeys.push(names);
  }
  return {
    ...base,
    kind: 'entity',
    key,
    navigation,
    alternateKeys,
    allProperties: new Map(),
    allNavigation: new Map(),
    keyProperties: [],
  };
}

function readEnum(el: XmlElement, ns: string, qualify: Qualify): EnumType {
  let next = 0;
  return {
    name: el.attrs.Name,
    qualifiedName: `${ns}.${el.attrs.Name}`,
    underlyingType: qualify(el.attrs.UnderlyingType ?? 'Edm.Int32'),
    isFlags: el.attrs.IsFlags === 'true',
    members: childrenNamed(el, 'Member').map((m) => {
      const value = m.attrs.Value !== undefined ? Number(m.attrs.Value) : next;
      next = value + 1;
      return { name: m.attrs.Name, value };
    }),
  };
}

function readOperation(el: XmlElement, ns: string, typeRef: TypeRef): Operation {
  const parameters: Parameter[] = childrenNamed(el, 'Parameter').map((p) => ({
    name: p.attrs.Name,
    ...typeRef(p.attrs.Type, `parameter ${p.attrs.Name} of ${el.attrs.Name}`),
    nullable: p.attrs.Nullable !== 'false',
  }));
  const ret = childrenNamed(el, 'ReturnType')[0];
  return {
    kind: el.local === 'Action' ? 'action' : 'function',
    name: el.attrs.Name,
    qualifiedName: `${ns}.${el.attrs.Name}`,
    bound: el.attrs.IsBound === 'true',
    composable: el.attrs.IsComposable === 'true',
    parameters,
    returnType: ret
      ? { ...typeRef(ret.attrs.Type, `return type of ${el.attrs.Name}`), nullable: ret.attrs.Nullable !== 'false' }
      : undefined,
  };
}

function readContainer(el: XmlElement, model: CsdlModel, qualify: Qualify) {
  for (const child of el.children) {
    if (child.local === 'EntitySet') {
      const set: EntitySet = {
        name: child.attrs.Name,
        entityType: qualify(child.attrs.EntityType),
        navigationBindings: new Map(
          childrenNamed(child, 'NavigationPropertyBinding').map((b) => [b.attrs.Path, b.attrs.Target]),
        ),
      };
      model.entitySets.set(set.name, set);
      if (!model.entitySetByType.has(set.entityType)) model.entitySetByType.set(set.entityType, set);
    } else if (child.local === 'ActionImport') {
      model.actionImports.set(child.attrs.Name, qualify(child.attrs.Action));
    } else if (child.local === 'FunctionImport') {
      model.functionImports.set(child.attrs.Name, qualify(child.attrs.Function));
    }
  }
}

/** Fills allProperties / allNavigation / keyProperties by walking base types once (memoised). */
function resolveInheritance(model: CsdlModel) {
  const done = new Set<string>();
  const visit = (qualifiedName: string, trail: string[]) => {
    if (done.has(qualifiedName)) return;
    const type = model.entityTypes.get(qualifiedName);
    if (!type) return;
    if (trail.includes(qualifiedName)) throw new CsdlError(`circular BaseType chain: ${[...trail, qualifiedName].join(' -> ')}`);
    const base = type.baseType ? model.entityTypes.get(type.baseType) : undefined;
    if (base) visit(base.qualifiedName, [...trail, qualifiedName]);
    type.allProperties = new Map([...(base?.allProperties ?? []), ...type.properties]);
    type.allNavigation = new Map([...(base?.allNavigation ?? []), ...type.navigation]);
    type.keyProperties = type.key.length ? type.key : (base?.keyProperties ?? []);
    done.add(qualifiedName);
  };
  for (const name of model.entityTypes.keys()) visit(name, []);
  const doneComplex = new Set<string>();
  const visitComplex = (qualifiedName: string, trail: string[]) => {
    if (doneComplex.has(qualifiedName)) return;
    const type = model.complexTypes.get(qualifiedName);
    if (!type) return;
    if (trail.includes(qualifiedName)) throw new CsdlError(`circular BaseType chain: ${[...trail, qualifiedName].join(' -> ')}`);
    const base = type.baseType ? model.complexTypes.get(type.baseType) : undefined;
    if (base) visitComplex(base.qualifiedName, [...trail, qualifiedName]);
    type.allProperties = new Map([...(base?.allProperties ?? []), ...type.properties]);
    doneComplex.add(qualifiedName);
  };
  for (const name of model.complexTypes.keys()) visitComplex(name, []);
}

/** The entity type behind an entity set, or undefined. */
export function entityTypeOfSet(model: CsdlModel, setName: string): EntityType | undefined {
  const set = model.entitySets.get(setName);
  return set ? model.entityTypes.get(set.entityType) : undefined;
}
