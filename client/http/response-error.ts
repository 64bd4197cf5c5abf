/**
 * Turns a failed response into a D365Error a user can act on. Bodies differ by service and by the layer that
 * answered: Dataverse OData JSON, F&O OData with an innererror, ASP.NET Web API ({"Message"}), Entra-style
 * {"error":"…","error_description"}, and HTML pages from gateways in front of either.
 */
import { D365Error } from './errors';
import { classifyThrottle, type ServiceKind } from './service-limits';
import type { HttpResponse, Policy } from './types';

interface ServiceFault {
  code?: string;
  message?: string;
}

const MAX_MESSAGE_CHARS = 600;

/** Statuses where the same request may succeed later; 500 is excluded because it is usually a real server-side error. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 502 || status === 503 || status === 504;
}

/** The id Microsoft support asks for: the service's own first, our client id as a fallback (it is in their logs too). */
export function requestIdOf(response: HttpResponse): string | undefined {
  return (
    response.headers['x-ms-service-request-id'] ??
    response.headers['req_id'] ??
    response.headers['request-id'] ??
    response.headers['x-ms-request-id'] ??
    response.headers['x-ms-client-request-id'] ??
    response.request.headers['x-ms-client-request-id']
  );
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** F&O wraps the useful text in innererror (and internalexception) under a generic "An error has occurred." */
function innermostMessage(inner: unknown): string | undefined {
  let found: string | undefined;
  let node = inner as Record<string, unknown> | undefined;
  for (let depth = 0; node && typeof node === 'object' && depth < 5; depth++) {
    found = text(node.message) ?? found;
    node = (node.internalexception ?? node.innererror) as Record<string, unknown> | undefined;
  }
  return found;
}

export function parseServiceFault(body: Buffer, contentType = ''): ServiceFault {
  const raw = body.toString('utf8').trim();
  if (!raw) return {};
  if (raw.startsWith('{')) {
    try {
      const json = JSON.parse(raw) as Record<string, any>;
      const error = json.error;
      if (error && typeof error === 'object') {
        const outer = text(error.message);
        const inner = innermostMessage(error.innererror);
        const generic = !outer || /^an error has occurred\.?$/i.test(outer);
        return { code: text(error.code), message: generic ? (inner ?? outer) : outer };
      }
      if (typeof error === 'string') return { code: error, message: text(json.error_description) ?? error };
      const message = text(json.ExceptionMessage) ?? text(json.Message) ?? text(json.message);
      if (message) return { code: text(json.code) ?? text(json.ExceptionType), message };
    } catch {
      // Not JSON after all: fall through to the text forms.
    }
  }
  if (/html/i.test(contentType) || raw.startsWith('<')) {
    const title = /<title>([^<]*)<\/title>/i.exec(raw)?.[1]?.trim();
    const paragraph = /<p>([^<]*)<\/p>/i.exec(raw)?.[1]?.trim();
    return { message: [title, paragraph].filter(Boolean).join(': ') || undefined };
  }
  return { message: raw.slice(0, MAX_MESSAGE_CHARS) };
}

export function retryAfterSeconds(response: HttpResponse): number | undefined {
  const value = response.headers['retry-after'];
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** What the user can do about a status, when the service's own message does not say it. */
function hintFor(response: HttpResponse): string {
  switch (response.status) {
    case 403:
      return ' The application user lacks a privilege: give it a security role that allows this operation.';
    case 412:
      return ' The row changed since it was read (If-Match) or already exists (If-None-Match).';
    case 429: {
      const seconds = retryAfterSeconds(response);
      return ` The service protection limit was hit${seconds !== undefined ? `; the service asked to wait ${seconds} s` : ''}: lower the parallelism or batch the work.`;
    }
    case 502:
    case 503:
    case 504:
      return ' The service or a gateway in front of it is temporarily unavailable; try again later.';
    default:
      return '';
  }
}

export interface ResponseErrorOptions {
  /** Appended to the message, e.g. how often the request was retried. */
  note?: string;
  service?: ServiceKind;
}

export function errorFromResponse(response: HttpResponse, options: ResponseErrorOptions = {}): D365Error {
  const { request, status } = response;
  const fault = parseServiceFault(response.body, response.headers['content-type']);
  const label = request.operation ?? `${request.method} ${new URL(request.url).pathname}`;
  const detail = (fault.message ?? `HTTP ${status} with no error details`).replace(/\.\s*$/, '');
  const codePart = fault.code ? `, code ${fault.code}` : '';
  const note = options.note ? ` ${options.note}` : '';
  return new D365Error(`${label}: ${detail} (HTTP ${status}${codePart}).${hintFor(response)}${note}`, {
    status,
    code: fault.code,
    requestId: requestIdOf(response),
    retryable: isRetryableStatus(status),
    limit: status === 429 ? classifyThrottle(fault.code, request.url, options.service) : undefined,
    operation: request.operation,
  });
}

/** Outermost policy: callers get a response only for 1xx–3xx; everything else is a D365Error. */
/**
 * A $batch that stops at a failure answers 400 with a multipart body saying which part failed; the batch parser
 * needs that body, so such answers pass through (throttling and auth failures come back as JSON and still throw).
 */
export function isBatchAnswer(response: HttpResponse): boolean {
  return /\/\$batch(\?|$)/.test(response.request.url) && /^multipart\/mixed/i.test(response.headers['content-type'] ?? '');
}

export function errorResponsePolicy(service?: ServiceKind): Policy {
  return {
    name: 'error-response',
    async send(request, next) {
      const response = await next(request);
      if (response.status >= 400 && !isBatchAnswer(response)) throw errorFromResponse(response, { service });
      return response;
    },
  };
}
