/**
 * "When an action is performed": Microsoft's `BusinessEventsTrigger` (power-automate-connectors.md §7.1) rebuilt for a
 * custom connector. It too creates a callback registration, of version 3, whose `sdkmessagename` is the action and
 * whose `entityname` is the table of a bound action (`none` when unbound); Dataverse then posts each successful
 * call of that action to the flow (reference §12.5).
 * - Subscribe: POST /callbackregistrations/ (x-ms-trigger single). The row trigger already holds POST on
 *   /callbackregistrations; the trailing slash gives this one a path of its own (Dataverse ignores it), so each
 *   trigger keeps its own x-ms-notification-content. 204 + OData-EntityId, Location added by location-script.ts.
 * - Unsubscribe: the row trigger's internal DELETE /callbackregistrations({callbackregistrationid}), the route the
 *   Location names whichever trigger created the registration, so the action trigger exists only beside it.
 * - Microsoft's Catalog and Category headers are left out: they pick events from the environment's business-event
 *   catalogs, which a custom connector cannot list; the action is chosen by name instead.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { GeneratorWarning } from '../types';
import { CALLBACK_PATH, UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH, type TableChoice } from './row-trigger';
import { addSubscribeOperation, internalProperty as internal, runAsProperty, tableNameBase, triggerOperations } from './subscribe-operation';

/** Dataverse ignores the trailing slash; the row trigger has the path without it. */
export const ACTION_TRIGGER_PATH = `${CALLBACK_PATH}/`;
export const ACTION_SUBSCRIBE_OPERATION = 'SubscribeActionPerformed';
export const ACTION_TRIGGER_SUMMARY = 'When an action is performed';
/** callbackregistration.version of Microsoft's action trigger (reference §12.5). */
export const ACTION_CALLBACK_VERSION = 3;
/** entityname of an unbound action. */
export const UNBOUND_TABLE = 'none';

type Schema = OpenAPIV2.SchemaObject;

export interface ActionTriggerInput {
  /** `list`: the logical names of the tables with bound actions; `none` is offered beside them when there are unbound ones. */
  tables: TableChoice;
  /** Whether the metadata declares unbound actions (then `none` is a choice of a listed table). */
  unbound: boolean;
  /** Action names for the enum; empty leaves the name as free text. */
  actions: string[];
  notification: Schema;
}

function tableProperty(input: ActionTriggerInput): Schema {
  const base = tableNameBase();
  if (input.tables.kind === 'list') {
    const choices = [...(input.unbound ? [UNBOUND_TABLE] : []), ...input.tables.tables];
    return {
      ...base,
      enum: choices,
      default: choices[0],
      description: `The logical name of the table the action is bound to, or ${UNBOUND_TABLE} for an unbound action.`,
    } as Schema;
  }
  return {
    ...base,
    default: UNBOUND_TABLE,
    description: `The logical name of the table the action is bound to (for example opportunity), or ${UNBOUND_TABLE} for an unbound action.`,
  } as Schema;
}

function actionProperty(actions: string[]): Schema {
  return {
    type: 'string',
    'x-ms-summary': 'Action name',
    'x-ms-visibility': 'important',
    description: 'The action whose successful calls start the flow, without namespace (for example WinOpportunity).',
    ...(actions.length ? { enum: actions } : {}),
  } as Schema;
}

/** The WhenAnActionIsPerformedSubscriptionRequest body, with the option values of reference §12.5. */
function subscriptionSchema(input: ActionTriggerInput): Schema {
  return {
    type: 'object',
    required: ['version', 'url', 'scope', 'entityname', 'sdkmessagename'],
    properties: {
      entityname: tableProperty(input),
      sdkmessagename: actionProperty(input.actions),
      runas: runAsProperty('calling user'),
      url: internal('string', 'Notification URL', 'The URL Dataverse posts each call of the action to; filled in by the platform.', { 'x-ms-notification-url': true }),
      version: internal('integer', 'Registration version', `Version of the callback registration; ${ACTION_CALLBACK_VERSION} for actions.`, {
        format: 'int32',
        default: ACTION_CALLBACK_VERSION,
      }),
      scope: internal('integer', 'Scope', 'Whose calls start the flow; 4, the organization.', { format: 'int32', default: 4 }),
      name: internal('string', 'Registration name', 'Name of the callback registration row.', { default: 'Action trigger' }),
    },
  };
}

/**
 * Adds the subscribe operation and returns its operationId, or undefined (with a warning) when the row trigger's
 * unsubscribe operation is missing (a typed connector of the callbackregistration table) or the path is taken.
 */
export function addActionTrigger(doc: OpenAPIV2.Document, input: ActionTriggerInput, warnings: GeneratorWarning[]): string | undefined {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const unsubscribe = paths[UNSUBSCRIBE_PATH]?.delete as { operationId?: string } | undefined;
  if (unsubscribe?.operationId !== UNSUBSCRIBE_OPERATION || paths[ACTION_TRIGGER_PATH]?.post) {
    warnings.push({
      code: 'SkippedOperation',
      message: `The action trigger is left out of '${doc.info.title}': it needs the row trigger's ${UNSUBSCRIBE_PATH} operation and a free ${ACTION_TRIGGER_PATH}.`,
      where: ACTION_TRIGGER_PATH,
    });
    return undefined;
  }
  addSubscribeOperation(doc, {
    path: ACTION_TRIGGER_PATH,
    operationId: ACTION_SUBSCRIBE_OPERATION,
    summary: ACTION_TRIGGER_SUMMARY,
    description: 'Starts the flow each time the chosen Dataverse action runs successfully, through a callback registration.',
    notificationDescription: 'The action that was performed.',
    notification: input.notification,
    subscription: subscriptionSchema(input),
  });
  return ACTION_SUBSCRIBE_OPERATION;
}

/** The operationIds of the action trigger a finished document holds (none when it has none). */
export function actionTriggerOperations(doc: OpenAPIV2.Document): string[] {
  return triggerOperations(doc, ACTION_TRIGGER_PATH, ACTION_SUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH);
}
