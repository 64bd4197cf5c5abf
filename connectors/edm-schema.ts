/**
 * Edm type → JSON schema (Swagger 2.0 and OpenAPI 3.0), shared by the typed connector style and the OpenAPI 3
 * converter. One place decides how each primitive is written on the wire:
 *
 * - Int64 is `integer`/`int64` and Decimal `number`/`decimal`: Dataverse and F&O send both as JSON numbers unless
 *   the caller asks for `IEEE754Compatible=true`, which no generated operation does (odata.md §3).
 * - Guid `string`/`uuid`, DateTimeOffset `date-time`, Date `date`, TimeOfDay `time`, Duration `duration`,
 *   Binary `byte` (base64), geography/geometry GeoJSON objects.
 * - Enum types: Swagger 2 inlines them (`enum` + `x-ms-enum-values`, no definition to count against the 512 limit);
 *   OpenAPI 3 refers to one shared component. Flags enums are comma-separated member names, so a plain string.
 * - Complex types and entity types are references the caller names (`refFor`); unknown types become a string
 *   schema and an `UnknownType` warning, never invalid output.
 */
import type { CsdlModel, EnumType, TypeFacets } from '../client/metadata/model';
import type { GeneratorWarning } from './types';

/** A JSON schema as both Swagger 2.0 and OpenAPI 3.0 accept it (the shared subset plus the dialect's extras). */
export type JsonSchema = Record<string, unknown>;

export interface TypeRef extends TypeFacets {
  type: string;
  collection: boolean;
  nullable: boolean;
}

export interface EdmSchemaContext {
  model: CsdlModel;
  dialect: 'swagger2' | 'openapi3';
  /** A `$ref` target for a complex/entity/enum type, or undefined to fall back to an inline schema. */
  refFor(qualifiedName: string, kind: 'complex' | 'entity' | 'enum'): string | undefined;
  warnings?: GeneratorWarning[];
  /** Types already warned about (one warning per type, not per property). */
  warned?: Set<string>;
  where?: string;
}

const PRIMITIVES: Readonly<Record<string, JsonSchema>> = Object.freeze({
  'Edm.String': { type: 'string' },
  'Edm.Boolean': { type: 'boolean' },
  'Edm.Byte': { type: 'integer', format: 'int32', minimum: 0, maximum: 255 },
  'Edm.SByte': { type: 'integer', format: 'int32', minimum: -128, maximum: 127 },
  'Edm.Int16': { type: 'integer', format: 'int32', minimum: -32768, maximum: 32767 },
  'Edm.Int32': { type: 'integer', format: 'int32' },
  'Edm.Int64': { type: 'integer', format: 'int64' },
  'Edm.Decimal': { type: 'number', format: 'decimal' },
  'Edm.Double': { type: 'number', format: 'double' },
  'Edm.Single': { type: 'number', format: 'float' },
  'Edm.Guid': { type: 'string', format: 'uuid' },
  'Edm.DateTimeOffset': { type: 'string', format: 'date-time' },
  'Edm.DateTime': { type: 'string', format: 'date-time' },
  'Edm.Date': { type: 'string', format: 'date' },
  'Edm.TimeOfDay': { type: 'string', format: 'time' },
  'Edm.Time': { type: 'string', format: 'duration' },
  'Edm.Duration': { type: 'string', format: 'duration' },
  'Edm.Binary': { type: 'string', format: 'byte' },
  'Edm.Stream': { type: 'string', format: 'byte' },
  'Edm.Untyped': { type: 'object' },
  'Edm.PrimitiveType': { type: 'string' },
  'Edm.ComplexType': { type: 'object' },
  'Edm.EntityType': { type: 'object' },
});

/** Whether the type is a geography/geometry primitive (GeoJSON on the wire). */
function isSpatial(type: string): boolean {
  return type.startsWith('Edm.Geography') || type.startsWith('Edm.Geometry');
}

/**
 * Formats Power Automate's apiDefinition schema accepts; others (uuid, decimal, time, duration) make the import fail,
 * so Swagger 2 documents say them in words instead (decimal becomes double: both are JSON numbers).
 */
const SWAGGER2_FORMATS = new Set(['int32', 'int64', 'float', 'double', 'byte', 'binary', 'date', 'date-time', 'password', 'date-no-tz', 'email']);

function forSwagger2(schema: JsonSchema): JsonSchema {
  const format = schema.format;
  if (typeof format !== 'string' || SWAGGER2_FORMATS.has(format)) return schema;
  if (format === 'decimal') return { ...schema, format: 'double' };
  const { format: _dropped, ...rest } = schema;
  return { ...rest, description: rest.description ?? `Format: ${format}.` };
}

/** The schema of one primitive, with its facets (maxLength, decimal precision); a fresh object each call. */
export function primitiveSchema(type: string, facets: TypeFacets = {}, dialect: 'swagger2' | 'openapi3' = 'openapi3'): JsonSchema | undefined {
  const schema = primitiveSchemaOf(type, facets);
  return schema && dialect === 'swagger2' ? forSwagger2(schema) : schema;
}

function primitiveSchemaOf(type: string, facets: TypeFacets): JsonSchema | undefined {
  const base = PRIMITIVES[type];
  if (!base) {
    if (isSpatial(type)) return { type: 'object', description: 'GeoJSON value.' };
    return undefined;
  }
  const out: JsonSchema = { ...base };
  if (type === 'Edm.String' && typeof facets.maxLength === 'number' && facets.maxLength > 0) out.maxLength = facets.maxLength;
  if (type === 'Edm.Binary' && typeof facets.maxLength === 'number' && facets.maxLength > 0) out.maxLength = Math.ceil((facets.maxLength * 4) / 3);
  return out;
}

/** Inline schema of an enum type: member names, their labels as `x-ms-enum-values`; flags as a free string. */
export function enumSchema(type: EnumType): JsonSchema {
  if (type.isFlags) {
    return {
      type: 'string',
      description: `Comma-separated members of ${type.name}: ${type.members.map((m) => m.name).join(', ')}`.slice(0, 500),
    };
  }
  return {
    type: 'string',
    enum: type.members.map((m) => m.name),
    'x-ms-enum-values': type.members.map((m) => ({ value: m.name, displayName: m.description ?? label(m.name) })),
  };
}

/**
 * The schema of a property/parameter type reference: primitive, enum, complex (by reference), collection, with
 * nullability in the dialect's spelling (`x-nullable` in Swagger 2, `nullable` in OpenAPI 3).
 */
export function edmSchema(ref: TypeRef, ctx: EdmSchemaContext): JsonSchema {
  const item = itemSchema(ref, ctx);
  if (ref.collection) return { type: 'array', items: item };
  if (ref.nullable) {
    if (typeof item.$ref === 'string') {
      // Siblings of $ref are ignored in both dialects; allOf keeps the flag.
      return ctx.dialect === 'openapi3' ? { allOf: [item], nullable: true } : item;
    }
    if (ctx.dialect === 'openapi3') item.nullable = true;
    else item['x-nullable'] = true;
  }
  return item;
}

function itemSchema(ref: TypeRef, ctx: EdmSchemaContext): JsonSchema {
  const type = ref.type;
  if (type.startsWith('Edm.')) {
    const primitive = primitiveSchema(type, ref, ctx.dialect === 'openapi3' ? 'openapi3' : 'swagger2');
    if (primitive) return primitive;
    return unknown(type, ctx);
  }
  const enumType = ctx.model.enumTypes.get(type);
  if (enumType) {
    const target = ctx.refFor(type, 'enum');
    return target ? { $ref: target } : enumSchema(enumType);
  }
  if (ctx.model.complexTypes.has(type)) {
    const target = ctx.refFor(type, 'complex');
    return target ? { $ref: target } : { type: 'object' };
  }
  if (ctx.model.entityTypes.has(type)) {
    const target = ctx.refFor(type, 'entity');
    return target ? { $ref: target } : { type: 'object' };
  }
  return unknown(type, ctx);
}

function unknown(type: string, ctx: EdmSchemaContext): JsonSchema {
  if (ctx.warnings && !ctx.warned?.has(type)) {
    ctx.warned?.add(type);
    ctx.warnings.push({ code: 'UnknownType', message: `Type '${type}' is not known; its values are described as strings.`, where: ctx.where });
  }
  return { type: 'string' };
}

/** `parentcustomerid_account` → `Parentcustomerid account`, `CustomerAccount` → `Customer Account`: a readable label. */
export function label(name: string): string {
  const words = name
    .replace(/^_+|_+$/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  if (!words.length) return name || 'Value';
  const text = words.join(' ');
  return text[0].toUpperCase() + text.slice(1);
}
