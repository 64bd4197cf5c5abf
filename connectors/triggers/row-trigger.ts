/**
 * "When a row is added, modified or deleted": a webhook trigger on Dataverse callback registrations, the mechanism
 * of Microsoft's own trigger (reference §12.5 and power-automate-connectors.md §4.1, §7.1).
 * - Subscribe: POST /callbackregistrations (x-ms-trigger single) with the CallbackRegistration body; `url` is the
 *   x-ms-notification-url Power Automate fills in. Dataverse answers 204 + OData-EntityId; the script part of
 *   location-script.ts adds the Location the platform needs.
 * - Unsubscribe: internal DELETE /callbackregistrations({callbackregistrationid}), the route that Location names.
 * - x-ms-notification-content on the subscribe path: notification-schema.ts.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { GeneratorWarning } from '../types';
import { addSubscribeOperation, internalProperty as internal, ODATA_HEADERS, runAsProperty, tableNameBase, triggerOperations } from './subscribe-operation';

export const CALLBACK_PATH = '/callbackregistrations';
export const UNSUBSCRIBE_PATH = `${CALLBACK_PATH}({callbackregistrationid})`;
export const SUBSCRIBE_OPERATION = 'SubscribeRowChanges';
export const UNSUBSCRIBE_OPERATION = 'UnsubscribeRowChanges';
export const ROW_TRIGGER_SUMMARY = 'When a row is added, modified or deleted';

type Schema = OpenAPIV2.SchemaObject;

/**
 * How the maker names the table: from the connector's own tables (typed), or any table by logical name (dynamic).
 * The dynamic style takes the logical name as text: every table dropdown of that style (GetTables) offers entity set
 * names, which the row operations need, while a callback registration needs the logical name.
 */
export type TableChoice = { kind: 'any' } | { kind: 'list'; tables: string[] };

function tableProperty(choice: TableChoice): Schema {
  const base = tableNameBase();
  if (choice.kind === 'list') {
    return {
      ...base,
      enum: choice.tables,
      ...(choice.tables.length === 1 ? { default: choice.tables[0] } : {}),
      description: `The logical name of the table to watch: ${choice.tables.join(', ')}.`,
    } as Schema;
  }
  return { ...base, description: 'The logical name of the table to watch, for example account or contact (not the plural entity set name).' } as Schema;
}

/** The CallbackRegistration body, with the option values of reference §12.5. */
function subscriptionSchema(choice: TableChoice): Schema {
  return {
    type: 'object',
    required: ['message', 'entityname', 'scope', 'url', 'version', 'name'],
    properties: {
      message: {
        type: 'integer',
        format: 'int32',
        enum: [1, 2, 3, 4, 5, 6, 7],
        'x-ms-summary': 'Change type',
        'x-ms-visibility': 'important',
        description: '1 Added, 2 Deleted, 3 Modified, 4 Added or Modified, 5 Added or Deleted, 6 Modified or Deleted, 7 Added or Modified or Deleted.',
      } as Schema,
      entityname: tableProperty(choice),
      scope: {
        type: 'integer',
        format: 'int32',
        enum: [1, 2, 3, 4],
        default: 4,
        'x-ms-summary': 'Scope',
        'x-ms-visibility': 'important',
        description: 'Whose rows start the flow: 1 the user, 2 the business unit, 3 parent and child business units, 4 the organization.',
      } as Schema,
      filteringattributes: {
        type: 'string',
        'x-ms-summary': 'Select columns',
        'x-ms-visibility': 'advanced',
        description: 'Comma-separated columns whose change starts the flow on Modified; any column when empty.',
      } as Schema,
      filterexpression: {
        type: 'string',
        'x-ms-summary': 'Filter rows',
        'x-ms-visibility': 'advanced',
        description: "An OData filter the row must match, for example statecode eq 0 and contains(name,'x').",
      } as Schema,
      runas: runAsProperty('modifying user'),
      url: internal('string', 'Notification URL', 'The URL Dataverse posts each change to; filled in by the platform.', { 'x-ms-notification-url': true }),
      version: internal('integer', 'Registration version', 'Version of the callback registration; 1 for row changes.', { format: 'int32', default: 1 }),
      name: internal('string', 'Registration name', 'Name of the callback registration row.', { default: 'Row change trigger' }),
    },
  };
}

export interface RowTriggerInput {
  choice: TableChoice;
  notification: Schema;
}

/**
 * Adds the subscribe and unsubscribe operations and returns the subscribe operationId, or undefined (with a
 * warning) when the document already uses the callbackregistrations paths, as a typed connector of that table does.
 */
export function addRowTrigger(doc: OpenAPIV2.Document, input: RowTriggerInput, warnings: GeneratorWarning[]): string | undefined {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const taken = new Set(Object.values(paths).flatMap((item) => Object.values(item).map((op) => (op as { operationId?: string })?.operationId)));
  if (paths[CALLBACK_PATH]?.post || paths[UNSUBSCRIBE_PATH]?.delete || taken.has(SUBSCRIBE_OPERATION) || taken.has(UNSUBSCRIBE_OPERATION)) {
    warnings.push({
      code: 'SkippedOperation',
      message: `The row trigger is left out of '${doc.info.title}': its ${CALLBACK_PATH} operations are already the table's own.`,
      where: CALLBACK_PATH,
    });
    return undefined;
  }
  addSubscribeOperation(doc, {
    path: CALLBACK_PATH,
    operationId: SUBSCRIBE_OPERATION,
    summary: ROW_TRIGGER_SUMMARY,
    description: 'Starts the flow when a row of the chosen table is added, modified or deleted, through a Dataverse callback registration.',
    notificationDescription: 'The row that changed.',
    notification: input.notification,
    subscription: subscriptionSchema(input.choice),
  });
  paths[UNSUBSCRIBE_PATH] = {
    ...(paths[UNSUBSCRIBE_PATH] ?? {}),
    delete: {
      operationId: UNSUBSCRIBE_OPERATION,
      summary: 'Remove a row change subscription',
      description: 'Deletes the callback registration of a row trigger; called by the platform when the flow is turned off or deleted.',
      'x-ms-visibility': 'internal',
      parameters: [
        {
          name: 'callbackregistrationid',
          in: 'path',
          required: true,
          type: 'string',
          'x-ms-summary': 'Registration ID',
          description: 'The unique identifier (GUID) of the callback registration.',
          // As every path value of these connectors: encoded twice so it survives the gateway.
          'x-ms-url-encoding': 'double',
        },
        ...ODATA_HEADERS,
      ],
      responses: { 204: { description: 'Unsubscribed.' }, default: { description: 'Operation failed.' } },
    },
  };
  return SUBSCRIBE_OPERATION;
}

/** The operationIds of the row triggers a finished document holds (none when it has no trigger). */
export function rowTriggerOperations(doc: OpenAPIV2.Document): string[] {
  return triggerOperations(doc, CALLBACK_PATH, SUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH);
}
