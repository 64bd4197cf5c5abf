/**
 * The client's HTTP model: a request passes through a chain of small policies (one concern each, one file each)
 * and ends at a transport. Request building (client/odata, client/dataverse) is kept apart from sending.
 */

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Absolute URL. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: string | Buffer;
  /** True when repeating the request cannot apply it twice (GET, PUT, DELETE, PATCH with If-Match…). */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Per-request timeout in milliseconds (overrides the pipeline default). */
  timeoutMs?: number;
  /** Free-form label for events and errors (e.g. 'retrieveMultiple accounts'); never contains secrets. */
  operation?: string;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
  request: HttpRequest;
}

export type SendNext = (request: HttpRequest) => Promise<HttpResponse>;

/** One concern of the pipeline: may change the request, call next (zero or more times), change the response. */
export interface Policy {
  name: string;
  send(request: HttpRequest, next: SendNext): Promise<HttpResponse>;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export type ClientEvent =
  | { type: 'request'; method: string; url: string; operation?: string }
  | { type: 'response'; method: string; url: string; status: number; durationMs: number; requestId?: string }
  | { type: 'retry'; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: 'throttle'; method: string; url: string; limit: string; retryAfterMs: number; concurrency?: number }
  | { type: 'refresh'; resource: string; reason: 'proactive' | 'expired' | 'unauthorized' | 'initial' }
  | { type: 'concurrency'; limit: number; reason: string };

export type EventSink = (event: ClientEvent) => void;
