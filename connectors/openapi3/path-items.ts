/**
 * The two path items of an entity set (the collection, and one entity by key), built from their strings alone, so
 * that the same function gives both the object (toOpenApi3) and, called once with placeholders, a text template
 * that writeOpenApi3 fills for every set: the items of thousands of sets differ only in their names, and
 * JSON.stringify of each (their `200`/`201` response keys take its slow path) was a large part of the writing.
 */
import type { OpenAPIV3 } from 'openapi-types';
import type { SchemaText } from './schema-properties';

const SCHEMA_PREFIX = '#/components/schemas/';
const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const ref = (name: string) => ({ $ref: `${SCHEMA_PREFIX}${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } }) as Record<string, OpenAPIV3.MediaTypeObject>;
const errorResponse = { $ref: '#/components/responses/error' };

/** The strings of a collection item, in a fixed order (the template's slots). */
export type CollectionStrings = [setName: string, typeName: string, qualifiedName: string, listId: string, createId: string];

/** The strings of an entity item; its key parameters are given apart (their number and schemas vary). */
export type EntityStrings = [setName: string, qualifiedName: string, getId: string, updateId: string, deleteId: string];

export function collectionItem([setName, typeName, name, listId, createId]: CollectionStrings): OpenAPIV3.PathItemObject {
  const tags = [setName];
  return {
    get: {
      operationId: listId,
      summary: `Get entities from ${setName}`,
      tags,
      parameters: [param('top'), param('skip'), param('search'), param('filter'), param('count'), param('orderby'), param('select'), param('expand')],
      responses: {
        200: {
          description: 'Retrieved entities',
          content: json({
            type: 'object',
            title: `Collection of ${typeName}`,
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
      operationId: createId,
      summary: `Add new entity to ${setName}`,
      tags,
      requestBody: { required: true, description: 'New entity', content: json(ref(`${name}-create`)) },
      responses: { 201: { description: 'Created entity', content: json(ref(name)) }, '4XX': errorResponse },
    },
  };
}

export function entityItem([setName, name, getId, updateId, deleteId]: EntityStrings, keyParams: unknown): OpenAPIV3.PathItemObject {
  const tags = [setName];
  return {
    parameters: keyParams as OpenAPIV3.ParameterObject[],
    get: {
      operationId: getId,
      summary: `Get entity from ${setName} by key`,
      tags,
      parameters: [param('select'), param('expand')],
      responses: { 200: { description: 'Retrieved entity', content: json(ref(name)) }, '4XX': errorResponse },
    },
    patch: {
      operationId: updateId,
      summary: `Update entity in ${setName}`,
      tags,
      requestBody: { required: true, description: 'New property values', content: json(ref(`${name}-update`)) },
      responses: { 204: { description: 'Success' }, '4XX': errorResponse },
    },
    delete: {
      operationId: deleteId,
      summary: `Delete entity from ${setName}`,
      tags,
      parameters: [{ name: 'If-Match', in: 'header', description: 'ETag', schema: { type: 'string' } }],
      responses: { 204: { description: 'Success' }, '4XX': errorResponse },
    },
  };
}

/** How a path part can be written from a template instead of its object (which it describes exactly). */
export type PathTemplate = { kind: 'collection'; strings: CollectionStrings } | { kind: 'entity'; strings: EntityStrings; keyParams: OpenAPIV3.ParameterObject[] };

/**
 * Slot markers: control characters, which JSON.stringify writes escaped (`\u0001`), so a marker in the template
 * text is found as its escaped spelling; a real name, escaped too, can never produce one.
 */
const SLOT = (i: number) => `\u0001${i}\u0001`;
const SLOT_TEXT = /\\u0001(\d)\\u0001/;
const RAW = '\u0002';
const RAW_TEXT = '"\\u0002"';

/** Texts of path items from templates, at the depth and indentation of the SchemaText given. */
export class PathItemText {
  private readonly templates = new Map<string, (string | number)[]>();

  constructor(private readonly text: SchemaText) {}

  /** The same text as text.value(item, depth) for the item the template describes. */
  value(template: PathTemplate, depth: number): string {
    const pieces = this.template(template.kind, depth);
    const strings = template.strings;
    let out = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      else if (piece < 0) out += this.text.value((template as { keyParams: unknown }).keyParams, depth + 1);
      else out += JSON.stringify(strings[piece]).slice(1, -1);
    }
    return out;
  }

  /** The item's text split at its slots: strings as they are, slot numbers, and -1 for the key parameters. */
  private template(kind: PathTemplate['kind'], depth: number): (string | number)[] {
    const id = `${kind}:${depth}`;
    let pieces = this.templates.get(id);
    if (pieces === undefined) {
      const slots = [SLOT(0), SLOT(1), SLOT(2), SLOT(3), SLOT(4)];
      const item = kind === 'collection' ? collectionItem(slots as CollectionStrings) : entityItem(slots as EntityStrings, RAW);
      pieces = [];
      for (const [i, raw] of this.text.value(item, depth).split(RAW_TEXT).entries()) {
        if (i > 0) pieces.push(-1);
        const parts = raw.split(SLOT_TEXT);
        // split() with a capture group alternates text and slot numbers.
        for (let p = 0; p < parts.length; p++) pieces.push(p % 2 ? Number(parts[p]) : parts[p]);
      }
      this.templates.set(id, pieces);
    }
    return pieces;
  }
}
