/**
 * Recurring integrations (`/api/connector/*`) of a recurring data job, named by its activity id: enqueue a file or
 * package for an import job, dequeue / download / ack the packages of an export job, and read a message's job
 * status. The download link comes from the response, so it is followed only on the environment's origin.
 */
import { sleep } from '../http/abort';
import { D365Error } from '../http/errors';
import { callCollectionAction } from './actions';
import { callOptions, checkCompanyId, parseJson, type CallOptions, type FnoContext } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { DMF_SET } from './dmf-poll';
import { buildPackage } from './package/data-package';
import { cellText, writeCsv } from './package/csv';

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** `%7B6D31E09F-…%7D`: the activity id with braces, percent-encoded, as the connector URLs take it. */
export function activitySegment(activityId: string): string {
  const match = typeof activityId === 'string' ? GUID.exec(activityId.trim()) : null;
  if (!match) throw invalidArgument(`The activity id ${JSON.stringify(activityId)} is not a GUID; use the id of the recurring data job, e.g. {6D31E09F-0249-459F-94F0-AAD9C2C47B64}.`);
  return encodeURIComponent(`{${match[1].toUpperCase()}}`);
}

export interface EnqueueOptions extends CallOptions {
  /** The entity of a single data file; omit for a data package. */
  entity?: string;
  company?: string;
  /** Sent as x-ms-dyn-externalidentifier, e.g. a correlation id of the calling system. */
  externalId?: string;
}

export async function enqueue(ctx: FnoContext, activityId: string, content: Buffer, options: EnqueueOptions = {}): Promise<string> {
  if (!Buffer.isBuffer(content) || content.length === 0) throw invalidArgument('enqueue needs the file or data package as non-empty bytes.');
  const query = new URLSearchParams();
  if (options.entity !== undefined) query.set('entity', options.entity);
  const company = options.company ?? ctx.company;
  if (company !== undefined) query.set('company', checkCompanyId(company));
  const headers: Record<string, string> = { 'content-type': options.entity !== undefined ? 'text/csv' : 'application/zip' };
  if (options.externalId !== undefined) headers['x-ms-dyn-externalidentifier'] = options.externalId;
  const qs = query.toString().replace(/\+/g, '%20');
  const response = await ctx.execute({
    method: 'POST',
    path: `api/connector/enqueue/${activitySegment(activityId)}${qs ? `?${qs}` : ''}`,
    headers,
    body: content,
    idempotent: false,
    operation: 'recurring enqueue',
    ...callOptions(options),
  });
  // A quoted JSON string; some proxies hand it over unquoted.
  const raw = response.body.toString('utf8').trim();
  let id: unknown = raw;
  try {
    id = JSON.parse(raw);
  } catch {
    id = raw.replace(/^"|"$/g, '');
  }
  if (typeof id !== 'string' || !id) throw invalidResponse('enqueue answered no message id.');
  return id;
}

/** Enqueues rows as one CSV data file of `entity` (UTF-8, header row of field names). */
export function enqueueRows(ctx: FnoContext, activityId: string, rows: Record<string, unknown>[], options: EnqueueOptions & { entity: string; columns?: string[] }): Promise<string> {
  if (!options?.entity) throw invalidArgument('enqueueRows needs the entity name of the rows.');
  const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !k.startsWith('@'))))];
  if (!columns.length) throw invalidArgument('The rows have no fields to enqueue.');
  const csv = writeCsv([columns, ...rows.map((r) => columns.map((c) => cellText(r[c], c)))], 'utf8');
  return enqueue(ctx, activityId, csv, options);
}

/** Enqueues a data package built from rows of several entities. */
export function enqueuePackage(ctx: FnoContext, activityId: string, pkg: Parameters<typeof buildPackage>[0], options: Omit<EnqueueOptions, 'entity'> = {}): Promise<string> {
  return enqueue(ctx, activityId, buildPackage(pkg), options);
}

export interface DequeuedMessage {
  CorrelationId: string;
  PopReceipt: string;
  DownloadLocation: string;
  LastDequeueDateTime: string;
  [more: string]: unknown;
}

/** The next package of an export job, or undefined when none is waiting. */
export async function dequeue(ctx: FnoContext, activityId: string, options: CallOptions = {}): Promise<DequeuedMessage | undefined> {
  const response = await ctx.execute({ method: 'GET', path: `api/connector/dequeue/${activitySegment(activityId)}`, idempotent: false, operation: 'recurring dequeue', ...callOptions(options) });
  if (response.status === 204) return undefined;
  const message = parseJson<DequeuedMessage>(response);
  if (!message) return undefined;
  if (typeof message.CorrelationId !== 'string' || typeof message.DownloadLocation !== 'string') throw invalidResponse('dequeue answered a message without CorrelationId or DownloadLocation.');
  return message;
}

/** Downloads a dequeued package (with the token: the location is on the environment, and checked to be). */
export async function downloadMessage(ctx: FnoContext, message: DequeuedMessage, options: CallOptions = {}): Promise<Buffer> {
  // Behind F&O's load balancer the location can come back as http://; the service itself is https only.
  const location = message.DownloadLocation.replace(/^http:\/\//i, 'https://');
  const response = await ctx.execute({ method: 'GET', path: ctx.linkUrl(location, 'DownloadLocation'), idempotent: true, operation: 'recurring download', ...callOptions(options) });
  return response.body;
}

export async function ack(ctx: FnoContext, activityId: string, message: DequeuedMessage, options: CallOptions = {}): Promise<void> {
  await ctx.execute({ method: 'POST', path: `api/connector/ack/${activitySegment(activityId)}`, json: message, idempotent: true, operation: 'recurring ack', ...callOptions(options) });
}

export interface DataJobStatusDetail {
  DataJobStatus: {
    DataProject: string;
    DataJobIdentifier: string;
    ExternalIdentifier: string;
    ExecutionIdentifier: string;
    DataJobStartedDateTime: string;
    DataJobCompletedDateTime: string;
    DataJobState: string;
  };
  ExecutionLog: string;
  ExecutionDetail: {
    EntityName: string;
    Company: string;
    StagingRecords: number;
    StagingStatus: string;
    StagingErrorCount: number;
    TargetRecords: number;
    TargetStatus: string;
    TargetErrorCount: number;
    ExecutionStartedDateTime: string;
    ExecutionCompletedDateTime: string;
  }[];
}

export async function jobStatus(ctx: FnoContext, activityId: string, messageId: string, options: CallOptions = {}): Promise<DataJobStatusDetail> {
  if (typeof messageId !== 'string' || !messageId.trim()) throw invalidArgument('jobStatus needs the message id enqueue returned.');
  const body = await ctx.executeJson<DataJobStatusDetail>({
    method: 'GET',
    path: `api/connector/jobstatus/${activitySegment(activityId)}?jobId=${encodeURIComponent(messageId.trim())}`,
    idempotent: true,
    operation: 'recurring job status',
    ...callOptions(options),
  });
  if (!body?.DataJobStatus) throw invalidResponse('jobstatus answered without DataJobStatus.');
  return body;
}

/** Enqueued, Processing, Processed, ProcessedWithErrors, PreProcessingError… (GetMessageStatus). */
export async function messageStatus(ctx: FnoContext, messageId: string, options: CallOptions = {}): Promise<string> {
  const value = await callCollectionAction(ctx, DMF_SET, 'GetMessageStatus', { messageId }, { ...options, idempotent: true });
  if (typeof value !== 'string') throw invalidResponse('GetMessageStatus answered no status.');
  return value;
}

const FINAL_MESSAGE = new Set(['Processed', 'ProcessedWithErrors', 'PreProcessingError', 'PostProcessingError', 'PostProcessingFailed']);

/** Polls GetMessageStatus until the enqueued message is processed (or failed), within a time budget. */
export async function waitForMessage(
  ctx: FnoContext,
  messageId: string,
  options: CallOptions & { timeBudgetMs?: number; initialDelayMs?: number; maxDelayMs?: number } = {},
): Promise<string> {
  const budget = options.timeBudgetMs ?? 30 * 60_000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  let delay = Math.min(maxDelay, options.initialDelayMs ?? 1_000);
  const started = Date.now();
  for (;;) {
    const status = await messageStatus(ctx, messageId, options);
    if (FINAL_MESSAGE.has(status)) return status;
    const remaining = budget - (Date.now() - started);
    if (remaining <= 0) {
      throw new D365Error(`The recurring integration message ${messageId} was not processed within the time budget of ${budget} ms; its last status was ${status}.`, {
        code: 'TimeBudgetExceeded',
        retryable: false,
      });
    }
    await sleep(Math.min(delay, remaining), { method: 'GET', url: '', headers: {}, signal: options.signal, operation: `wait for message ${messageId}` });
    delay = Math.min(maxDelay, delay * 2);
  }
}
