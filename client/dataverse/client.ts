/**
 * DataverseClient: one object for a Dataverse environment. It only wires the operation modules (crud, pages,
 * fetchxml, changes, operations, files, associations) to a DataverseContext; each module builds its requests and
 * reads its answers, while sending (auth, retries, throttling) is the injected `send`, usually client/http's
 * pipeline. Every link taken from a response is checked against the environment's origin before it is followed.
 */
import type { CsdlModel } from '../metadata/model';
import { loadServiceMetadata } from '../metadata/service-metadata';
import type { Filter } from '../odata/filter-text';
import { executeBatch } from './batch';
import type { BatchOperation, BatchOptions, BatchResult } from './batch-types';
import { associate, clearLookup, disassociate, setLookup, type RowReference } from './associations';
import { ChangeFeed, trackChanges, type TrackChangesOptions } from './changes';
import { DataverseContext, type CallOptions, type DataverseClientOptions } from './context';
import {
  createRow,
  deleteRow,
  retrieveRow,
  updateRow,
  upsertRow,
  type DeleteOptions,
  type RepresentationOptions,
  type RetrieveOptions,
  type Row,
  type UpdateOptions,
  type UpsertOptions,
  type WriteResult,
} from './crud';
import { iterateFetchXml, iterateFetchXmlPages, type FetchXmlOptions, type FetchXmlPage } from './fetchxml';
import { deleteFile, downloadFile, downloadFileStream, uploadFile, type DownloadedFile, type DownloadFileOptions, type FileStream, type UploadFileOptions } from './files';
import { callAction, callFunction, whoAmI, type OperationOptions, type WhoAmIResult } from './operations';
import { countRows, iteratePages, iterateRows, retrieveMultiple, retrieveNextPage, type Page, type PageOptions } from './pages';
import type { ODataQuery } from './query';
import type { RowKey } from './row-path';
import { registerCallback, unregisterCallback } from './webhooks/callbacks';
import { registerWebhook, unregisterWebhook } from './webhooks/register';
import type {
  CallbackRegistration,
  RegisterCallbackOptions,
  RegisterWebhookOptions,
  UnregisterCallbackTarget,
  UnregisterResult,
  UnregisterWebhookTarget,
  WebhookRegistration,
} from './webhooks/types';

export class DataverseClient {
  readonly context: DataverseContext;

  constructor(options: DataverseClientOptions) {
    this.context = new DataverseContext(options);
  }

  get environmentUrl(): string {
    return this.context.environmentUrl;
  }

  /** `https://<host>/api/data/v9.2/` */
  get serviceRoot(): string {
    return this.context.serviceRoot;
  }

  // Rows
  create(set: string, data: Row, options?: RepresentationOptions): Promise<WriteResult & { id: string }> {
    return createRow(this.context, set, data, options);
  }
  retrieve(set: string, key: RowKey, options?: RetrieveOptions): Promise<Row> {
    return retrieveRow(this.context, set, key, options);
  }
  update(set: string, key: RowKey, data: Row, options?: UpdateOptions): Promise<WriteResult> {
    return updateRow(this.context, set, key, data, options);
  }
  upsert(set: string, key: RowKey, data: Row, options?: UpsertOptions): Promise<WriteResult> {
    return upsertRow(this.context, set, key, data, options);
  }
  delete(set: string, key: RowKey, options?: DeleteOptions): Promise<void> {
    return deleteRow(this.context, set, key, options);
  }

  // Relationships
  associate(set: string, key: RowKey, collection: string, related: RowReference, options?: CallOptions): Promise<void> {
    return associate(this.context, set, key, collection, related, options);
  }
  disassociate(set: string, key: RowKey, collection: string, related: RowReference, options?: CallOptions): Promise<void> {
    return disassociate(this.context, set, key, collection, related, options);
  }
  setLookup(set: string, key: RowKey, lookup: string, related: RowReference, options?: CallOptions): Promise<void> {
    return setLookup(this.context, set, key, lookup, related, options);
  }
  clearLookup(set: string, key: RowKey, lookup: string, options?: CallOptions): Promise<void> {
    return clearLookup(this.context, set, key, lookup, options);
  }

  // Queries
  retrieveMultiple(set: string, query?: ODataQuery, options?: PageOptions): Promise<Page> {
    return retrieveMultiple(this.context, set, query, options);
  }
  retrieveNextPage(nextLink: string, options?: PageOptions): Promise<Page> {
    return retrieveNextPage(this.context, nextLink, options);
  }
  iteratePages(set: string, query?: ODataQuery, options?: PageOptions): AsyncGenerator<Page, void, undefined> {
    return iteratePages(this.context, set, query, options);
  }
  iterateRows(set: string, query?: ODataQuery, options?: PageOptions): AsyncGenerator<Row, void, undefined> {
    return iterateRows(this.context, set, query, options);
  }
  count(set: string, filter?: string | Filter, options?: CallOptions): Promise<number> {
    return countRows(this.context, set, filter, options);
  }
  iterateFetchXml(set: string, fetchXml: string, options?: FetchXmlOptions): AsyncGenerator<Row, void, undefined> {
    return iterateFetchXml(this.context, set, fetchXml, options);
  }
  iterateFetchXmlPages(set: string, fetchXml: string, options?: FetchXmlOptions): AsyncGenerator<FetchXmlPage, void, undefined> {
    return iterateFetchXmlPages(this.context, set, fetchXml, options);
  }
  trackChanges(set: string, options?: TrackChangesOptions): ChangeFeed {
    return trackChanges(this.context, set, options);
  }

  // $batch
  /** One result per operation, in order; split into requests of at most 1,000 (default 100) operations. */
  executeBatch(operations: BatchOperation[], options?: BatchOptions): Promise<BatchResult[]> {
    const ctx = this.context;
    return executeBatch((request) => ctx.send(request), { environmentUrl: ctx.environmentUrl, apiVersion: ctx.apiVersion }, operations, options);
  }

  // Functions and actions
  callFunction<T = Record<string, unknown>>(name: string, parameters?: Record<string, unknown>, options?: OperationOptions): Promise<T> {
    return callFunction<T>(this.context, name, parameters, options);
  }
  callAction<T = Record<string, unknown>>(name: string, parameters?: Record<string, unknown>, options?: OperationOptions): Promise<T | undefined> {
    return callAction<T>(this.context, name, parameters, options);
  }
  whoAmI(options?: CallOptions): Promise<WhoAmIResult> {
    return whoAmI(this.context, options);
  }
  /** The environment's CSDL `$metadata` (actions, functions and their parameters), cached per environment. */
  serviceMetadata(options?: CallOptions): Promise<CsdlModel> {
    return loadServiceMetadata(this.context, options);
  }

  // File and image columns
  uploadFile(set: string, key: RowKey, column: string, data: Buffer, options: UploadFileOptions): Promise<void> {
    return uploadFile(this.context, set, key, column, data, options);
  }
  downloadFile(set: string, key: RowKey, column: string, options?: DownloadFileOptions): Promise<DownloadedFile> {
    return downloadFile(this.context, set, key, column, options);
  }
  downloadFileStream(set: string, key: RowKey, column: string, options?: DownloadFileOptions): Promise<FileStream> {
    return downloadFileStream(this.context, set, key, column, options);
  }
  deleteFile(set: string, key: RowKey, column: string, options?: CallOptions): Promise<void> {
    return deleteFile(this.context, set, key, column, options);
  }

  // Webhooks (serviceendpoint + steps, callbackregistrations); idempotent: safe to repeat after a failure.
  registerWebhook(options: RegisterWebhookOptions): Promise<WebhookRegistration> {
    return registerWebhook(this, options);
  }
  unregisterWebhook(target: UnregisterWebhookTarget): Promise<UnregisterResult> {
    return unregisterWebhook(this, target);
  }
  registerCallback(options: RegisterCallbackOptions): Promise<CallbackRegistration> {
    return registerCallback(this, options);
  }
  unregisterCallback(target: UnregisterCallbackTarget): Promise<{ callbackRegistrationIds: string[] }> {
    return unregisterCallback(this, target);
  }
}
