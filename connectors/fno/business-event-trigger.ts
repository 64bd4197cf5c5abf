/**
 * "When a business event occurs": a webhook trigger on F&O business events over an HTTPS endpoint.
 *
 * Real F&O: the first-party connector subscribes through an undocumented service (reference §6.5); what is
 * documented is the catalog (BusinessEventsCatalogs), activation per legal entity and endpoints. This trigger
 * writes those through the entity sets BusinessEventsEndpoints and BusinessEventsConfigurations, which third-party
 * material names but Microsoft does not document (reference §6.2: unverified); the runbook says so and gives the
 * manual setup for environments where they are absent or where HTTPS endpoints need the Key Vault secret.
 * - Subscribe: POST /BusinessEventsEndpoints (x-ms-trigger single) with {BusinessEventId, LegalEntity,
 *   NotificationUrl}; the script part (business-event-script.ts) creates the endpoint and the activation and sets
 *   Location to the endpoint's connector URL.
 * - Unsubscribe: internal DELETE /BusinessEventsEndpoints('{endpointName}'), through the script as well.
 * - Dropdowns: business events from BusinessEventsCatalogs, legal entities from LegalEntities.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { OperationIds } from '../names';
import { addScriptParts } from '../script';
import { businessEventScriptParts } from './business-event-script';
import { businessEventEnvelopeSchema } from './business-event-schema';
import { addFnoOperation } from './operations';
import { fnoParameter } from './parameters';

export const BUSINESS_EVENT_TRIGGER_SUMMARY = 'When a business event occurs';
export const SUBSCRIBE_BUSINESS_EVENT = 'SubscribeBusinessEvent';
export const UNSUBSCRIBE_BUSINESS_EVENT = 'UnsubscribeBusinessEvent';
export const ENDPOINTS_PATH = '/BusinessEventsEndpoints';
export const ENDPOINT_PATH = "/BusinessEventsEndpoints('{endpointName}')";
const SUBSCRIPTION = 'BusinessEventSubscription';
const EVENT = 'BusinessEvent';

/** The operation that lists an entity set for a dropdown, and the parameters it needs to list that set. */
interface Lookup {
  operationId: string;
  parameters: Record<string, unknown>;
}

/**
 * A GET on the set: the document's own list operation of that set (typed), the generic one with the set as a
 * constant (dynamic), or a new internal one.
 */
function lookupFor(doc: OpenAPIV2.Document, ids: OperationIds, set: string, select: string, title: string): Lookup {
  const own = (doc.paths[`/${set}`] as OpenAPIV2.PathItemObject | undefined)?.get?.operationId;
  if (own) return { operationId: own, parameters: {} };
  const generic = (doc.paths['/{entityset}'] as OpenAPIV2.PathItemObject | undefined)?.get?.operationId;
  if (generic) return { operationId: generic, parameters: { entityset: set, $select: select } };
  const operationId = addFnoOperation(doc, ids, {
    path: `/${set}`,
    method: 'get',
    id: `Get${set}`,
    title,
    description: `Lists ${set} for the trigger's dropdown`,
    visibility: 'internal',
    parameters: [{ name: '$select', in: 'query', required: true, type: 'string', default: select, 'x-ms-visibility': 'internal', 'x-ms-summary': 'Select', description: 'The fields the dropdown shows.' }],
    responses: { 200: { description: `The ${set}.`, schema: { type: 'object', properties: { value: { type: 'array', items: { type: 'object' } } } } } },
  });
  return { operationId, parameters: {} };
}

function dropdown(lookup: Lookup, value: string, title: string): Record<string, unknown> {
  return {
    'x-ms-dynamic-values': { operationId: lookup.operationId, parameters: lookup.parameters, 'value-collection': 'value', 'value-path': value, 'value-title': title },
  };
}

export function addBusinessEventTrigger(doc: OpenAPIV2.Document, ids: OperationIds): void {
  const events = lookupFor(doc, ids, 'BusinessEventsCatalogs', 'BusinessEventId,Name', 'Get business events');
  const companies = lookupFor(doc, ids, 'LegalEntities', 'LegalEntityId,Name', 'Get legal entities');
  doc.definitions![SUBSCRIPTION] = {
    type: 'object',
    required: ['BusinessEventId', 'NotificationUrl'],
    properties: {
      BusinessEventId: {
        type: 'string',
        'x-ms-summary': 'Business event',
        description: 'The business event to receive, by its id in the catalog (System administration > Setup > Business events).',
        'x-ms-visibility': 'important',
        ...dropdown(events, 'BusinessEventId', 'Name'),
      },
      LegalEntity: {
        type: 'string',
        'x-ms-summary': 'Legal entity',
        description: 'The legal entity (dataAreaId) whose events to receive; empty for every legal entity.',
        'x-ms-visibility': 'advanced',
        default: '',
        ...dropdown(companies, 'LegalEntityId', 'Name'),
      },
      NotificationUrl: {
        type: 'string',
        'x-ms-notification-url': true,
        'x-ms-visibility': 'internal',
        'x-ms-summary': 'Notification URL',
        description: "The flow's callback URL, filled in by the platform.",
      },
    } as Record<string, OpenAPIV2.SchemaObject>,
  };
  doc.definitions![EVENT] = businessEventEnvelopeSchema();
  const subscribe = addFnoOperation(doc, ids, {
    path: ENDPOINTS_PATH,
    method: 'post',
    id: SUBSCRIBE_BUSINESS_EVENT,
    title: BUSINESS_EVENT_TRIGGER_SUMMARY,
    description: 'Starts the flow each time the chosen business event happens in Finance and Operations, in one legal entity or all of them',
    visibility: 'important',
    parameters: [fnoParameter('subscription', 'body', 'Subscription', 'The business event to receive and where to send it', { required: true, schema: { $ref: `#/definitions/${SUBSCRIPTION}` } })],
    responses: { 201: { description: 'The subscription was created; Location names it.', schema: { type: 'object' } } },
    extra: { 'x-ms-trigger': 'single', 'x-ms-trigger-hint': 'To see it work, make the chosen business event happen in Finance and Operations.' },
  });
  (doc.paths[ENDPOINTS_PATH] as Record<string, unknown>)['x-ms-notification-content'] = {
    description: 'The business event.',
    schema: { $ref: `#/definitions/${EVENT}` },
  };
  const unsubscribe = addFnoOperation(doc, ids, {
    path: ENDPOINT_PATH,
    method: 'delete',
    id: UNSUBSCRIBE_BUSINESS_EVENT,
    title: 'Delete a business event subscription',
    description: 'Deactivates the business event for the endpoint the trigger created and deletes the endpoint',
    visibility: 'internal',
    parameters: [fnoParameter('endpointName', 'path', 'Endpoint name', 'The name of the endpoint the subscription created', { type: 'string' })],
    responses: { 204: { description: 'The subscription was deleted.' } },
  });
  addScriptParts(doc, businessEventScriptParts(subscribe, unsubscribe));
}

/** operationIds of the business event trigger in a document (empty when it has none). */
export function businessEventTriggerOperations(doc: OpenAPIV2.Document): string[] {
  const op = (doc.paths?.[ENDPOINTS_PATH] as OpenAPIV2.PathItemObject | undefined)?.post as (OpenAPIV2.OperationObject & Record<string, unknown>) | undefined;
  return op && op['x-ms-trigger'] ? [op.operationId!] : [];
}
