/**
 * The one error the client throws for service and transport failures: HTTP status, the service's code, a message
 * a user can act on, the request id, whether retrying may help and which limit was hit. Never carries a token.
 */

import { redact } from './redact';

export type ServiceLimit =
  | 'dataverse-requests'
  | 'dataverse-execution-time'
  | 'dataverse-concurrency'
  | 'fno-throttling'
  | 'unknown-throttling';

export interface D365ErrorDetails {
  status?: number;
  code?: string;
  requestId?: string;
  retryable?: boolean;
  limit?: ServiceLimit;
  operation?: string;
  /** Error of one operation inside a $batch: its index in the batch. */
  batchIndex?: number;
  cause?: unknown;
}

export class D365Error extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly limit?: ServiceLimit;
  readonly operation?: string;
  readonly batchIndex?: number;

  constructor(message: string, details: D365ErrorDetails = {}) {
    // Redacted here, once for every caller, so no code path can put a token into a message (or the stack built from it).
    super(redact(message), details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'D365Error';
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.retryable = details.retryable ?? false;
    this.limit = details.limit;
    this.operation = details.operation;
    this.batchIndex = details.batchIndex;
  }
}
