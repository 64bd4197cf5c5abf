/** $batch support for the emulator: parse the multipart request, resolve `$n` references, write the response. */
export { BatchFormatError, PAYLOAD_ERROR_CODE } from './errors';
export { parseBatchRequest } from './parse-batch-request';
export type { BatchChangeSet, BatchOperation, BatchRequestItem, ParseBatchOptions } from './parse-batch-request';
export { contentIdReferenceOf, resolveContentIdReferences } from './content-id-references';
export { envelopeReasonPhrase, reasonPhrase, serializeBatchResponse } from './serialize-batch-response';
export type {
  BatchChangeSetResult,
  BatchOperationResult,
  BatchResultItem,
  SerializeBatchOptions,
  SerializedBatchResponse,
} from './serialize-batch-response';
