/**
 * x-ms-notification-content of the row trigger: what Dataverse posts to the flow for each change. Reference §12.5:
 * a flattened, entity-typed row whose `SdkMessage` is Create, Update or Delete (the emulator's callback-payload.ts
 * sends the same shape). The dynamic style cannot know the columns, so its rows are open objects; the typed style
 * knows them from the metadata and lists them.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, Operation } from '../../client/metadata/model';
import { primitiveSchema } from '../edm-schema';

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

/**
 * Above this many distinct parameter names the input stays an open object: every split document repeats the
 * trigger, and a real metadata (crm v8.2: about 150 names) would add some 20 KB to each for little use.
 */
const MAX_TYPED_INPUTS = 100;

/**
 * The input parameters of the given actions side by side, typed from their declared Edm types (entity parameters
 * as objects; a name two actions declare differently keeps no type, so neither action's events are refused).
 * None (an open object) above MAX_TYPED_INPUTS names.
 */
export function actionInputProperties(model: CsdlModel, actions: Operation[]): Record<string, Schema> {
  const properties: Record<string, Schema> = {};
  const differs = new Set<string>();
  for (const action of actions) {
    for (const p of action.parameters.slice(action.bound ? 1 : 0)) {
      const one = (primitiveSchema(p.type, {}, 'swagger2') as Schema | undefined) ?? (model.entityTypes.has(p.type) ? ({ type: 'object' } as Schema) : undefined);
      const schema = { ...(one ? (p.collection ? { type: 'array', items: one } : one) : {}), 'x-ms-summary': p.name, description: `The ${p.name} parameter.` } as Schema;
      const known = properties[p.name];
      if (!known) properties[p.name] = schema;
      else if (JSON.stringify(known) !== JSON.stringify(schema)) differs.add(p.name);
    }
  }
  if (Object.keys(properties).length > MAX_TYPED_INPUTS) return {};
  for (const name of differs) properties[name] = { 'x-ms-summary': name, description: `The ${name} parameter; its type depends on the action.` } as Schema;
  return properties;
}

/**
 * x-ms-notification-content of the action trigger: the flattened action event the emulator's action-payload.ts
 * sends. Microsoft does not publish what its action trigger receives; this shape takes the RemoteExecutionContext
 * fields that describe an action call, with its parameter collections as plain objects. The parameters differ
 * from action to action: open objects, or (typed style) the declared input parameters of the offered actions.
 */
export function actionNotificationSchema(inputs: Record<string, Schema> = {}): Schema {
  const text = (title: string, description: string, extra: Record<string, unknown> = {}) =>
    ({ type: 'string', 'x-ms-summary': title, description, ...extra }) as Schema;
  return {
    type: 'object',
    description: 'One successful call of the action: its name, the row it ran on, its input and output parameters.',
    properties: {
      MessageName: text('Action name', 'The action that was performed, without namespace.'),
      PrimaryEntityName: text('Table name', 'The logical name of the table a bound action ran on; none for an unbound action.'),
      PrimaryEntityId: text('Row ID', 'The row a bound action ran on; empty for an unbound action.', { 'x-nullable': true }),
      InputParameters: {
        type: 'object',
        'x-ms-summary': 'Input parameters',
        description: 'The parameters the action was called with, by name.',
        ...(Object.keys(inputs).length ? { properties: inputs } : {}),
      } as Schema,
      OutputParameters: { type: 'object', 'x-ms-summary': 'Output parameters', description: 'What the action returned, by name.' } as Schema,
      UserId: text('User ID', 'The user who performed the action.'),
      OrganizationId: text('Organization ID', 'The Dataverse organization.'),
      CorrelationId: text('Correlation ID', 'Identifies the request that performed the action.'),
      RequestId: text('Request ID', 'Identifies this event.'),
      OperationCreatedOn: text('Performed on', 'When the action was performed (UTC).', { format: 'date-time' }),
    },
  };
}
