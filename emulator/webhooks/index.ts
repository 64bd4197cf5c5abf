/**
 * Webhooks as Dataverse runs them: registrations are rows (registrations.ts); writes report row changes here;
 * changes are held per request (AsyncLocalStorage, so concurrent requests never mix) until their store
 * transaction commits, dropped when it rolls back, and after the request's writes are durable each change is
 * matched (matcher.ts), turned into a RemoteExecutionContext (execution-context.ts) and POSTed (delivery.ts):
 * synchronous steps before the client is answered (a failure fails the request), asynchronous ones afterwards
 * through a bounded queue (queue.ts). Actions that succeed are reported the same way and reach the version 3
 * callback registrations on them (action-registrations.ts, action-payload.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { DataverseService, WriteHooks } from '../dataverse/context';
import { DataverseError } from '../dataverse/errors';
import type { Table } from '../dataverse/schema';
import type { Row } from '../store/table-store';
import { buildActionContext, buildActionPayload } from './action-payload';
import { buildCallbackPayload } from './callback-payload';
import { deliver, DeliverySettings } from './delivery';
import { buildExecutionContext, serializeContext } from './execution-context';
import { isAction, matches } from './matcher';
import { DeliveryQueue } from './queue';
import { checkEndpointUnused, loadRegistrations, validateRegistrationRow } from './registrations';
import type { DeliveryRecord, Registration, WebhookEvent, WebhookOptions } from './types';

export type { DeliveryRecord, WebhookOptions } from './types';
export { seedSdkMessages } from './seed';

interface Scope {
  pending: WebhookEvent[];
  committed: WebhookEvent[];
  changeSetDepth: number;
}

export interface WebhookRuntime {
  /** Resolves when no delivery is running or queued. */
  idle(): Promise<void>;
  /** The most recent deliveries (bounded), oldest first. */
  deliveries(): DeliveryRecord[];
  /** Highest number of deliveries in flight at once so far. */
  peakConcurrency(): number;
  /** Aborts deliveries in flight (emulator stop). */
  close(): void;
}

const LOG_LIMIT = 500;

export function createWebhooks(service: DataverseService, options: WebhookOptions & { emulatorCaPem: string }): { hooks: WriteHooks; runtime: WebhookRuntime } {
  const settings: DeliverySettings = {
    trustedCaPem: options.trustedCaPem ?? [options.emulatorCaPem],
    allowHttp: options.allowHttp ?? true,
    timeoutMs: options.timeoutMs ?? 60_000,
    retryDelayMs: options.retryDelayMs ?? 1_000,
  };
  const callbackPayload = options.callbackPayload ?? 'row';
  const queue = new DeliveryQueue(options.concurrency ?? 4, options.maxQueue ?? 1_000);
  const scopes = new AsyncLocalStorage<Scope>();
  const log: DeliveryRecord[] = [];
  const abort = new AbortController();

  /** What the log and the x-ms-dynamics-* headers name: the message, the table ('none' when unbound) and the row. */
  const describe = (event: WebhookEvent) =>
    isAction(event) ? { message: event.action, entity: event.table ?? 'none', rowId: event.id } : { message: event.message, entity: event.table, rowId: event.id };

  const record = (reg: Registration, event: WebhookEvent, outcome: DeliveryRecord['outcome'], extra: Partial<DeliveryRecord>) => {
    const url = new URL(reg.url);
    log.push({
      registrationId: reg.id, kind: reg.kind, ...describe(event), mode: reg.mode,
      url: `${url.origin}${url.pathname}`, outcome, attempts: 0, sizeExceeded: false, ...extra,
    });
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
  };

  const payload = (reg: Registration, event: WebhookEvent, correlationId: string): { body: Buffer; sizeExceeded: boolean } => {
    const operationCreatedOn = service.now();
    const flattened = reg.kind === 'callback' && callbackPayload === 'row';
    if (isAction(event)) {
      const input = { service, event, registration: reg, correlationId, operationCreatedOn };
      return flattened ? { body: Buffer.from(JSON.stringify(buildActionPayload(input)), 'utf8'), sizeExceeded: false } : serializeContext(buildActionContext(input));
    }
    return flattened
      ? { body: Buffer.from(JSON.stringify(buildCallbackPayload(service, event)), 'utf8'), sizeExceeded: false }
      : serializeContext(buildExecutionContext({ service, change: event, registration: reg, correlationId, operationCreatedOn }));
  };

  const send = async (reg: Registration, event: WebhookEvent, correlationId: string) => {
    const { body, sizeExceeded } = payload(reg, event, correlationId);
    const { message, entity } = describe(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-ms-dynamics-organization': new URL(service.serviceRoot || 'https://127.0.0.1/').host,
      'x-ms-dynamics-entity-name': entity,
      'x-ms-dynamics-request-name': message,
      'x-ms-correlation-request-id': correlationId,
    };
    if (sizeExceeded) headers['x-ms-dynamics-msg-size-exceeded'] = 'true';
    const result = await deliver(reg, headers, body, settings, abort.signal);
    record(reg, event, result.ok ? 'succeeded' : 'failed', { attempts: result.attempts, status: result.status, error: result.error, sizeExceeded });
    return result;
  };

  const hooks: WriteHooks = {
    validate: (table: Table, row: Row) => validateRegistrationRow(service, table, row, settings.allowHttp),
    beforeDelete: (table: Table, id: string) => checkEndpointUnused(service, table, id),
    record: (change) => scopes.getStore()?.pending.push(change),
    settle: (committed) => {
      const scope = scopes.getStore();
      if (!scope || scope.changeSetDepth > 0) return;
      if (committed) scope.committed.push(...scope.pending);
      scope.pending = [];
    },
    beginChangeSet: () => {
      const scope = scopes.getStore();
      if (scope) scope.changeSetDepth++;
    },
    endChangeSet: (committed) => {
      const scope = scopes.getStore();
      if (!scope) return;
      scope.changeSetDepth--;
      if (committed) scope.committed.push(...scope.pending);
      scope.pending = [];
    },
    capture: async (fn) => {
      const scope: Scope = { pending: [], committed: [], changeSetDepth: 0 };
      const result = await scopes.run(scope, fn);
      return { result, changes: scope.committed };
    },
    dispatch: async (changes) => {
      if (changes.length === 0) return undefined;
      const registrations = loadRegistrations(service);
      if (registrations.length === 0) return undefined;
      const correlationId = randomUUID();
      let failure: DataverseError | undefined;
      for (const change of changes) {
        for (const reg of registrations) {
          if (!matches(service, reg, change)) continue;
          if (reg.mode === 0) {
            if (failure) continue;
            const result = await queue.runNow(() => send(reg, change, correlationId));
            // Inference: the platform reports a failed synchronous webhook like a failed plug-in (ISV aborted).
            if (!result.ok) {
              const { message, entity, rowId } = describe(change);
              failure = new DataverseError(
                400,
                '0x80040265',
                `The synchronous webhook step ${reg.id} failed for ${message} of ${entity}${rowId ? ` ${rowId}` : ''}: ` +
                  `${result.status !== undefined ? `HTTP ${result.status}` : result.error}.`,
              );
            }
          } else if (!queue.enqueue(async () => void (await send(reg, change, correlationId)))) {
            record(reg, change, 'dropped', { error: 'the webhook queue is full' });
          }
        }
      }
      return failure;
    },
  };

  const runtime: WebhookRuntime = {
    idle: () => queue.idle(),
    deliveries: () => [...log],
    peakConcurrency: () => queue.peakActive,
    close: () => abort.abort(),
  };
  return { hooks, runtime };
}
