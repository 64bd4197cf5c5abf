/** The public shapes of Dataverse `$batch`: what callers put in, what they get back for every operation. */
import type { D365Error } from '../http/errors';
import type { HttpRequest, HttpResponse } from '../http/types';

export type BatchMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface BatchOperation {
  method: BatchMethod;
  /**
   * Relative to the service root (`accounts`, `accounts(<id>)/Account_Tasks?$select=subject`), a Content-ID
   * reference (`$1`, `$1/primarycontactid/$ref`) or an absolute URL.
   */
  path: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is. */
  body?: object | string;
  /** Lets later operations of the same change set refer to this one as `$<contentId>`; echoed in its result. */
  contentId?: string;
  /** Consecutive operations with the same label form one change set: Dataverse applies them all or none. */
  changeSet?: string;
  /**
   * Repeating it is harmless (a keyed upsert writes the same values to the same row). Unset: judged by method and
   * conditional headers. A $batch request is resent after a 502/503/reset only when all its operations are.
   */
  idempotent?: boolean;
}

export interface BatchTarget {
  /** e.g. `https://contoso.crm.dynamics.com/` */
  environmentUrl: string;
  /** `9.2` or `v9.2` */
  apiVersion: string;
}

export interface BatchOptions {
  /** `Prefer: odata.continue-on-error`: later operations still run after one fails. */
  continueOnError?: boolean;
  /** Operations per `$batch` request, 1–1,000 (Dataverse's limit); default 100. A larger change set goes alone. */
  maxOperationsPerBatch?: number;
  /** How many `$batch` requests may be in flight at once; default 1 (one after another, in input order). */
  concurrency?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * - `succeeded`: applied (or read); `status` 0 means Dataverse applied it but left its answer out of a stopped batch.
 * - `failed`: Dataverse refused this operation; see `error`.
 * - `rolledBack`: another operation of its change set failed, so nothing of the change set was kept.
 * - `notExecuted`: never run, because the batch stopped earlier or the whole request was refused.
 * - `unknown`: the answer does not say (transport failure, malformed response, a stop whose position is unclear).
 */
export type BatchOutcome = 'succeeded' | 'failed' | 'rolledBack' | 'notExecuted' | 'unknown';

export interface BatchResult {
  /** Position in the operations given to executeBatch. */
  index: number;
  contentId?: string;
  outcome: BatchOutcome;
  /** Status of the operation's own answer; 0 when there is none. */
  status: number;
  /** Headers of the operation's own answer, names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON; the text when the answer is not JSON (e.g. `$value`); undefined when empty. */
  body?: unknown;
  /** The GUID in `OData-EntityId`, when it has one. */
  entityId?: string;
  /** `OData-EntityId` as sent. */
  entityUrl?: string;
  error?: D365Error;
}

export type BatchSend = (request: HttpRequest) => Promise<HttpResponse>;
