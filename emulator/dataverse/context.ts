/** What every Dataverse handler shares: the schema, the rows, the service root and the caller. */
import type { EmulatorRequest } from '../http/types';
import type { TableStore } from '../store/table-store';
import type { Preferences } from './prefer';
import type { Row } from '../store/table-store';
import type { DataverseSchema, Table } from './schema';

/** A committed-or-not row change as the writer reports it (see emulator/webhooks/). */
export interface RowChange {
  message: 'Create' | 'Update' | 'Delete';
  table: string;
  id: string;
  pre?: Row;
  post?: Row;
  /** Column names the request set (Update filtering attributes). */
  changed: string[];
  userId: string;
  /** 1 for the request's own write, more for cascaded ones. */
  depth: number;
}

/** An action that ran successfully (callback registrations of version 3 fire on it; see emulator/webhooks/). */
export interface ActionPerformed {
  /** The action's unqualified name, e.g. WinOpportunity. */
  action: string;
  /** Logical name of the table a bound action ran on; absent when unbound. */
  table?: string;
  /** The row a bound action ran on; absent when unbound or bound to the collection. */
  id?: string;
  /** The parameters as the request sent them, without the binding parameter. */
  input: Record<string, unknown>;
  /** The response body without its OData annotations (empty for 204). */
  output: Record<string, unknown>;
  /** Declared type of each parameter (Edm.* or a qualified entity type), by name. */
  parameterTypes: Record<string, string>;
  userId: string;
  depth: number;
}

/** What the webhook dispatcher is told about: row changes and performed actions. */
export type WebhookEvent = RowChange | ActionPerformed;

/** What writes tell the webhook dispatcher; implemented in emulator/webhooks/index.ts. */
export interface WriteHooks {
  /** Checks a registration row (loopback url, filters) before it is stored. */
  validate(table: Table, row: Row): void;
  beforeDelete(table: Table, id: string): void;
  record(event: WebhookEvent): void;
  /** A request (or batch part outside a change set) ended: keep its changes when it succeeded. */
  settle(committed: boolean): void;
  beginChangeSet(): void;
  endChangeSet(committed: boolean): void;
  /** Runs a request with its own change buffer; returns the committed changes. */
  capture<T>(fn: () => Promise<T>): Promise<{ result: T; changes: WebhookEvent[] }>;
  /** Delivers: sync steps awaited (their failure returned), async ones queued. */
  dispatch(changes: WebhookEvent[]): Promise<Error | undefined>;
}

export interface DataverseService {
  schema: DataverseSchema;
  store: TableStore;
  /** `https://127.0.0.1:PORT/api/data/v9.2/` */
  serviceRoot: string;
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  now(): Date;
  /** Runs after a write has been applied and before it is acknowledged (durability, events). */
  afterWrite(): Promise<void>;
  /** Webhook dispatch; absent when the emulator runs without it. */
  webhooks?: WriteHooks;
}

export interface CallContext {
  service: DataverseService;
  req: EmulatorRequest;
  prefs: Preferences;
  /** systemuserid of the caller (the application user or the signed-in user). */
  userId: string;
  /** Query string, also the source of parameter aliases (@p1). */
  query: URLSearchParams;
}
