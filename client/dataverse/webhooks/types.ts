/** Option and result shapes of webhook registration (serviceendpoint + steps + images) and callbackregistrations. */

export type WebhookEvent = 'create' | 'update' | 'delete';

/** How Dataverse authenticates to the receiver (reference §12.3); the secrets are write-only on the service. */
export type WebhookAuth =
  /** Sent as `?code=<value>`. */
  | { kind: 'webhookKey'; value: string }
  /** Sent as request headers. */
  | { kind: 'httpHeader'; headers: Record<string, string> }
  /** Sent as query string parameters. */
  | { kind: 'httpQueryString'; params: Record<string, string> };

export type ImageColumns = string[] | 'all';

export interface RegisterWebhookOptions {
  /** Together with url, the identity of the registration: a second call with both the same updates it. */
  name: string;
  url: string;
  /** Table logical name, e.g. `account`. */
  table: string;
  events: WebhookEvent[];
  /** Update only: the step fires only when one of these columns is in the update. */
  filteringColumns?: string[];
  auth: WebhookAuth;
  /** Entity images: pre (Update, Delete) and post (Create, Update); `all` = every column. */
  images?: { pre?: ImageColumns; post?: ImageColumns };
  /** `async` (default): after the operation, through the async service; `sync`: the write waits and fails with the hook. */
  mode?: 'async' | 'sync';
}

export interface WebhookRegistration {
  serviceEndpointId: string;
  stepIds: Partial<Record<WebhookEvent, string>>;
  imageIds: Partial<Record<WebhookEvent, { pre?: string; post?: string }>>;
}

export type UnregisterWebhookTarget = { name: string; url: string } | { serviceEndpointId: string };

export interface UnregisterResult {
  /** Ids of the rows deleted by this call (empty when everything was already gone). */
  serviceEndpointIds: string[];
  stepIds: string[];
  imageIds: string[];
}

export type CallbackScope = 'user' | 'businessUnit' | 'parentChildBusinessUnit' | 'organization';
export type CallbackRunAs = 'modifyingUser' | 'rowOwner' | 'flowOwner';

export interface RegisterCallbackOptions {
  name: string;
  url: string;
  /** Table logical name (`entityname`). */
  table: string;
  /** Mapped to callbackregistration.message (1 Added … 7 Added or Modified or Deleted). */
  events: WebhookEvent[];
  /** Default `organization`. */
  scope?: CallbackScope;
  /** Update only (`filteringattributes`). */
  filteringColumns?: string[];
  /** OData filter on the row, e.g. `statecode eq 0`. */
  filterExpression?: string;
  runAs?: CallbackRunAs;
}

export interface CallbackRegistration {
  callbackRegistrationId: string;
}

export type UnregisterCallbackTarget = { name: string; url: string } | { callbackRegistrationId: string };
