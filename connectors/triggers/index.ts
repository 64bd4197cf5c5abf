/**
 * Webhook triggers of the Dataverse connectors. Pure: each function takes a document being built and adds to it.
 *
 * Generated: "When a row is added, modified or deleted" (row-trigger.ts), with the script.csx part that gives its
 * subscribe response a Location (location-script.ts).
 * Not generated: "When an action is performed". Microsoft's trigger registers a callback with an sdkmessagename
 * from the environment's catalog of business events (custom APIs, actions); the emulator delivers callbacks for
 * Create, Update and Delete only, so such a trigger could not be shown to work (RUNBOOK section 7 says so).
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { EntitySet } from '../../client/metadata/model';
import type { GeneratorWarning } from '../types';
import { addScriptParts } from '../script';
import { dynamicNotificationSchema, typedNotificationSchema } from './notification-schema';
import { locationScriptPart } from './location-script';
import { addRowTrigger, type RowTriggerInput } from './row-trigger';

export { ENTITY_ID_HEADER, LOCATION_HEADER, LOCATION_METHOD, locationScriptPart, subscriptionLocation } from './location-script';
export { CALLBACK_PATH, ROW_TRIGGER_SUMMARY, rowTriggerOperations, SUBSCRIBE_OPERATION, UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from './row-trigger';
export { triggerRunbookLines } from './runbook';

/** Dynamic style: any table, named by its logical name; rows as open objects. */
export function addDynamicTriggers(doc: OpenAPIV2.Document, warnings: GeneratorWarning[]): void {
  addTrigger(doc, { choice: { kind: 'any' }, notification: dynamicNotificationSchema() }, warnings);
}

/**
 * Typed style: one trigger for the tables of the document, its notification typed from their row definitions.
 * The row definition of a table is the one its List operation returns.
 */
export function addTypedTriggers(doc: OpenAPIV2.Document, sets: EntitySet[], warnings: GeneratorWarning[]): void {
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
  addTrigger(doc, { choice: { kind: 'list', tables: rows.map((r) => r.table) }, notification: typedNotificationSchema(rows) }, warnings);
}

/** The trigger and, beside the document, the script part its subscribe operation needs. */
function addTrigger(doc: OpenAPIV2.Document, input: RowTriggerInput, warnings: GeneratorWarning[]): void {
  const subscribe = addRowTrigger(doc, input, warnings);
  if (subscribe) addScriptParts(doc, [locationScriptPart([subscribe])]);
}

/** Dataverse names entity types by the table's logical name. */
function logicalName(set: EntitySet): string {
  return set.entityType.slice(set.entityType.lastIndexOf('.') + 1);
}
