/** Shapes shared by the webhook modules: a committed row change or action, a registration, and the runtime options. */

export type MessageName = 'Create' | 'Update' | 'Delete';

export type { ActionPerformed, RowChange, WebhookEvent } from '../dataverse/context';

export interface ImageRegistration {
  kind: 'pre' | 'post';
  alias: string;
  /** Logical attribute names; empty = every column. */
  attributes: string[];
}

/** A webhook step (serviceendpoint + sdkmessageprocessingstep) or a callbackregistration, resolved from rows. */
export interface Registration {
  kind: 'step' | 'callback';
  /** The step id or the callbackregistration id (the context's OwningExtension). */
  id: string;
  messages: MessageName[];
  /**
   * Lower-case name of the action a version 3 callback registration or a step on the action's sdkmessage
   * watches ("When an action is performed"); then `messages` is empty and `entity` is the table of a bound
   * action, undefined meaning unbound calls only.
   */
  action?: string;
  /** An action step without a message filter: every call of the action, bound or not. */
  anyBinding?: boolean;
  /** Table logical name, or undefined for every table (a step without a message filter). */
  entity?: string;
  stage: number;
  mode: 0 | 1;
  rank: number;
  filteringAttributes: string[];
  filterExpression?: string;
  images: ImageRegistration[];
  url: string;
  authtype?: number;
  authvalue?: string | null;
}

export interface WebhookOptions {
  /** PEM certificates trusted for https callbacks; default: the emulator's own CA. */
  trustedCaPem?: string[];
  /** Allow http:// callbacks on loopback (default true: a local receiver needs no certificate). */
  allowHttp?: boolean;
  /** Per-attempt timeout; Dataverse waits 60 s. */
  timeoutMs?: number;
  /** Pause before the one retry on 502/503/504. */
  retryDelayMs?: number;
  /** Async deliveries waiting beyond this are dropped (and logged as failed), so a dead receiver cannot grow memory. */
  maxQueue?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /**
   * Body posted to callbackregistrations: `row` (default) the flattened, entity-typed row with `SdkMessage` that the
   * first-party trigger receives (reference §12.5, callback-payload.ts), which is what a generated connector's
   * trigger declares; `context` a RemoteExecutionContext like a webhook step gets. Action registrations
   * (version 3) get the flattened action event of action-payload.ts, or with `context` a RemoteExecutionContext.
   */
  callbackPayload?: 'context' | 'row';
}

export interface DeliveryRecord {
  registrationId: string;
  kind: Registration['kind'];
  /** Create, Update, Delete, or the name of the action performed. */
  message: string;
  /** Table logical name; `none` for an unbound action. */
  entity: string;
  /** Absent for an action not performed on one row. */
  rowId?: string;
  mode: 0 | 1;
  /** The callback URL without its query string (keys and codes stay out of logs). */
  url: string;
  outcome: 'succeeded' | 'failed' | 'dropped';
  attempts: number;
  status?: number;
  error?: string;
  sizeExceeded: boolean;
}
