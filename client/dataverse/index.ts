/** The Dataverse Web API client: rows, queries, FetchXML, change tracking, functions and actions, files, webhooks. */
export { DataverseClient } from './client';
export { DataverseContext, type CallOptions, type DataverseClientOptions, type Send } from './context';
export type { DeleteOptions, RepresentationOptions, RetrieveOptions, Row, UpdateOptions, UpsertMode, UpsertOptions, WriteResult } from './crud';
export type { RowReference } from './associations';
export { bindLookupReference, describeLookup, lookupBindPair, lookupColumnFrom, parseLookupReference, type LookupColumn, type LookupMetadata, type LookupTarget } from './lookup-bind';
export type { Page, PageOptions } from './pages';
export type { FetchXmlOptions, FetchXmlPage } from './fetchxml';
export { parsePagingCookie, type PagingCookie } from './fetchxml-cookie';
export { ChangeFeed, type Change, type TrackChangesOptions } from './changes';
export type { OperationOptions, WhoAmIResult } from './operations';
export { FILE_CHUNK_SIZE, type DownloadedFile, type DownloadFileOptions, type FileInfo, type FileStream, type UploadFileOptions } from './files';
export { toFriendlyRow, toFriendlyRows, type FriendlyRow, type LookupValue } from './annotations';
export type { AnnotationsOption } from './prefer';
export type { RowKey } from './row-path';
export type { ODataQuery } from './query';
export { executeBatch } from './batch';
export type { BatchOperation, BatchOptions, BatchOutcome, BatchResult, BatchTarget } from './batch-types';
export { toBatchOperation, writeResultOfBatch } from './batch-requests';
export { createRequest, deleteRequest, retrieveRequest, updateRequest, upsertRequest } from './crud';
export {
  registerWebhook, unregisterWebhook, registerCallback, unregisterCallback, callbackMessage, parseRemoteExecutionContext, WebhookPayloadError,
  verifyWebhookAuth, safeEqual, authColumns, AUTH_TYPES,
} from './webhooks';
export type {
  CallbackRegistration, CallbackRunAs, CallbackScope, CleanRow, EntityReferenceValue, ImageColumns, IncomingWebhookRequest, ParsedExecutionContext,
  ParseOptions, RegisterCallbackOptions, RegisterWebhookOptions, UnregisterCallbackTarget, UnregisterResult, UnregisterWebhookTarget, WebhookAuth,
  WebhookEvent, WebhookPayloadErrorReason, WebhookRegistration,
} from './webhooks';
