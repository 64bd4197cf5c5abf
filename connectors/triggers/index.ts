/**
 * Webhook triggers of the Dataverse connectors. Pure: each function takes a document being built and adds to it.
 *
 * Generated: "When a row is added, modified or deleted" (row-trigger.ts) and, when the metadata declares actions,
 * "When an action is performed" (action-trigger.ts), which shares the row trigger's unsubscribe operation; one
 * script.csx part gives both subscribe responses a Location (location-script.ts).
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, EntitySet } from '../../client/metadata/model';
import { actionNames, performableActions } from '../dynamic/actions';
import type { GeneratorWarning } from '../types';
import { addScriptParts } from '../script';
import { addActionTrigger, type ActionTriggerInput } from './action-trigger';
import { actionInputProperties, actionNotificationSchema, dynamicNotificationSchema, typedNotificationSchema } from './notification-schema';
import { locationScriptPart } from './location-script';
import { addRowTrigger, type RowTriggerInput } from './row-trigger';

export { ENTITY_ID_HEADER, LOCATION_HEADER, LOCATION_METHOD, locationScriptPart, subscriptionLocation } from './location-script';
export { CALLBACK_PATH, ROW_TRIGGER_SUMMARY, rowTriggerOperations, SUBSCRIBE_OPERATION, UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from './row-trigger';
export { triggerRunbookLines } from './runbook';
export {
  ACTION_CALLBACK_VERSION, ACTION_SUBSCRIBE_OPERATION, ACTION_TRIGGER_PATH, ACTION_TRIGGER_SUMMARY, actionTriggerOperations, UNBOUND_TABLE,
} from './action-trigger';

/** Dynamic style: any table, named by its logical name; rows as open objects; every action the model declares. */
export function addDynamicTriggers(doc: OpenAPIV2.Document, warnings: GeneratorWarning[], model?: CsdlModel): void {
  const { bound, unbound } = model ? performableActions(model) : { bound: [], unbound: [] };
  const actions = bound.length || unbound.length
    ? { tables: { kind: 'any' } as const, unbound: unbound.length > 0, actions: actionNames(warnings, [...bound, ...unbound], 'bound and unbound'), notification: actionNotificationSchema() }
    : undefined;
  addTriggers(doc, { choice: { kind: 'any' }, notification: dynamicNotificationSchema() }, actions, warnings);
}

/**
 * Typed style: one trigger for the tables of the document, its notification typed from their row definitions.
 * The row definition of a table is the one its List operation returns. The action trigger offers the actions
 * bound to those tables and the unbound ones, its input parameters typed from theirs.
 */
export function addTypedTriggers(doc: OpenAPIV2.Document, sets: EntitySet[], warnings: GeneratorWarning[], model?: CsdlModel): void {
  const rows: Array<{ table: string; schema: OpenAPIV2.SchemaObject }> = [];
  for (const set of sets) {
    const list = (doc.paths[`/${set.name}`] as OpenAPIV2.PathItemObject | undefined)?.get;
    const ok = list?.responses?.[200] as OpenAPIV2.ResponseObject | undefined;
    const items = ((ok?.schema as OpenAPIV2.SchemaObject | undefined)?.properties?.value as OpenAPIV2.SchemaObject | undefined)?.items as OpenAPIV2.ReferenceObject | undefined;
    const name = items?.$ref?.replace(/^#\/definitions\//, '');
    const schema = name ? (doc.definitions?.[name] as OpenAPIV2.SchemaObject | undefined) : undefined;
    if (schema) rows.push({ table: logicalName(set), schema });
  }
  if (!rows.length) return;
  addTriggers(doc, { choice: { kind: 'list', tables: rows.map((r) => r.table) }, notification: typedNotificationSchema(rows) }, typedActions(sets, model, warnings), warnings);
}

function typedActions(sets: EntitySet[], model: CsdlModel | undefined, warnings: GeneratorWarning[]): ActionTriggerInput | undefined {
  if (!model) return undefined;
  const { bound, unbound } = performableActions(model);
  const types = new Map(sets.map((s) => [s.entityType, logicalName(s)]));
  const mine = bound.filter((a) => types.has(a.parameters[0].type));
  if (!mine.length && !unbound.length) return undefined;
  const tables = [...new Set(mine.map((a) => types.get(a.parameters[0].type)!))].sort();
  return {
    tables: { kind: 'list', tables },
    unbound: unbound.length > 0,
    actions: actionNames(warnings, [...mine, ...unbound], 'bound and unbound'),
    notification: actionNotificationSchema(actionInputProperties(model, [...mine, ...unbound])),
  };
}

/** The triggers and, beside the document, the script part their subscribe operations need. */
function addTriggers(doc: OpenAPIV2.Document, rows: RowTriggerInput, actions: ActionTriggerInput | undefined, warnings: GeneratorWarning[]): void {
  const subscribe = addRowTrigger(doc, rows, warnings);
  if (!subscribe) return;
  const actionSubscribe = actions ? addActionTrigger(doc, actions, warnings) : undefined;
  addScriptParts(doc, [locationScriptPart([subscribe, ...(actionSubscribe ? [actionSubscribe] : [])])]);
}

/** Dataverse names entity types by the table's logical name. */
function logicalName(set: EntitySet): string {
  return set.entityType.slice(set.entityType.lastIndexOf('.') + 1);
}
