/**
 * Recurring integrations over Data management: enqueue starts an import job of the activity's data project for
 * the posted file (one entity) or package; an export activity produces a package at most once per recurrence,
 * started by the first dequeue that finds nothing waiting (as if its batch had run), and hands it out through
 * dequeue/ack. Statuses are read from the Data management execution behind each message.
 */
import { FnoError, type FnoService } from '../context';
import type { DataManagement } from '../dmf/runtime';
import type { ExecutionStatus } from '../dmf/executions';
import { writeHeader, writeManifest } from '../package/descriptors';
import { resolveEntitySet } from '../dmf/projects';
import { writeZip } from '../zip/zip-writer';
import { braceGuid, MessageStatus, normalizeGuid, RecurringJob, RecurringMessage, VISIBILITY_TIMEOUT_MS } from './messages';

export interface RecurringJobDefinition {
  /** Default: a new GUID. */
  activityId?: string;
  direction: 'import' | 'export';
  definitionGroupId: string;
  /** Default: the environment's default company. */
  company?: string;
  /** Export jobs: least time between packages (default 60 s). */
  recurrenceMs?: number;
}

export interface RecurringOptions {
  jobs?: RecurringJobDefinition[];
  /** Messages kept (oldest dropped first). */
  maxMessages?: number;
}

const MAX_MESSAGES = 10_000;

export class RecurringIntegrations {
  private readonly jobs = new Map<string, RecurringJob>();
  private readonly messages = new Map<string, RecurringMessage>();

  constructor(readonly service: FnoService, readonly dm: DataManagement, private readonly options: RecurringOptions = {}) {
    for (const job of options.jobs ?? []) this.defineJob(job);
    dm.messageLookups.push((id) => {
      const message = this.message(id);
      return message && this.status(message);
    });
  }

  private now(): number {
    return this.service.now().getTime();
  }

  /** Registers a recurring data job and returns its activity id in braces. */
  defineJob(def: RecurringJobDefinition): string {
    const activityId = def.activityId === undefined ? normalizeGuid(braceGuid())! : normalizeGuid(def.activityId);
    if (!activityId) throw new Error(`The activity id '${def.activityId}' is not a GUID.`);
    const company = this.service.resolveCompany(def.company ?? this.service.defaultCompany);
    if (def.direction === 'export') {
      const project = this.dm.projects.find(def.definitionGroupId);
      if (!project || project.operation !== 'Export') throw new Error(`The export data project '${def.definitionGroupId}' does not exist.`);
    }
    this.jobs.set(activityId, { activityId, direction: def.direction, definitionGroupId: def.definitionGroupId, company, recurrenceMs: def.recurrenceMs ?? 60_000 });
    return `{${activityId}}`;
  }

  job(rawActivityId: string): RecurringJob {
    const id = normalizeGuid(rawActivityId);
    if (!id) throw new FnoError(400, `The activity id '${rawActivityId.slice(0, 60)}' is not a GUID; use the id of the recurring data job, e.g. %7B6D31E09F-0249-459F-94F0-AAD9C2C47B64%7D.`);
    const job = this.jobs.get(id);
    if (!job) throw new FnoError(404, `No recurring data job with the activity id {${id}} exists in this environment.`);
    return job;
  }

  message(rawId: string): RecurringMessage | undefined {
    const id = normalizeGuid(rawId);
    return id === undefined ? undefined : this.messages.get(id);
  }

  enqueue(job: RecurringJob, args: { body: Buffer; entity?: string; company?: string; externalId?: string; userId: string }): RecurringMessage {
    if (job.direction !== 'import') throw new FnoError(400, `The recurring data job {${job.activityId}} is an export job; enqueue needs an import job.`);
    if (args.body.length === 0) throw new FnoError(400, 'The request has no content: send the file or data package as the body.');
    const company = this.service.resolveCompany(args.company ?? job.company);
    let packageBytes = args.body;
    if (args.entity !== undefined) {
      if (!resolveEntitySet(this.service, args.entity)) throw new FnoError(400, `Entity '${args.entity}' does not exist in the target environment.`);
      packageBytes = singleFilePackage(job.definitionGroupId, args.entity, args.body, this.service.now());
    }
    const execution = this.dm.startImport({ packageBytes, definitionGroupId: job.definitionGroupId, executionId: '', execute: true, company, userId: args.userId });
    return this.add({
      id: braceGuid(), activityId: job.activityId, direction: 'import', executionId: execution.id, externalId: args.externalId ?? '',
      company, entity: args.entity, enqueuedAt: this.now(),
    });
  }

  /** The next visible package of an export job, or undefined (and its next run started when it is due). */
  dequeue(job: RecurringJob): RecurringMessage | undefined {
    if (job.direction !== 'export') throw new FnoError(400, `The recurring data job {${job.activityId}} is an import job; dequeue needs an export job.`);
    const now = this.now();
    const mine = [...this.messages.values()].filter((m) => m.activityId === job.activityId);
    const visible = mine.find((m) => !m.acked && this.dm.executions.status(m.executionId) === 'Succeeded' &&
      (m.dequeuedAt === undefined || now - m.dequeuedAt >= VISIBILITY_TIMEOUT_MS));
    if (visible) {
      visible.lastDequeuedAt = visible.dequeuedAt;
      visible.dequeuedAt = now;
      visible.popReceipt = braceGuid();
      return visible;
    }
    const running = mine.some((m) => !FINAL.has(this.dm.executions.status(m.executionId)));
    if (!running && (job.lastRunAt === undefined || now - job.lastRunAt >= job.recurrenceMs)) {
      job.lastRunAt = now;
      const id = braceGuid();
      const execution = this.dm.startExport({ definitionGroupId: job.definitionGroupId, packageName: `${job.definitionGroupId}.zip`, executionId: '', reExecute: false, company: job.company });
      this.add({ id, activityId: job.activityId, direction: 'export', executionId: execution.id, externalId: '', company: job.company, enqueuedAt: now });
    }
    return undefined;
  }

  ack(job: RecurringJob, body: Buffer): void {
    let parsed: { CorrelationId?: unknown; PopReceipt?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new FnoError(400, 'The body of ack must be the JSON the dequeue call returned.');
    }
    const message = typeof parsed?.CorrelationId === 'string' ? this.message(parsed.CorrelationId) : undefined;
    if (!message || message.activityId !== job.activityId) throw new FnoError(400, 'The CorrelationId of the ack does not name a message of this recurring data job.');
    if (message.acked) return;
    if (parsed.PopReceipt !== message.popReceipt) throw new FnoError(400, 'The PopReceipt is not the current one: the message was dequeued again after this receipt was issued.');
    message.acked = true;
  }

  packageOf(message: RecurringMessage): Buffer | undefined {
    const blob = this.dm.executions.get(message.executionId)?.outcome?.packageBlob;
    const data = blob === undefined ? undefined : this.dm.blobs.get(blob)?.data;
    if (data) message.downloaded = true;
    return data;
  }

  status(message: RecurringMessage): MessageStatus {
    const execution = this.dm.executions.get(message.executionId);
    const status = this.dm.executions.status(message.executionId);
    if (message.direction === 'export') {
      if (message.acked) return 'Acked';
      if (message.downloaded) return 'Downloaded';
      if (message.dequeuedAt !== undefined) return 'Dequeued';
      if (status === 'Succeeded') return 'Processed';
      return FINAL.has(status) ? 'ProcessedWithErrors' : 'Processing';
    }
    if (status === 'NotRun') return 'Enqueued';
    if (status === 'Executing') return 'Processing';
    if (status === 'Succeeded') return 'Processed';
    // A package that could not be opened never reached an entity: that is a pre-processing error.
    if (status === 'Failed' && execution?.outcome?.entities.length === 0) return 'PreProcessingError';
    return 'ProcessedWithErrors';
  }

  private add(message: RecurringMessage): RecurringMessage {
    const max = this.options.maxMessages ?? MAX_MESSAGES;
    if (this.messages.size >= max) this.messages.delete(this.messages.keys().next().value as string);
    this.messages.set(normalizeGuid(message.id)!, message);
    return message;
  }
}

const FINAL: ReadonlySet<ExecutionStatus> = new Set(['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled']);

/** What F&O builds around a single enqueued file: a package of that one entity. */
function singleFilePackage(definitionGroupId: string, entity: string, file: Buffer, now: Date): Buffer {
  const fileName = `${entity.replace(/[^\w .-]/g, '_')}.csv`;
  return writeZip([
    { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: definitionGroupId, description: definitionGroupId, entities: [{ entityName: entity, inputFilePath: fileName, sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) },
    { name: 'PackageHeader.xml', data: writeHeader(definitionGroupId) },
    { name: fileName, data: file },
  ], now);
}
