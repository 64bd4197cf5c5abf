/**
 * FnoClient: one object for a Finance & Operations environment. It wires the operation modules (entities, actions,
 * custom services, Data management, recurring integrations) to an FnoContext; each module builds its requests and
 * reads its answers, while sending (token, retries, throttling, host pinning) is the injected `send`, usually
 * client/http's pipeline.
 */
import type { CsdlModel } from '../metadata/model';
import { callBoundAction, callCollectionAction } from './actions';
import { FnoContext, type CallOptions, type FnoClientOptions } from './context';
import {
  exportPackage,
  exportRows,
  executionErrors,
  importFile,
  importPackage,
  importRows,
  type DmfJobResult,
  type DmfRowError,
  type ExportOptions,
  type ExportResult,
  type ExportRowsResult,
  type ImportOptions,
  type ImportRowsOptions,
} from './dmf';
import { executionStatus, waitForExecution, type ExecutionStatus, type PollOptions } from './dmf-poll';
import {
  countRows,
  createRow,
  deleteRow,
  getRow,
  iteratePages,
  iterateRows,
  listRows,
  nextPage,
  updateRow,
  upsertRow,
  type FnoPage,
  type FnoRow,
  type GetOptions,
  type PageOptions,
  type RowOptions,
  type UpsertResult,
  type WriteOptions,
  type WriteResult,
} from './entities';
import type { FnoKey, FnoQuery } from './paths';
import {
  ack,
  dequeue,
  downloadMessage,
  enqueue,
  enqueueRows,
  jobStatus,
  messageStatus,
  waitForMessage,
  type DataJobStatusDetail,
  type DequeuedMessage,
  type EnqueueOptions,
} from './recurring';
import { loadModel } from './schema';
import { callService, describeOperation, discoverServices, listOperations, listServiceGroups, listServices, type ServiceGroupInfo, type ServiceOperationInfo } from './services';

export class FnoClient {
  readonly context: FnoContext;

  constructor(options: FnoClientOptions) {
    this.context = new FnoContext(options);
  }

  get environmentUrl(): string {
    return this.context.environmentUrl;
  }

  /** The client's default company, if one was set. */
  get company(): string | undefined {
    return this.context.company;
  }

  /** The environment's `$metadata`, read once per client. */
  metadata(options?: CallOptions): Promise<CsdlModel> {
    return loadModel(this.context, options);
  }

  // Entities
  get(set: string, key: FnoKey, options?: GetOptions): Promise<FnoRow> {
    return getRow(this.context, set, key, options);
  }
  list(set: string, query?: FnoQuery, options?: PageOptions): Promise<FnoPage> {
    return listRows(this.context, set, query, options);
  }
  nextPage(nextLink: string, options?: PageOptions): Promise<FnoPage> {
    return nextPage(this.context, nextLink, options);
  }
  iteratePages(set: string, query?: FnoQuery, options?: PageOptions): AsyncGenerator<FnoPage, void, undefined> {
    return iteratePages(this.context, set, query, options);
  }
  iterateRows(set: string, query?: FnoQuery, options?: PageOptions): AsyncGenerator<FnoRow, void, undefined> {
    return iterateRows(this.context, set, query, options);
  }
  count(set: string, filter?: FnoQuery['filter'], options?: RowOptions): Promise<number> {
    return countRows(this.context, set, filter, options);
  }
  create(set: string, row: FnoRow, options?: RowOptions): Promise<WriteResult> {
    return createRow(this.context, set, row, options);
  }
  update(set: string, key: FnoKey, changes: FnoRow, options?: WriteOptions): Promise<WriteResult> {
    return updateRow(this.context, set, key, changes, options);
  }
  upsert(set: string, key: Record<string, unknown>, row: FnoRow, options?: RowOptions): Promise<UpsertResult> {
    return upsertRow(this.context, set, key, row, options);
  }
  delete(set: string, key: FnoKey, options?: WriteOptions): Promise<void> {
    return deleteRow(this.context, set, key, options);
  }

  // Entity actions
  callAction<T = unknown>(set: string, key: FnoKey, action: string, parameters?: Record<string, unknown>, options?: RowOptions): Promise<T | undefined> {
    return callBoundAction<T>(this.context, set, key, action, parameters, options);
  }
  callCollectionAction<T = unknown>(set: string, action: string, parameters?: Record<string, unknown>, options?: RowOptions): Promise<T | undefined> {
    return callCollectionAction<T>(this.context, set, action, parameters, options);
  }

  // Custom services
  discoverServices(options?: CallOptions & { group?: string }): Promise<ServiceGroupInfo[]> {
    return discoverServices(this.context, options);
  }
  listServiceGroups(options?: CallOptions): Promise<string[]> {
    return listServiceGroups(this.context, options);
  }
  listServices(group: string, options?: CallOptions): Promise<string[]> {
    return listServices(this.context, group, options);
  }
  listServiceOperations(group: string, service: string, options?: CallOptions): Promise<string[]> {
    return listOperations(this.context, group, service, options);
  }
  describeServiceOperation(group: string, service: string, operation: string, options?: CallOptions): Promise<ServiceOperationInfo> {
    return describeOperation(this.context, group, service, operation, options);
  }
  callService<T = unknown>(group: string, service: string, operation: string, parameters?: Record<string, unknown>, options?: CallOptions): Promise<T | undefined> {
    return callService<T>(this.context, group, service, operation, parameters, options);
  }

  // Data management
  importPackage(zip: Buffer, options: ImportOptions): Promise<DmfJobResult> {
    return importPackage(this.context, zip, options);
  }
  importRows(rows: Iterable<Record<string, unknown>>, options: ImportRowsOptions): Promise<DmfJobResult> {
    return importRows(this.context, rows, options);
  }
  importFile(file: Buffer, options: ImportOptions & { entityName: string; fileName?: string; sourceFormat?: string }): Promise<DmfJobResult> {
    return importFile(this.context, file, options);
  }
  exportPackage(options: ExportOptions): Promise<ExportResult> {
    return exportPackage(this.context, options);
  }
  exportRows(options: ExportOptions): Promise<ExportRowsResult> {
    return exportRows(this.context, options);
  }
  executionStatus(executionId: string, options?: CallOptions): Promise<ExecutionStatus> {
    return executionStatus(this.context, executionId, options);
  }
  waitForExecution(executionId: string, options?: PollOptions): Promise<ExecutionStatus> {
    return waitForExecution(this.context, executionId, options);
  }
  executionErrors(executionId: string, options?: CallOptions): Promise<DmfRowError[]> {
    return executionErrors(this.context, executionId, options);
  }

  // Recurring integrations
  enqueue(activityId: string, content: Buffer, options?: EnqueueOptions): Promise<string> {
    return enqueue(this.context, activityId, content, options);
  }
  enqueueRows(activityId: string, rows: Record<string, unknown>[], options: EnqueueOptions & { entity: string; columns?: string[] }): Promise<string> {
    return enqueueRows(this.context, activityId, rows, options);
  }
  dequeue(activityId: string, options?: CallOptions): Promise<DequeuedMessage | undefined> {
    return dequeue(this.context, activityId, options);
  }
  downloadMessage(message: DequeuedMessage, options?: CallOptions): Promise<Buffer> {
    return downloadMessage(this.context, message, options);
  }
  ack(activityId: string, message: DequeuedMessage, options?: CallOptions): Promise<void> {
    return ack(this.context, activityId, message, options);
  }
  jobStatus(activityId: string, messageId: string, options?: CallOptions): Promise<DataJobStatusDetail> {
    return jobStatus(this.context, activityId, messageId, options);
  }
  messageStatus(messageId: string, options?: CallOptions): Promise<string> {
    return messageStatus(this.context, messageId, options);
  }
  waitForMessage(messageId: string, options?: CallOptions & { timeBudgetMs?: number; initialDelayMs?: number; maxDelayMs?: number }): Promise<string> {
    return waitForMessage(this.context, messageId, options);
  }
}
