/**
 * The few definitions the dynamic connector needs. Row shapes differ per table and are not known when the
 * connector is generated, so rows are open objects: every column Dataverse returns comes through as is. The
 * designer still shows each table's columns: row bodies and responses carry x-ms-dynamic-schema /
 * x-ms-dynamic-properties resolved through GetTableSchema and its script (table-schema.ts).
 */
import type { OpenAPIV2 } from 'openapi-types';

export const DEFINITIONS = {
  Row: 'Row',
  RowList: 'RowList',
  TableList: 'TableList',
  ActionResult: 'ActionResult',
  RowReference: 'RowReference',
  TableSchema: 'TableSchema',
} as const;

export const schemaRef = (name: string): OpenAPIV2.ReferenceObject => ({ $ref: `#/definitions/${name}` });

export function definitions(): OpenAPIV2.DefinitionsObject {
  const label = (title: string): OpenAPIV2.SchemaObject => ({
    type: 'object',
    description: `${title} in the user's language.`,
    properties: {
      UserLocalizedLabel: {
        type: 'object',
        description: 'The label in the language of the user.',
        properties: { Label: { type: 'string', description: 'The text of the label.', 'x-ms-summary': title } as OpenAPIV2.SchemaObject },
      },
    },
  });
  return {
    [DEFINITIONS.Row]: {
      type: 'object',
      description: 'A row of a Dataverse table: its columns by logical name, with OData annotations.',
      properties: {
        '@odata.etag': { type: 'string', description: 'Version of the row, for optimistic concurrency.', 'x-ms-summary': 'ETag' } as OpenAPIV2.SchemaObject,
      },
    },
    [DEFINITIONS.RowList]: {
      type: 'object',
      description: 'A page of rows.',
      properties: {
        value: { type: 'array', description: 'The rows of this page.', items: schemaRef(DEFINITIONS.Row), 'x-ms-summary': 'Rows' } as OpenAPIV2.SchemaObject,
        '@odata.nextLink': { type: 'string', description: 'Link to the next page; absent on the last page.', 'x-ms-summary': 'Next link' } as OpenAPIV2.SchemaObject,
        '@odata.count': { type: 'integer', format: 'int32', description: 'Number of matching rows (at most 5,000) when the count was asked for.', 'x-ms-summary': 'Row count' } as OpenAPIV2.SchemaObject,
      },
    },
    [DEFINITIONS.TableList]: {
      type: 'object',
      description: 'Tables of the environment.',
      properties: {
        value: {
          type: 'array',
          description: 'One entry per table.',
          items: <OpenAPIV2.ItemsObject>(<unknown>{
            type: 'object',
            description: 'A table.',
            properties: {
              LogicalName: { type: 'string', description: 'Logical name of the table.', 'x-ms-summary': 'Logical name' } as OpenAPIV2.SchemaObject,
              EntitySetName: { type: 'string', description: 'Entity set name used in Web API URLs.', 'x-ms-summary': 'Entity set name' } as OpenAPIV2.SchemaObject,
              DisplayCollectionName: label('Plural display name'),
            },
          }),
        },
      },
    },
    [DEFINITIONS.ActionResult]: {
      type: 'object',
      description: 'What the action returned; its properties depend on the action.',
    },
    [DEFINITIONS.TableSchema]: {
      type: 'object',
      description: 'The JSON Schema of a row of one table, built by the connector\'s script from the table definition.',
      properties: {
        schema: { type: 'object', description: 'JSON Schema of the row: its columns by logical name.', 'x-ms-summary': 'Row schema' } as OpenAPIV2.SchemaObject,
        table: {
          type: 'object',
          description: 'The table the schema describes.',
          'x-ms-summary': 'Table',
          properties: {
            LogicalName: { type: 'string', description: 'Logical name of the table.', 'x-ms-summary': 'Logical name' } as OpenAPIV2.SchemaObject,
            EntitySetName: { type: 'string', description: 'Entity set name used in Web API URLs.', 'x-ms-summary': 'Entity set name' } as OpenAPIV2.SchemaObject,
            PrimaryIdAttribute: { type: 'string', description: 'Logical name of the primary key column.', 'x-ms-summary': 'Primary key column' } as OpenAPIV2.SchemaObject,
            PrimaryNameAttribute: { type: 'string', description: 'Logical name of the primary name column.', 'x-ms-summary': 'Primary name column' } as OpenAPIV2.SchemaObject,
          },
        } as OpenAPIV2.SchemaObject,
      },
    },
    [DEFINITIONS.RowReference]: {
      type: 'object',
      description: 'A reference to a row, as the OData $ref body.',
      required: ['@odata.id'],
      properties: {
        '@odata.id': {
          type: 'string',
          description: 'URL of the row to relate, absolute or relative to the Web API root, for example contacts(00000000-0000-0000-0000-000000000001).',
          'x-ms-summary': 'Relate with',
        } as OpenAPIV2.SchemaObject,
      },
    },
  };
}
