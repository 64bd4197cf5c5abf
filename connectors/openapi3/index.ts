/**
 * A full OpenAPI 3.0 description of every entity set (or `tables`), the like-for-like counterpart of odata-openapi's
 * csdl2openapi: per entity set a collection GET/POST and an entity GET/PATCH/DELETE, and per type a schema plus
 * `-create`/`-update` variants in components/schemas.
 *
 * Built for 30 MB inputs: inherited properties come precomputed from the parser (`allProperties`), every schema is
 * built once per type and referred to with `$ref`, property schemas are shared between a type's three variants,
 * and query options are shared components/parameters (plain strings, not per-operation enums of every path — the
 * part that makes csdl2openapi's output 93 % parameters). Nothing is quadratic in the number of types.
 */
import type { OpenAPIV3 } from 'openapi-types';
import type { CsdlModel, EntitySet, EntityType, Property } from '../../client/metadata/model';
import { edmSchema, enumSchema, primitiveSchema, type EdmSchemaContext, type JsonSchema } from '../edm-schema';
import { OperationIds, pascalCase, sentence } from '../names';
import { collectionItem, entityItem, PathItemText, type CollectionStrings, type EntityStrings, type PathTemplate } from './path-items';
import { plainSchema, SchemaProperties, SchemaText } from './schema-properties';
import { selectEntitySets } from '../typed/select';
import type { GeneratorWarning } from '../types';

export interface OpenApi3Options {
  /** Entity sets (or entity type names) to describe; '*' or undefined = every entity set. */
  tables?: string[];
  title?: string;
  onProgress?: (done: number, total: number) => void;
  /** Collects UnknownType and naming warnings when given. */
  warnings?: GeneratorWarning[];
}

const SCHEMA_PREFIX = '#/components/schemas/';

/** One piece of the document, in document order: the head, then paths, then schemas, then the tail of components. */
export type OpenApi3Part =
  | { kind: 'head'; head: Pick<OpenAPIV3.Document, 'openapi' | 'info' | 'servers' | 'tags'> }
  | { kind: 'path'; key: string; item: OpenAPIV3.PathItemObject; template?: PathTemplate }
  | { kind: 'schema'; key: string; schema: JsonSchema }
  | { kind: 'tail'; parameters: Record<string, OpenAPIV3.ParameterObject>; responses: Record<string, OpenAPIV3.ResponseObject> };

/**
 * The document as a lazy sequence of parts, shared by toOpenApi3 (which assembles them into one object) and
 * writeOpenApi3 (which serializes each as it comes and lets it go), so both give the same JSON. Entity-set paths
 * come first (one pass over the sets, reporting progress), then every schema, each built once when first needed.
 * The model is only read; nothing is held from one part to the next but the names already queued.
 */
export function* openApi3Parts(model: CsdlModel, options: OpenApi3Options = {}): Generator<OpenApi3Part, void, undefined> {
  const warnings = options.warnings ?? [];
  const everything = !options.tables || options.tables.length === 0 || options.tables.some((t) => t.trim() === '*');
  const sets = selectEntitySets(model, options.tables);

  yield {
    kind: 'head',
    head: {
      openapi: '3.0.3',
      info: {
        title: options.title ?? `${model.containerName || 'OData'} service`,
        description: sentence(`Entity sets of ${model.namespace}, generated from the service's OData metadata`),
        version: model.version || '4.0',
      },
      servers: [{ url: serverUrl(model) }],
      tags: sets.map((s) => ({ name: s.name })),
    },
  };

  const ids = new OperationIds(warnings);
  const typeUse = new Map<string, number>();
  for (const set of sets) typeUse.set(set.entityType, (typeUse.get(set.entityType) ?? 0) + 1);
  const total = sets.length;
  let done = 0;
  for (const set of sets) {
    const type = model.entityTypes.get(set.entityType);
    if (type) {
      yield* entitySetPaths(set, type, (typeUse.get(set.entityType) ?? 0) > 1, ids, warnings);
    } else {
      warnings.push({ code: 'UnknownType', message: `Entity set ${set.name} refers to the unknown type '${set.entityType}'.`, where: set.name });
    }
    options.onProgress?.(++done, total);
  }

  const schemas = new Schemas(model, warnings, everything ? undefined : new Set(sets.map((s) => s.entityType)));
  yield { kind: 'schema', key: 'odata.error', schema: ERROR_SCHEMA };
  for (const set of sets) {
    if (model.entityTypes.has(set.entityType)) yield* schemas.entity(set.entityType);
  }
  if (everything) yield* schemas.all();

  yield {
    kind: 'tail',
    parameters: PARAMETERS,
    responses: {
      error: {
        description: 'Error',
        content: { 'application/json': { schema: { $ref: `${SCHEMA_PREFIX}odata.error` } } },
      },
    },
  };
}

/** The whole document in memory: for tests and small models; writeOpenApi3 streams the same JSON. */
export function toOpenApi3(model: CsdlModel, options: OpenApi3Options = {}): OpenAPIV3.Document {
  let document: OpenAPIV3.Document | undefined;
  const paths: OpenAPIV3.PathsObject = {};
  const schemas: Record<string, OpenAPIV3.SchemaObject> = {};
  for (const part of openApi3Parts(model, options)) {
    switch (part.kind) {
      case 'head':
        document = { ...part.head, paths } as OpenAPIV3.Document;
        break;
      case 'path':
        paths[part.key] = part.item;
        break;
      case 'schema':
        schemas[part.key] = plainSchema(part.schema) as OpenAPIV3.SchemaObject;
        break;
      case 'tail':
        document!.components = { schemas, parameters: part.parameters, responses: part.responses };
        break;
    }
  }
  return document!;
}

export interface OpenApi3WriteStats {
  entitySets: number;
  paths: number;
  schemas: number;
  /** UTF-8 bytes written. */
  bytes: number;
  /** Calls to the output (each a chunk of about CHUNK characters, the last one shorter). */
  chunks: number;
}

/** Where writeOpenApi3 writes: a stream (its backpressure respected) or a function given each chunk. */
export type OpenApi3Output = NodeJS.WritableStream | ((chunk: string) => void | Promise<void>);

/**
 * Small enough for a chunk (even of two-byte text) to be an ordinary young object: larger strings go to V8's
 * large-object space, which only a full collection empties, and the process would grow by every chunk until then.
 */
const CHUNK = 32 * 1024;

/**
 * Streams the document toOpenApi3 builds, as the same JSON text (JSON.parse of it deep-equals toOpenApi3's result,
 * with the same key order), without ever holding the document or its string: each path item and each schema is
 * built, serialized with JSON.stringify and let go, the text gathered into chunks of about 32 K characters. On a
 * stream it waits for 'drain' whenever write() asks to, and rejects on the stream's 'error'; it does not end the
 * stream (the caller may add to it, and ends it).
 *
 * The JSON is compact. That is not what bounds the memory (each part could be indented on its own), but it is the
 * output for machines this is: indentation would make the 30 MB-input document about twice as large for nobody to
 * read, and odata-openapi writes compact JSON too unless asked (--pretty). `indent` gives JSON.stringify's
 * indentation for people who want to read it (the CLI's openapi.json): the text is then that of
 * JSON.stringify(toOpenApi3(...), null, indent).
 */
export async function writeOpenApi3(
  model: CsdlModel,
  options: OpenApi3Options & { indent?: number },
  out: OpenApi3Output,
): Promise<OpenApi3WriteStats> {
  const stats: OpenApi3WriteStats = { entitySets: 0, paths: 0, schemas: 0, bytes: 0, chunks: 0 };
  const indent = Math.max(0, Math.min(10, Math.floor(options.indent ?? 0)));
  const text = new SchemaText(indent);
  const paths = new PathItemText(text);
  const pad = (depth: number) => text.pad(depth);
  const colon = indent ? ': ' : ':';
  const member = (key: string, value: unknown, depth: number) => text.member(key, value, depth);

  let failure: Error | undefined;
  const stream = typeof out === 'function' ? undefined : out;
  const onError = (e: Error) => {
    failure ??= e;
  };
  stream?.on('error', onError);
  let buffer = '';
  /**
   * Set when write() asked to wait: the next chunk is built while the stream writes, and 'drain' is awaited only
   * before that chunk is written (or at the end). At most one chunk is held beyond the stream's own buffer.
   */
  let draining: Promise<void> | undefined;
  const flush = async () => {
    if (failure) throw failure;
    if (draining) {
      const wait = draining;
      draining = undefined;
      await wait;
    }
    if (!buffer) return;
    const chunk = buffer;
    buffer = '';
    stats.bytes += Buffer.byteLength(chunk);
    stats.chunks++;
    if (typeof out === 'function') {
      await out(chunk);
    } else if (!out.write(chunk)) {
      draining = new Promise<void>((resolve, reject) => {
        const done = (e?: Error) => {
          out.off('drain', done);
          out.off('error', done);
          out.off('close', done);
          if (e) reject(e);
          else if (failure) reject(failure);
          else resolve();
        };
        out.on('drain', done);
        out.on('error', done);
        // A stream destroyed while waiting never drains; its 'error' (if any) comes first.
        out.on('close', done);
      });
      // Awaited later; a rejection meanwhile (the stream failing) is reported there, not as unhandled.
      draining.catch(() => undefined);
    }
    if (failure) throw failure;
  };
  // Appends; true when a chunk is full and must be flushed (awaited only then: most parts fill no chunk).
  const write = (text: string): boolean => {
    buffer += text;
    return buffer.length >= CHUNK;
  };

  try {
    // Whether the next member of the object open (paths, then components/schemas) is its first: no comma before it.
    let first = true;
    for (const part of openApi3Parts(model, options)) {
      switch (part.kind) {
        case 'head': {
          const h = part.head;
          stats.entitySets = h.tags?.length ?? 0;
          if (write(
            `{${pad(1)}${member('openapi', h.openapi, 1)},${pad(1)}${member('info', h.info, 1)},${pad(1)}${member('servers', h.servers, 1)},` +
              `${pad(1)}${member('tags', h.tags, 1)},${pad(1)}${JSON.stringify('paths')}${colon}{`,
          )) await flush();
          first = true;
          break;
        }
        case 'path': {
          const value = part.template ? paths.value(part.template, 2) : text.value(part.item, 2);
          if (write(`${first ? '' : ','}${pad(2)}${JSON.stringify(part.key)}${colon}${value}`)) await flush();
          first = false;
          stats.paths++;
          break;
        }
        case 'schema':
          if (stats.schemas === 0) {
            // Closes paths (an empty one as JSON.stringify writes it: {}), opens components/schemas.
            if (write(`${stats.paths ? pad(1) : ''}},${pad(1)}${JSON.stringify('components')}${colon}{${pad(2)}${JSON.stringify('schemas')}${colon}{`)) await flush();
            first = true;
          }
          if (write(`${first ? '' : ','}${pad(3)}${JSON.stringify(part.key)}${colon}${text.schema(part.schema, 3)}`)) await flush();
          first = false;
          stats.schemas++;
          break;
        case 'tail':
          if (write(`${pad(2)}},${pad(2)}${member('parameters', part.parameters, 2)},${pad(2)}${member('responses', part.responses, 2)}${pad(1)}}${pad(0)}}`)) await flush();
          break;
      }
    }
    await flush();
    // The last chunk's 'drain', if write() asked for it.
    await flush();
  } finally {
    stream?.off('error', onError);
  }
  return stats;
}

function serverUrl(model: CsdlModel): string {
  if (model.namespace === 'Microsoft.Dynamics.CRM') return 'https://contoso.crm.dynamics.com/api/data/v9.2';
  if (model.namespace === 'Microsoft.Dynamics.DataEntities') return 'https://contoso.operations.dynamics.com/data';
  return 'https://localhost/service-root';
}

const PARAMETERS: Record<string, OpenAPIV3.ParameterObject> = {
  top: { name: '$top', in: 'query', description: 'Show only the first n items.', schema: { type: 'integer', minimum: 0 }, example: 50 },
  skip: { name: '$skip', in: 'query', description: 'Skip the first n items.', schema: { type: 'integer', minimum: 0 } },
  count: { name: '$count', in: 'query', description: 'Include the count of items.', schema: { type: 'boolean' } },
  search: { name: '$search', in: 'query', description: 'Search items by search phrases.', schema: { type: 'string' } },
  filter: { name: '$filter', in: 'query', description: 'Filter items by property values.', schema: { type: 'string' } },
  orderby: { name: '$orderby', in: 'query', description: 'Order items by property values (comma-separated, asc or desc).', schema: { type: 'string' } },
  select: { name: '$select', in: 'query', description: 'Select properties to be returned (comma-separated).', schema: { type: 'string' } },
  expand: { name: '$expand', in: 'query', description: 'Expand related entities.', schema: { type: 'string' } },
};

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        target: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, target: { type: 'string' } } },
        },
        innererror: { type: 'object', description: 'The structure of this object is service-specific.' },
      },
    },
  },
};

/** Types written unquoted in a key; everything else is a quoted string. */
const UNQUOTED = new Set(['Edm.Guid', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Boolean', 'Edm.Date', 'Edm.DateTimeOffset', 'Edm.TimeOfDay']);

function* entitySetPaths(
  set: EntitySet,
  type: EntityType,
  sharedType: boolean,
  ids: OperationIds,
  warnings: GeneratorWarning[],
): Generator<OpenApi3Part, void, undefined> {
  const name = type.qualifiedName;
  const singular = pascalCase(sharedType ? set.name : type.name);
  const plural = pascalCase(set.name);
  const base = `/${set.name}`;
  const collection: CollectionStrings = [set.name, type.name, name, ids.take(`List${plural}`, base), ids.take(`Create${singular}`, base)];
  yield { kind: 'path', key: base, item: collectionItem(collection), template: { kind: 'collection', strings: collection } };
  const keys = type.keyProperties.map((k) => type.allProperties.get(k)).filter((p): p is Property => !!p);
  if (!keys.length || keys.length !== type.keyProperties.length) {
    warnings.push({ code: 'SkippedOperation', message: `${set.name} has no usable key; only the collection path is described.`, where: base });
    return;
  }
  const segment = keys
    .map((k) => {
      const value = UNQUOTED.has(k.type) ? `{${paramName(k.name)}}` : `'{${paramName(k.name)}}'`;
      return keys.length > 1 ? `${k.name}=${value}` : value;
    })
    .join(',');
  const keyParams: OpenAPIV3.ParameterObject[] = keys.map((k) => {
    const schema = (primitiveSchema(k.type, k) ?? { type: 'string' }) as OpenAPIV3.SchemaObject;
    return {
      name: paramName(k.name),
      in: 'path',
      required: true,
      description: `${k.description ?? `key: ${k.name}`}${UNQUOTED.has(k.type) ? '' : " (single quotes inside the value written twice)"}`,
      schema: schema.type === 'object' ? { type: 'string' } : schema,
    };
  });
  const byKey = `${base}(${segment})`;
  const entity: EntityStrings = [set.name, name, ids.take(`Get${singular}`, byKey), ids.take(`Update${singular}`, byKey), ids.take(`Delete${singular}`, byKey)];
  yield { kind: 'path', key: byKey, item: entityItem(entity, keyParams), template: { kind: 'entity', strings: entity, keyParams } };
}

function paramName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * components/schemas, built on demand: a type referred to is queued and built once, and each schema is handed out
 * as soon as it is built (the caller keeps or writes it; nothing is kept here but the names queued). With an
 * allow-list (`tables`) navigation properties to entity types outside it are left out, so the document stays closed
 * without pulling in the whole model.
 */
/** Distinct shared property schemas kept (a bound, not a limit any real document reaches). */
const MAX_SHARED_SCHEMAS = 10_000;

class Schemas {
  private readonly shared = new Map<string, Map<number, JsonSchema>>();
  /** Navigation property schemas by target, in their three forms (collection, nullable, single). */
  private readonly navigationSchemas = new Map<string, JsonSchema[]>();
  private readonly queued = new Set<string>();
  private readonly queue: { name: string; kind: 'complex' | 'entity' | 'enum' }[] = [];
  private readonly ctx: EdmSchemaContext;

  constructor(
    private readonly model: CsdlModel,
    warnings: GeneratorWarning[],
    private readonly entityAllowList: Set<string> | undefined,
  ) {
    this.ctx = {
      model,
      dialect: 'openapi3',
      warnings,
      warned: new Set(),
      refFor: (qualifiedName, kind) => {
        if (kind === 'entity' && this.entityAllowList && !this.entityAllowList.has(qualifiedName)) return undefined;
        this.enqueue(qualifiedName, kind);
        return `${SCHEMA_PREFIX}${qualifiedName}`;
      },
    };
  }

  /** The entity type's schemas and everything they refer to not handed out yet. */
  *entity(qualifiedName: string): Generator<OpenApi3Part, void, undefined> {
    this.enqueue(qualifiedName, 'entity');
    yield* this.drain();
  }

  /** Every type of the model not handed out yet. */
  *all(): Generator<OpenApi3Part, void, undefined> {
    for (const name of this.model.entityTypes.keys()) this.enqueue(name, 'entity');
    for (const name of this.model.complexTypes.keys()) this.enqueue(name, 'complex');
    for (const name of this.model.enumTypes.keys()) this.enqueue(name, 'enum');
    yield* this.drain();
  }

  private *drain(): Generator<OpenApi3Part, void, undefined> {
    while (this.queue.length) {
      const { name, kind } = this.queue.pop()!;
      if (kind === 'enum') yield this.buildEnum(name);
      else if (kind === 'complex') yield this.buildComplex(name);
      else yield* this.buildEntity(name);
    }
  }

  private enqueue(name: string, kind: 'complex' | 'entity' | 'enum'): void {
    if (this.queued.has(name)) return;
    this.queued.add(name);
    this.queue.push({ name, kind });
  }

  private buildEnum(name: string): OpenApi3Part {
    const type = this.model.enumTypes.get(name)!;
    const schema = enumSchema(type);
    schema.title = type.name;
    if (type.description) schema.description = type.description;
    return { kind: 'schema', key: name, schema };
  }

  private buildComplex(name: string): OpenApi3Part {
    const type = this.model.complexTypes.get(name)!;
    const properties: Record<string, JsonSchema> = {};
    for (const prop of type.allProperties.values()) properties[prop.name] = this.property(prop);
    const schema: JsonSchema = { type: 'object', title: type.name, properties };
    if (type.description) schema.description = type.description;
    return { kind: 'schema', key: name, schema };
  }

  private buildEntity(name: string): OpenApi3Part[] {
    const type = this.model.entityTypes.get(name)!;
    const keys = type.keyProperties;
    const read = new SchemaProperties();
    const create = new SchemaProperties(read);
    const update = new SchemaProperties(read);
    const required: string[] = [];
    for (const prop of type.allProperties.values()) {
      const schema = this.property(prop);
      const at = read.add(prop.name, schema);
      if (prop.computed || prop.readOnly) continue;
      create.take(at);
      const key = keys.includes(prop.name);
      if (!prop.nullable && !key && prop.defaultValue === undefined && prop.type !== 'Edm.Stream') required.push(prop.name);
      if (!key && !prop.immutable) update.take(at);
    }
    for (const nav of type.allNavigation.values()) {
      const target = this.ctx.refFor(nav.type, 'entity');
      if (!target) continue;
      const schema = this.navigationSchema(target, nav.collection, nav.nullable);
      // A navigation property named like a structural one replaces it in place (as an assignment to an object would).
      if (type.allProperties.has(nav.name)) read.set(nav.name, schema);
      else read.add(nav.name, schema);
    }
    const description = type.description;
    return [
      { kind: 'schema', key: name, schema: { type: 'object', title: type.name, ...(description ? { description } : {}), properties: read } },
      {
        kind: 'schema',
        key: `${name}-create`,
        schema: { type: 'object', title: `${type.name} (for create)`, properties: create, ...(required.length ? { required } : {}) },
      },
      { kind: 'schema', key: `${name}-update`, schema: { type: 'object', title: `${type.name} (for update)`, properties: update } },
    ];
  }

  /**
   * The schema of a navigation property, one object per target and form: thousands of lookups point at the same few
   * types, and a shared schema is serialized once.
   */
  private navigationSchema(target: string, collection: boolean, nullable: boolean): JsonSchema {
    const form = collection ? 0 : nullable ? 1 : 2;
    let forms = this.navigationSchemas.get(target);
    if (forms === undefined) this.navigationSchemas.set(target, (forms = []));
    return (forms[form] ??= collection ? { type: 'array', items: { $ref: target } } : nullable ? { allOf: [{ $ref: target }], nullable: true } : { $ref: target });
  }

  /**
   * The schema of a property. Properties without a description that agree on everything the schema is made of share
   * one schema object (F&O declares thousands of `Edm.String MaxLength=20` columns), so the writer serializes it once.
   * edmSchema's side effects (queueing a referenced type, one warning per unknown type) happen on the first of them.
   */
  private property(prop: Property): JsonSchema {
    // The type name, then a number for the rest (flags in the low bits, maxLength above them).
    let byType: Map<number, JsonSchema> | undefined;
    let key = -1;
    const maxLength = prop.maxLength;
    if (!prop.description && (maxLength === undefined || (Number.isInteger(maxLength) && maxLength >= 0 && maxLength < 2 ** 40))) {
      key = (prop.collection ? 1 : 0) + (prop.nullable ? 2 : 0) + (prop.computed || prop.readOnly ? 4 : 0) + (maxLength === undefined ? 0 : (maxLength + 1) * 8);
      byType = this.shared.get(prop.type);
      const shared = byType?.get(key);
      if (shared) return shared;
    }
    const schema = edmSchema(prop, this.ctx);
    if (typeof schema.$ref !== 'string') {
      if (prop.description) schema.description = prop.description;
      if (prop.computed || prop.readOnly) schema.readOnly = true;
    }
    if (key >= 0) {
      if (!byType && this.shared.size < MAX_SHARED_SCHEMAS) this.shared.set(prop.type, (byType = new Map()));
      if (byType && byType.size < MAX_SHARED_SCHEMAS) byType.set(key, schema);
    }
    return schema;
  }
}
