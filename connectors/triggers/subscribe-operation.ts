/**
 * What the row and action triggers build alike: both POST a Dataverse callback registration from a
 * subscriptionRequest body, answer 204 + OData-EntityId (location-script.ts adds the Location), carry their
 * notification schema on the subscribe path, and are unsubscribed by the row trigger's internal DELETE.
 */
import type { OpenAPIV2 } from 'openapi-types';

type Schema = OpenAPIV2.SchemaObject;

export const ODATA_HEADERS = [{ $ref: '#/parameters/ODataVersion' }, { $ref: '#/parameters/ODataMaxVersion' }];

/** A body property the maker never sees: the platform fills it in, or its default is sent. */
export function internalProperty(type: string, title: string, description: string, extra: Record<string, unknown> = {}): Schema {
  return { type, 'x-ms-summary': title, description, 'x-ms-visibility': 'internal', ...extra } as Schema;
}

/** The `runas` option of a callback registration; `caller` names whose call or change starts the flow. */
export function runAsProperty(caller: string): Schema {
  return {
    type: 'integer',
    format: 'int32',
    enum: [1, 2, 3],
    'x-ms-summary': 'Run as',
    'x-ms-visibility': 'advanced',
    description: `Whose identity later steps may use: 1 the ${caller}, 2 the row owner, 3 the flow owner.`,
  } as Schema;
}

/** The table-name property both triggers start from. */
export function tableNameBase(): Record<string, unknown> {
  return { type: 'string', 'x-ms-summary': 'Table name', 'x-ms-visibility': 'important' };
}

export interface SubscribeOperation {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  /** What each notification is, for x-ms-notification-content. */
  notificationDescription: string;
  notification: Schema;
  subscription: Schema;
}

/** Puts the webhook subscribe operation and its notification content on its path, keeping what else the path holds. */
export function addSubscribeOperation(doc: OpenAPIV2.Document, op: SubscribeOperation): void {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  paths[op.path] = {
    ...(paths[op.path] ?? {}),
    'x-ms-notification-content': { description: op.notificationDescription, schema: op.notification },
    post: {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      'x-ms-trigger': 'single',
      'x-ms-visibility': 'important',
      parameters: [
        { name: 'subscriptionRequest', in: 'body', required: true, 'x-ms-summary': 'Subscription', description: 'The callback registration to create.', schema: op.subscription },
        ...ODATA_HEADERS,
      ],
      responses: {
        201: { description: 'Subscribed.', headers: { Location: { type: 'string', description: 'The URL that removes the subscription.' } } },
        204: { description: 'Subscribed; the connector script adds the Location header.' },
        default: { description: 'Operation failed.' },
      },
    },
  };
}

/**
 * `[operationId]` when a finished document holds that trigger (its subscribe operation at `path` and the DELETE at
 * `unsubscribePath` that removes it), else none.
 */
export function triggerOperations(doc: OpenAPIV2.Document, path: string, operationId: string, unsubscribePath: string): string[] {
  const subscribe = (doc.paths?.[path] as OpenAPIV2.PathItemObject | undefined)?.post as Record<string, unknown> | undefined;
  const unsubscribe = (doc.paths?.[unsubscribePath] as OpenAPIV2.PathItemObject | undefined)?.delete;
  return subscribe?.['x-ms-trigger'] && subscribe.operationId === operationId && unsubscribe ? [operationId] : [];
}
