/**
 * Design-time column schemas: the internal GetTableSchema operation and the x-ms-dynamic-schema /
 * x-ms-dynamic-properties that point the row bodies and row responses at it, so the designer shows the columns of
 * the table the maker picked (types, lengths, choices with labels, required columns, lookups as
 * `<navigation>@odata.bind`). The operation's answer is built by the script part of table-schema-script.ts; without
 * the script Dataverse could not answer it (no EntitySetName key, no JSON Schema).
 *
 *   GetTableSchema (internal)  GET /EntityDefinitions(EntitySetName='{entityset}')?purpose=create|update|upsert|read
 *                              &$select=…&$expand=Attributes(…),ManyToOneRelationships(…)   → { schema, table }
 */
import type { OpenAPIV2 } from 'openapi-types';
import { addScriptParts } from '../script';
import { addOperation, DynamicContext, internalQuery } from './common';
import { DEFINITIONS, schemaRef } from './schemas';
import { SCHEMA_PURPOSES, type SchemaPurpose, tableSchemaScriptPart } from './table-schema-script';

export const GET_TABLE_SCHEMA = 'GetTableSchema';
export const TABLE_SCHEMA_PATH = "/EntityDefinitions(EntitySetName='{entityset}')";
/** Where the JSON Schema is in the answer (value-path / itemValuePath). */
export const SCHEMA_VALUE_PATH = 'schema';
export const TABLE_SELECT = 'LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute';
/** Only AttributeMetadata properties: an un-cast Attributes expansion cannot select those of derived types. */
export const TABLE_EXPAND =
  'Attributes($select=LogicalName,AttributeType,AttributeOf,DisplayName,Description,IsValidForCreate,IsValidForUpdate,IsValidForRead,IsPrimaryId,RequiredLevel),' +
  'ManyToOneRelationships($select=ReferencingAttribute,ReferencingEntityNavigationPropertyName,ReferencedEntity)';

export type { SchemaPurpose };

/** Adds GetTableSchema and the script part that answers it. */
export function addTableSchemaOperation(ctx: DynamicContext): void {
  const id = addOperation(ctx, {
    path: TABLE_SCHEMA_PATH,
    method: 'get',
    id: GET_TABLE_SCHEMA,
    title: 'Get the columns of a table',
    description: 'Returns the JSON Schema of a row of the table for creating, updating, upserting or reading it, for the designer',
    visibility: 'internal',
    parameters: [
      {
        name: 'entityset',
        in: 'path',
        required: true,
        type: 'string',
        // Like every path value of the connector (see common.ts).
        'x-ms-url-encoding': 'double',
        'x-ms-summary': 'Table name',
        description: 'Entity set name of the table (for example accounts).',
      },
      {
        name: 'purpose',
        in: 'query',
        required: true,
        type: 'string',
        enum: [...SCHEMA_PURPOSES],
        default: 'create',
        'x-ms-summary': 'Purpose',
        description: 'Which row the schema describes: the body of a create, update or upsert, or a row as read.',
      },
      internalQuery('$select', TABLE_SELECT, 'Table properties', 'The table properties to read'),
      internalQuery('$expand', TABLE_EXPAND, 'Columns and lookups', 'The column and lookup definitions to read'),
    ],
    responses: { 200: { description: 'The JSON Schema of a row.', schema: schemaRef(DEFINITIONS.TableSchema) } },
  });
  if (id !== GET_TABLE_SCHEMA) throw new Error(`Internal error: the schema operation was named ${id}.`);
  addScriptParts(ctx.doc, [tableSchemaScriptPart(id)]);
}

/** A row whose columns the designer reads from GetTableSchema for the table in the operation's `entityset`. */
export function dynamicRowSchema(purpose: SchemaPurpose, description: string): OpenAPIV2.SchemaObject {
  return {
    type: 'object',
    description,
    'x-ms-dynamic-schema': {
      operationId: GET_TABLE_SCHEMA,
      parameters: { entityset: { parameter: 'entityset' }, purpose },
      'value-path': SCHEMA_VALUE_PATH,
    },
    'x-ms-dynamic-properties': {
      operationId: GET_TABLE_SCHEMA,
      parameters: { entityset: { parameterReference: 'entityset' }, purpose: { value: purpose } },
      itemValuePath: SCHEMA_VALUE_PATH,
    },
  } as OpenAPIV2.SchemaObject;
}

/** A page of rows of the operation's table: RowList with the rows' columns resolved at design time. */
export function dynamicRowListSchema(): OpenAPIV2.SchemaObject {
  return {
    type: 'object',
    description: 'A page of rows.',
    properties: {
      value: { type: 'array', description: 'The rows of this page.', 'x-ms-summary': 'Rows', items: dynamicRowSchema('read', 'A row of the table.') } as OpenAPIV2.SchemaObject,
      '@odata.nextLink': { type: 'string', description: 'Link to the next page; absent on the last page.', 'x-ms-summary': 'Next link' } as OpenAPIV2.SchemaObject,
      '@odata.count': { type: 'integer', format: 'int32', description: 'Number of matching rows (at most 5,000) when the count was asked for.', 'x-ms-summary': 'Row count' } as OpenAPIV2.SchemaObject,
    },
  };
}
