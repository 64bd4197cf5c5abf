/**
 * x-ms-notification-content of the row trigger: what Dataverse posts to the flow for each change. Reference §12.5:
 * a flattened, entity-typed row whose `SdkMessage` is Create, Update or Delete (the emulator's callback-payload.ts
 * sends the same shape). The dynamic style cannot know the columns, so its rows are open objects; the typed style
 * knows them from the metadata and lists them.
 */
import type { OpenAPIV2 } from 'openapi-types';

type Schema = OpenAPIV2.SchemaObject;

/** The properties every notification carries, whatever the table. */
function commonProperties(): Record<string, Schema> {
  return {
    SdkMessage: {
      type: 'string',
      enum: ['Create', 'Update', 'Delete'],
      'x-ms-summary': 'Change type',
      description: 'What happened to the row: Create, Update or Delete.',
    } as Schema,
    '@odata.type': { type: 'string', 'x-ms-summary': 'Row type', description: 'The table of the row, as #Microsoft.Dynamics.CRM.<logical name>.' } as Schema,
  };
}

export function dynamicNotificationSchema(): Schema {
  return {
    type: 'object',
    description: 'The row that changed: its columns by logical name, lookups as _<column>_value, plus the change type. A deleted row carries only its ID.',
    properties: commonProperties(),
  };
}

/**
 * One schema for the tables of a typed connector: their row columns side by side. A column that two tables define
 * differently (other choices, another type) keeps only its name and description, so a valid notification of either
 * table is never rejected. With one table the schema is exactly that table's row.
 */
export function typedNotificationSchema(rows: Array<{ table: string; schema: Schema }>): Schema {
  const properties: Record<string, Schema> = {};
  const differs = new Set<string>();
  for (const { schema } of rows) {
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      const known = properties[name];
      if (!known) properties[name] = property;
      else if (!differs.has(name) && JSON.stringify(known) !== JSON.stringify(property)) differs.add(name);
    }
  }
  for (const name of differs) {
    properties[name] = {
      'x-ms-summary': (properties[name] as Record<string, unknown>)['x-ms-summary'] ?? name,
      description: `The ${name} column; its type depends on the table.`,
    } as Schema;
  }
  const tables = rows.map((r) => r.table);
  return {
    type: 'object',
    description: `The ${tables.join(', ')} row that changed, with the change type. A deleted row carries only its ID.`,
    properties: { ...commonProperties(), ...properties },
  };
}
