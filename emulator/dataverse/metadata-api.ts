/**
 * GET on the metadata entity sets (EntityDefinitions, RelationshipDefinitions, GlobalOptionSetDefinitions): key
 * lookups by name or MetadataId, navigation to Attributes / Keys / relationships / OptionSet, type-cast segments,
 * and $select / $filter / $expand. Metadata is never paged: everything matching comes in one response.
 */
import type { EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { badRequest, DataverseError, unknownSegment } from './errors';
import { AttributeEntry, ATTRIBUTE_CASTS, buildAttributes, OPTION_SET_TYPES } from './metadata/attribute-metadata';
import { buildEntityMetadata, buildKeys, CRM, userTables } from './metadata/entity-metadata';
import type { MetadataRow } from './metadata/labels';
import { buildRelationships, RelationshipEntry } from './metadata/relationship-metadata';
import { ExpandItem, FilterExpr, filterPlainRows, parseExpandOption, parseFilterOption, parseSelectOption } from './odata-adapter';
import type { DataverseSchema } from './schema';
import { isGuid, parseKey, PathSegment } from './url';

/** One metadata resource: its JSON, its actual type and the navigation properties it can expand. */
interface MetaNode {
  row: MetadataRow;
  typeName: string;
  nav: Record<string, MetaNav>;
}

interface MetaNav {
  /** Declared type of the target (what $select is checked against). */
  typeName: string;
  get(): MetaNode[] | MetaNode | null;
}

interface Catalog {
  entities: MetaNode[];
  relationships: MetaNode[];
}

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
const RELATIONSHIP_CASTS = new Set(['OneToManyRelationshipMetadata', 'ManyToManyRelationshipMetadata']);
const ALLOWED_OPTIONS = new Set(['$select', '$filter', '$expand']);
const JSON_HEADERS = { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' };

// The schema never changes while the emulator runs, so the metadata is built once per schema.
const catalogs = new WeakMap<DataverseSchema, Catalog>();

function catalogOf(schema: DataverseSchema): Catalog {
  let catalog = catalogs.get(schema);
  if (catalog) return catalog;
  const relationships = buildRelationships(schema).map(relationshipNode);
  const entities = userTables(schema).map((table): MetaNode => {
    let attributes: MetaNode[] | undefined;
    const related = (pick: (r: MetadataRow) => boolean, type: string) => ({
      typeName: type,
      get: () => relationships.filter((r) => r.typeName === type && pick(r.row)),
    });
    const name = table.logicalName;
    return {
      row: buildEntityMetadata(schema, table),
      typeName: 'EntityMetadata',
      nav: {
        Attributes: { typeName: 'AttributeMetadata', get: () => (attributes ??= buildAttributes(schema, table).map(attributeNode)) },
        Keys: { typeName: 'EntityKeyMetadata', get: () => buildKeys(schema, table).map((row) => ({ row, typeName: 'EntityKeyMetadata', nav: {} })) },
        ManyToOneRelationships: related((r) => r.ReferencingEntity === name, 'OneToManyRelationshipMetadata'),
        OneToManyRelationships: related((r) => r.ReferencedEntity === name, 'OneToManyRelationshipMetadata'),
        ManyToManyRelationships: related((r) => r.Entity1LogicalName === name || r.Entity2LogicalName === name, 'ManyToManyRelationshipMetadata'),
      },
    };
  });
  catalog = { entities, relationships };
  catalogs.set(schema, catalog);
  return catalog;
}

/**
 * OptionSet and GlobalOptionSet both return the column's options: the docs say either works whether or not the
 * choice is global, and the emulator's choices are all local.
 */
function attributeNode(entry: AttributeEntry): MetaNode {
  const nav: Record<string, MetaNav> = {};
  if (OPTION_SET_TYPES.has(entry.typeName)) {
    const typeName = entry.typeName === 'BooleanAttributeMetadata' ? 'BooleanOptionSetMetadata' : 'OptionSetMetadata';
    const get = () => (entry.optionSet ? { row: entry.optionSet, typeName, nav: {} } : null);
    nav.OptionSet = { typeName, get };
    nav.GlobalOptionSet = { typeName, get };
  }
  return { row: entry.row, typeName: entry.typeName, nav };
}

function relationshipNode(entry: RelationshipEntry): MetaNode {
  return { row: entry.row, typeName: entry.typeName, nav: {} };
}

/** Where the walk along the path has got to: a collection or a single resource, and how to name it in the context. */
type Position =
  | { many: true; nodes: MetaNode[]; declared: string; path: ContextPiece[]; what: string; keyName: string }
  | { many: false; node: MetaNode | null; declared: string; path: ContextPiece[] };

interface ContextPiece {
  text: string;
  key?: string;
}

export function handleMetadataApi(ctx: CallContext, segments: PathSegment[]): EmulatorResponse {
  for (const name of ctx.query.keys()) {
    if (name.startsWith('$') && !ALLOWED_OPTIONS.has(name)) throw badRequest(`The query parameter '${name}' is not supported for metadata queries.`);
  }
  const catalog = catalogOf(ctx.service.schema);
  const [first, ...rest] = segments;
  let pos = root(catalog, first.name);
  if (first.args !== undefined) pos = lookup(ctx, pos, first.args);
  for (const segment of rest) pos = step(ctx, pos, segment);
  return respond(ctx, pos);
}

function root(catalog: Catalog, name: string): Position {
  const path = [{ text: name }];
  switch (name) {
    case 'EntityDefinitions': return { many: true, nodes: catalog.entities, declared: 'EntityMetadata', path, what: 'an entity', keyName: 'LogicalName' };
    case 'RelationshipDefinitions': return { many: true, nodes: catalog.relationships, declared: 'RelationshipMetadataBase', path, what: 'a relationship', keyName: 'SchemaName' };
    case 'GlobalOptionSetDefinitions': return { many: true, nodes: [], declared: 'OptionSetMetadataBase', path, what: 'an option set', keyName: 'Name' };
    default: throw unknownSegment(name);
  }
}

const NAV_KEYS: Record<string, { what: string; keyName: string }> = {
  Attributes: { what: 'an attribute', keyName: 'LogicalName' },
  Keys: { what: 'a key', keyName: 'LogicalName' },
  ManyToOneRelationships: { what: 'a relationship', keyName: 'SchemaName' },
  OneToManyRelationships: { what: 'a relationship', keyName: 'SchemaName' },
  ManyToManyRelationships: { what: 'a relationship', keyName: 'SchemaName' },
};

function step(ctx: CallContext, pos: Position, segment: PathSegment): Position {
  const cast = segment.name.startsWith(CRM) ? segment.name.slice(CRM.length) : undefined;
  if (pos.many) {
    if (!cast || !castAllowed(pos.declared, cast)) throw unknownSegment(segment.name);
    const next: Position = { ...pos, nodes: pos.nodes.filter((n) => n.typeName === cast), declared: cast, path: [...pos.path, { text: segment.name }] };
    return segment.args !== undefined ? lookup(ctx, next, segment.args) : next;
  }
  const node = pos.node!;
  if (cast) {
    if (segment.args !== undefined || node.typeName !== cast) throw unknownSegment(segment.name);
    return { ...pos, declared: cast, path: [...pos.path, { text: segment.name }] };
  }
  const nav = node.nav[segment.name];
  if (!nav || !navDeclared(pos.declared, segment.name)) throw unknownSegment(segment.name);
  const target = nav.get();
  const path = [...pos.path, { text: segment.name }];
  if (!Array.isArray(target)) {
    if (segment.args !== undefined) throw unknownSegment(segment.name);
    return { many: false, node: target, declared: nav.typeName, path };
  }
  const keys = NAV_KEYS[segment.name] ?? { what: 'an item', keyName: 'LogicalName' };
  const next: Position = { many: true, nodes: target, declared: nav.typeName, path, ...keys };
  return segment.args !== undefined ? lookup(ctx, next, segment.args) : next;
}

function castAllowed(declared: string, cast: string): boolean {
  if (declared === 'AttributeMetadata') return ATTRIBUTE_CASTS.has(cast);
  if (declared === 'RelationshipMetadataBase') return RELATIONSHIP_CASTS.has(cast);
  return false;
}

/** Navigation properties are declared on types: OptionSet exists only once the attribute is cast to a choice type. */
function navDeclared(declared: string, nav: string): boolean {
  if (declared === 'EntityMetadata') return nav in NAV_KEYS;
  return OPTION_SET_TYPES.has(declared) && (nav === 'OptionSet' || nav === 'GlobalOptionSet');
}

/** `(LogicalName='account')`, `(SchemaName='x')`, `(Name='x')` or `(<MetadataId>)`. */
function lookup(ctx: CallContext, pos: Position, args: string): Position {
  if (!pos.many) throw badRequest('A key can only follow a collection.');
  const key = parseKey(args, ctx.query);
  let node: MetaNode | undefined;
  let keyText: string;
  let described: string;
  if (key.single !== undefined) {
    const id = String(key.single);
    if (!isGuid(id)) throw badRequest(`The key '${args}' is not a valid MetadataId.`);
    node = pos.nodes.find((n) => String(n.row.MetadataId).toLowerCase() === id.toLowerCase());
    keyText = `(${id.toLowerCase()})`;
    described = pos.what === 'an entity' ? `name  and id ${id}` : `id ${id}`;
  } else {
    const named = key.named!;
    const value = named.get(pos.keyName);
    if (named.size !== 1 || typeof value !== 'string') {
      throw badRequest(`The key in the request URI is not valid: use (${pos.keyName}='…') or (<MetadataId>).`);
    }
    node = pos.nodes.find((n) => n.row[pos.keyName] === value);
    // Docs show entities by name (`EntityDefinitions('account')`) and everything below by MetadataId.
    keyText = pos.path.length === 1 ? `('${value.replace(/'/g, "''")}')` : `(${String(node?.row.MetadataId)})`;
    described = pos.what === 'an entity' ? `name ${value} and id ${ZERO_GUID}` : `${pos.keyName} ${value}`;
  }
  if (!node) throw new DataverseError(404, '0x80040217', `Could not find ${pos.what} with ${described}.`);
  const path = pos.path.map((p, i) => (i === pos.path.length - 1 ? { ...p, key: keyText } : p));
  return { many: false, node, declared: pos.declared, path };
}

interface Shape {
  select?: string[];
  filter?: FilterExpr;
  expand: ExpandItem[];
}

function respond(ctx: CallContext, pos: Position): EmulatorResponse {
  const q = ctx.query;
  const shape: Shape = {
    select: q.get('$select') !== null ? parseSelectOption(q.get('$select')!) : undefined,
    filter: q.get('$filter') !== null ? parseFilterOption(q.get('$filter')!, q) : undefined,
    expand: q.get('$expand') !== null ? parseExpandOption(q.get('$expand')!, q) : [],
  };
  const schema = ctx.service.schema;
  const prefix = `${ctx.service.serviceRoot}$metadata#`;
  if (!pos.many) {
    if (shape.filter) throw badRequest('The $filter query option can only be applied to a collection.');
    if (!pos.node) return { status: 204, headers: { 'odata-version': '4.0' } };
    checkSelect(schema, pos.declared, shape.select, [pos.node]);
    const body = render(schema, pos.node, pos.declared, shape);
    const context = `${prefix}${contextPath(pos.path, true)}${shapeSuffix(shape)}/$entity`;
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ '@odata.context': context, ...body }) };
  }
  if (shape.filter && pos.path[0].text === 'GlobalOptionSetDefinitions' && pos.path.length === 1) {
    throw badRequest('The $filter query option is not supported for GlobalOptionSetDefinitions.');
  }
  const nodes = shape.filter ? filterNodes(pos.nodes, shape.filter) : pos.nodes;
  checkSelect(schema, pos.declared, shape.select, pos.nodes);
  const value = nodes.map((n) => render(schema, n, pos.declared, shape));
  const context = `${prefix}${contextPath(pos.path, false)}${shapeSuffix(shape)}`;
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ '@odata.context': context, value }) };
}

function filterNodes(nodes: MetaNode[], filter: FilterExpr): MetaNode[] {
  const kept = new Set(filterPlainRows(filter, nodes.map((n) => n.row)));
  return nodes.filter((n) => kept.has(n.row));
}

/**
 * Dataverse leaves out the key of the resource being returned itself (`EntityDefinitions('account')/Attributes/…
 * /$entity`), but keeps the keys of the resources on the way to it.
 */
function contextPath(path: ContextPiece[], single: boolean): string {
  let own = -1;
  if (single) {
    for (let i = path.length - 1; i >= 0 && own < 0; i--) {
      if (path[i].key) own = i;
      else if (!path[i].text.startsWith(CRM)) break;
    }
  }
  return path.map((p, i) => p.text + (p.key && i !== own ? p.key : '')).join('/');
}

function shapeSuffix(shape: { select?: string[]; expand: ExpandItem[] }): string {
  const parts = [...(shape.select ?? [])];
  for (const e of shape.expand) parts.push(`${e.navigation}${shapeSuffix({ select: e.select, expand: e.expand })}`);
  return parts.length ? `(${parts.join(',')})` : '';
}

/** Projects one node: `@odata.type` when it differs from the declared type, selected properties, expansions. */
function render(schema: DataverseSchema, node: MetaNode, declared: string, shape: Shape): MetadataRow {
  const select = shape.select?.includes('*') ? undefined : shape.select;
  const out: MetadataRow = {};
  if (node.typeName !== declared) out['@odata.type'] = `#${CRM}${node.typeName}`;
  for (const [name, value] of Object.entries(node.row)) {
    if (!select || name === 'MetadataId' || select.includes(name)) out[name] = value;
  }
  for (const item of shape.expand) out[item.navigation] = expandOne(schema, node, declared, item);
  return out;
}

function expandOne(schema: DataverseSchema, node: MetaNode, declared: string, item: ExpandItem): unknown {
  const nav = node.nav[item.navigation];
  if (!navDeclared(declared, item.navigation) || !nav) throw noProperty(item.navigation, declared);
  const unsupported = [...item.unsupported, ...(item.orderby.length ? ['$orderby'] : []), ...(item.top !== undefined ? ['$top'] : [])];
  if (unsupported.length) throw badRequest(`The query option '${unsupported[0]}' is not supported inside $expand of metadata.`);
  const target = nav.get();
  const shape: Shape = { select: item.select, expand: item.expand };
  if (!Array.isArray(target)) {
    if (item.filter) throw badRequest(`The $filter query option cannot be applied to the single-valued navigation property '${item.navigation}'.`);
    checkSelect(schema, nav.typeName, shape.select, target ? [target] : []);
    return target ? render(schema, target, nav.typeName, shape) : null;
  }
  checkSelect(schema, nav.typeName, shape.select, target);
  const kept = item.filter ? filterNodes(target, item.filter) : target;
  return kept.map((n) => render(schema, n, nav.typeName, shape));
}

/**
 * $select is checked against the declared type, as Dataverse does: Attributes without a cast only offer the
 * AttributeMetadata properties. Types newer than the v8.2 CSDL (FileAttributeMetadata) are read off the rows.
 */
function checkSelect(schema: DataverseSchema, declared: string, select: string[] | undefined, nodes: MetaNode[]): void {
  const type = schema.model.entityTypes.get(`${CRM}${declared}`);
  for (const name of select ?? []) {
    if (name === '*' || type?.allProperties.has(name)) continue;
    if (nodes.some((n) => n.typeName === declared && name in n.row)) continue;
    throw noProperty(name, declared);
  }
}

function noProperty(name: string, declared: string): DataverseError {
  return new DataverseError(400, '0x0', `Could not find a property named '${name}' on type '${CRM}${declared}'.`);
}
