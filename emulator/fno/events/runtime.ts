/**
 * Business events of the F&O emulator: events are raised by row changes that match a trigger (triggers.ts), by
 * raise(), and go to every endpoint assigned to the event for its legal entity, through a bounded queue (a slow or
 * dead receiver cannot hold unbounded memory or sockets). Failed deliveries stay in an error log with their
 * payload and can be resent, as on F&O's business event error page.
 */
import { FnoError, type FnoChange, type FnoService } from '../context';
import { DeliveryQueue } from '../../webhooks/queue';
import { actingUser } from './acting-user';
import { deliverEvent, type EventDeliverySettings } from './delivery';
import { EventSubscriptions } from './endpoints';
import { buildEnvelope, ControlNumbers } from './envelope';
import { EVENT_TRIGGERS, type EventTrigger } from './triggers';

export interface BusinessEventOptions {
  /** PEM certificates trusted for https endpoints (default: Node's trust store; see trust()). */
  trustedCaPem?: string[];
  /** Allow http:// endpoints on loopback (default true: a local receiver needs no certificate). */
  allowHttp?: boolean;
  timeoutMs?: number;
  /** Retries after a failed attempt (F&O: 3). */
  retries?: number;
  /** Pause between attempts (F&O: 1 s). */
  retryDelayMs?: number;
  concurrency?: number;
  maxQueue?: number;
  triggers?: EventTrigger[];
}

export interface EventDeliveryRecord {
  eventId: string;
  controlNumber: number;
  businessEventId: string;
  legalEntity: string;
  endpointName: string;
  outcome: 'succeeded' | 'failed' | 'dropped';
  attempts: number;
  status?: number;
  error?: string;
}

export interface EventFailure extends EventDeliveryRecord {
  /** The payload as sent ("Download payload" on F&O's error page). */
  payload: string;
}

const LOG_LIMIT = 1_000;
const CATALOG = 'BusinessEventsCatalogs';

export class BusinessEvents {
  readonly subscriptions: EventSubscriptions;
  private readonly settings: EventDeliverySettings;
  private readonly queue: DeliveryQueue;
  private readonly controlNumbers = new ControlNumbers();
  private readonly abort = new AbortController();
  private readonly log: EventDeliveryRecord[] = [];
  private readonly failuresLog: EventFailure[] = [];
  private readonly unsubscribe: () => void;
  private readonly triggers: EventTrigger[];

  constructor(readonly service: FnoService, options: BusinessEventOptions = {}) {
    this.settings = {
      trustedCaPem: [...(options.trustedCaPem ?? [])],
      allowHttp: options.allowHttp ?? true,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 1_000,
    };
    this.subscriptions = new EventSubscriptions(this.settings.allowHttp);
    this.queue = new DeliveryQueue(options.concurrency ?? 4, options.maxQueue ?? 1_000);
    this.triggers = options.triggers ?? EVENT_TRIGGERS;
    this.unsubscribe = service.store.onChange((change) => this.onChange(change));
  }

  /** Changes delivery timing (timeout, retries, pause between attempts) for deliveries started from now on. */
  configure(options: Pick<BusinessEventOptions, 'timeoutMs' | 'retries' | 'retryDelayMs'>): void {
    if (options.timeoutMs !== undefined) this.settings.timeoutMs = options.timeoutMs;
    if (options.retries !== undefined) this.settings.retries = options.retries;
    if (options.retryDelayMs !== undefined) this.settings.retryDelayMs = options.retryDelayMs;
  }

  /** Trusts a CA for https endpoints (e.g. the emulator's own, to reach receivers with certificates it issued). */
  trust(caPem: string): void {
    this.settings.trustedCaPem.push(caPem);
  }

  /** The catalog row of an event, or undefined. */
  catalogEntry(businessEventId: string): Record<string, unknown> | undefined {
    if (!this.service.entitySet(CATALOG)) return undefined;
    return this.service.store.get(CATALOG, { BusinessEventId: businessEventId })?.row;
  }

  /**
   * Raises an event for a legal entity: one payload (one EventId and ControlNumber) sent to each endpoint assigned
   * to it. Returns the payload, or undefined when the event is not active for that legal entity.
   */
  raise(businessEventId: string, legalEntity: string, fields: Record<string, unknown> = {}, userId = actingUser()): Record<string, unknown> | undefined {
    if (!this.catalogEntry(businessEventId)) throw new FnoError(400, `The business event '${businessEventId}' is not in the catalog.`);
    const targets = this.subscriptions.targets(businessEventId, legalEntity);
    if (targets.length === 0) return undefined;
    const payload = buildEnvelope({
      businessEventId,
      legalEntity,
      controlNumber: this.controlNumbers.next(),
      time: this.service.now(),
      userId,
      majorVersion: 1,
      minorVersion: 0,
      fields,
    });
    const body = Buffer.from(JSON.stringify(payload));
    for (const endpoint of targets) {
      const base = { eventId: String(payload.EventId), controlNumber: Number(payload.ControlNumber), businessEventId, legalEntity: legalEntity.toUpperCase(), endpointName: endpoint.name };
      const queued = this.queue.enqueue(async () => {
        const result = await deliverEvent(endpoint.url, body, this.settings, this.abort.signal);
        this.record({ ...base, outcome: result.ok ? 'succeeded' : 'failed', attempts: result.attempts, status: result.status, error: result.error }, body);
      });
      if (!queued) this.record({ ...base, outcome: 'dropped', attempts: 0, error: 'the delivery queue is full' }, body);
    }
    return payload;
  }

  /** Sends a failed payload again to its endpoint (F&O's Resend); resolves with the new record. */
  async resend(eventId: string, endpointName: string): Promise<EventDeliveryRecord> {
    const failure = this.failuresLog.find((f) => f.eventId === eventId && f.endpointName === endpointName);
    if (!failure) throw new Error(`No failed delivery of event ${eventId} to '${endpointName}' is in the error log.`);
    const endpoint = this.subscriptions.endpoint(endpointName);
    if (!endpoint) throw new Error(`The endpoint '${endpointName}' no longer exists.`);
    const body = Buffer.from(failure.payload);
    return this.queue.runNow(async () => {
      const result = await deliverEvent(endpoint.url, body, this.settings, this.abort.signal);
      const { payload: _payload, ...base } = failure;
      const record: EventDeliveryRecord = { ...base, outcome: result.ok ? 'succeeded' : 'failed', attempts: result.attempts, status: result.status, error: result.error };
      if (result.ok) this.failuresLog.splice(this.failuresLog.indexOf(failure), 1);
      this.log.push(record);
      return record;
    });
  }

  deliveries(): EventDeliveryRecord[] {
    return [...this.log];
  }

  failures(): EventFailure[] {
    return [...this.failuresLog];
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  peakConcurrency(): number {
    return this.queue.peakActive;
  }

  close(): void {
    this.unsubscribe();
    this.abort.abort();
  }

  private onChange(change: FnoChange) {
    for (const trigger of this.triggers) {
      if (trigger.entitySet !== change.entitySet || !trigger.matches(change) || change.op === 'delete') continue;
      const legalEntity = change.company ?? String(change.row.dataAreaId ?? this.service.defaultCompany);
      try {
        this.raise(trigger.businessEventId, legalEntity, trigger.contract(change.row));
      } catch (e) {
        // A trigger for an event missing from a custom catalog must not fail the write that fired it.
        if (!(e instanceof FnoError)) throw e;
      }
    }
  }

  private record(record: EventDeliveryRecord, body: Buffer) {
    this.log.push(record);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    if (record.outcome !== 'succeeded') {
      this.failuresLog.push({ ...record, payload: body.toString('utf8') });
      if (this.failuresLog.length > LOG_LIMIT) this.failuresLog.splice(0, this.failuresLog.length - LOG_LIMIT);
    }
  }
}
