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

export function toOpenApi3(model: CsdlModel, options: OpenApi3Options = {}): OpenAPIV3.Document {
  const warnings = options.warnings ?? [];
  const everything = !options.tables || options.tables.length === 0 || options.tables.some((t) => t.trim() === '*');
  const sets = selectEntitySets(model, options.tables);
  const schemas = new Schemas(model, warnings, everything ? undefined : new Set(sets.map((s) => s.entityType)));

  const paths: OpenAPIV3.PathsObject = {};
  const ids = new OperationIds(warnings);
  const typeUse = new Map<string, number>();
  for (const set of sets) typeUse.set(set.entityType, (typeUse.get(set.entityType) ?? 0) + 1);
  const total = sets.length;
  let done = 0;
  for (const set of sets) {
    const type = model.entityTypes.get(set.entityType);
    if (type) {
      schemas.entity(type.qualifiedName);
      addEntitySetPaths(paths, set, type, (typeUse.get(set.entityType) ?? 0) > 1, ids, warnings);
    } else {
      warnings.push({ code: 'UnknownType', message: `Entity set ${set.name} refers to the unknown type '${set.entityType}'.`, where: set.name });
    }
    options.onProgress?.(++done, total);
  }
  if (everything) schemas.all();
  schemas.drain();

  return {
    openapi: '3.0.3',
    info: {
      title: options.title ?? `${model.containerName || 'OData'} service`,
      description: sentence(`Entity sets of ${model.namespace}, generated from the service's OData metadata`),
      version: model.version || '4.0',
    },
    servers: [{ url: serverUrl(model) }],
    tags: sets.map((s) => ({ name: s.name })),
    paths,
    components: {
      schemas: schemas.output as Record<string, OpenAPIV3.SchemaObject>,
      parameters: PARAMETERS,
      responses: {
        error: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: `${SCHEMA_PREFIX}odata.error` } } },
        },
      },
    },
  };
}

function serverUrl(model: CsdlModel): string {
  if (model.namespace === 'Microsoft.Dynamics.CRM') return 'https://contoso.crm.dynamics.com/api/data/v9.2';
  if (model.namespace === 'Microsoft.Dynamics.DataEntities') return 'https://contoso.operations.dynamics.com/data';
  return 'https://localhost/service-root';
}

const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

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

const ref = (name: string) => ({ $ref: `${SCHEMA_PREFIX}${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } }) as Record<string, OpenAPIV3.MediaTypeObject>;
const errorResponse = { $ref: '#/components/responses/error' };

/** Types written unquoted in a key; everything else is a quoted string. */
const UNQUOTED = new Set(['Edm.Guid', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Boolean', 'Edm.Date', 'Edm.DateTimeOffset', 'Edm.TimeOfDay']);

function addEntitySetPaths(
  paths: OpenAPIV3.PathsObject,
  set: EntitySet,
  type: EntityType,
  sharedType: boolean,
  ids: OperationIds,
  warnings: GeneratorWarning[],
): void {
  const name = type.qualifiedName;
  const singular = pascalCase(sharedType ? set.name : type.name);
  const plural = pascalCase(set.name);
  const tags = [set.name];
  const base = `/${set.name}`;
  paths[base] = {
    get: {
      operationId: ids.take(`List${plural}`, base),
      summary: `Get entities from ${set.name}`,
      tags,
      parameters: [param('top'), param('skip'), param('search'), param('filter'), param('count'), param('orderby'), param('select'), param('expand')],
      responses: {
        200: {
          description: 'Retrieved entities',
          content: json({
            type: 'object',
            title: `Collection of ${type.name}`,
            properties: {
              '@odata.count': { type: 'integer', minimum: 0 },
              value: { type: 'array', items: ref(name) },
              '@odata.nextLink': { type: 'string' },
            },
          }),
        },
        '4XX': errorResponse,
      },
    },
    post: {
      operationId: ids.take(`Create${singular}`, base),
      summary: `Add new entity to ${set.name}`,
      tags,
      requestBody: { required: true, description: 'New entity', content: json(ref(`${name}-create`)) },
      responses: { 201: { description: 'Created entity', content: json(ref(name)) }, '4XX': errorResponse },
    },
  };
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
  paths[byKey] = {
    parameters: keyParams,
    get: {
      operationId: ids.take(`Get${singular}`, byKey),
      summary: `Get entity from ${set.name} by key`,
      tags,
      parameters: [param('select'), param('expand')],
      responses: { 200: { description: 'Retrieved entity', content: json(ref(name)) }, '4XX': errorResponse },
    },
    patch: {
      operationId: ids.take(`Update${singular}`, byKey),
      summary: `Update entity in ${set.name}`,
      tags,
      requestBody: { required: true, description: 'New property values', content: json(ref(`${name}-update`)) },
      responses: { 204: { description: 'Success' }, '4XX': errorResponse },
    },
    delete: {
      operationId: ids.take(`Delete${singular}`, byKey),
      summary: `Delete entity from ${set.name}`,
      tags,
      parameters: [{ name: 'If-Match', in: 'header', description: 'ETag', schema: { type: 'string' } }],
      responses: { 204: { description: 'Success' }, '4XX': errorResponse },
    },
  };
}

function paramName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * components/schemas, filled on demand: a type referred to is queued and built once. With an allow-list (`tables`)
 * navigation properties to entity types outside it are left out, so the document stays closed without pulling in
 * the whole model.
 */
class Schemas {
  readonly output: Record<string, JsonSchema> = { 'odata.error': ERROR_SCHEMA };
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

  entity(qualifiedName: string): void {
    this.enqueue(qualifiedName, 'entity');
    this.drain();
  }

  all(): void {
    for (const name of this.model.entityTypes.keys()) this.enqueue(name, 'entity');
    for (const name of this.model.complexTypes.keys()) this.enqueue(name, 'complex');
    for (const name of this.model.enumTypes.keys()) this.enqueue(name, 'enum');
  }

  drain(): void {
    while (this.queue.length) {
      const { name, kind } = this.queue.pop()!;
      if (kind === 'enum') this.buildEnum(name);
      else if (kind === 'complex') this.buildComplex(name);
      else this.buildEntity(name);
    }
  }

  private enqueue(name: string, kind: 'complex' | 'entity' | 'enum'): void {
    if (this.queued.has(name)) return;
    this.queued.add(name);
    this.queue.push({ name, kind });
  }

  private buildEnum(name: string): void {
    const type = this.model.enumTypes.get(name)!;
    const schema = enumSchema(type);
    schema.title = type.name;
    if (type.description) schema.description = type.description;
    this.output[name] = schema;
  }

  private buildComplex(name: string): void {
    const type = this.model.complexTypes.get(name)!;
    const properties: Record<string, JsonSchema> = {};
    for (const prop of type.allProperties.values()) properties[prop.name] = this.property(prop);
    const schema: JsonSchema = { type: 'object', title: type.name, properties };
    if (type.description) schema.description = type.description;
    this.output[name] = schema;
  }

  private buildEntity(name: string): void {
    const type = this.model.entityTypes.get(name)!;
    const keys = new Set(type.keyProperties);
    const read: Record<string, JsonSchema> = {};
    const create: Record<string, JsonSchema> = {};
    const update: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of type.allProperties.values()) {
      const schema = this.property(prop);
      read[prop.name] = schema;
      if (prop.computed || prop.readOnly) continue;
      create[prop.name] = schema;
      if (!prop.nullable && !keys.has(prop.name) && prop.defaultValue === undefined && prop.type !== 'Edm.Stream') required.push(prop.name);
      if (!keys.has(prop.name) && !prop.immutable) update[prop.name] = schema;
    }
    for (const nav of type.allNavigation.values()) {
      const target = this.ctx.refFor(nav.type, 'entity');
      if (!target) continue;
      read[nav.name] = nav.collection ? { type: 'array', items: { $ref: target } } : nav.nullable ? { allOf: [{ $ref: target }], nullable: true } : { $ref: target };
    }
    const description = type.description;
    this.output[name] = { type: 'object', title: type.name, ...(description ? { description } : {}), properties: read };
    this.output[`${name}-create`] = {
      type: 'object',
      title: `${type.name} (for create)`,
      properties: create,
      ...(required.length ? { required } : {}),
    };
    this.output[`${name}-update`] = { type: 'object', title: `${type.name} (for update)`, properties: update };
  }

  private property(prop: Property): JsonSchema {
    const schema = edmSchema(prop, this.ctx);
    if (typeof schema.$ref === 'string') return schema;
    if (prop.description) schema.description = prop.description;
    if (prop.computed || prop.readOnly) schema.readOnly = true;
    return schema;
  }
}
