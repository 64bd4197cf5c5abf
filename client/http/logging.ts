/**
 * 'request' and 'response' events for each attempt on the wire, and the sink wrapper every event goes through:
 * values are redacted, and a failing sink cannot fail the request it was told about.
 */
import { redact, redactUrl } from './redact';
import { requestIdOf } from './response-error';
import type { ClientEvent, EventSink, Policy } from './types';

export { redact, redactUrl } from './redact';

export function redactEvent(event: ClientEvent): ClientEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'string') copy[key] = key === 'url' ? redactUrl(value) : redact(value);
  }
  return copy as unknown as ClientEvent;
}

export function redactingSink(sink: EventSink | undefined): EventSink | undefined {
  if (!sink) return undefined;
  return (event) => {
    try {
      sink(redactEvent(event));
    } catch {
      // Diagnostics must never change the outcome of a request.
    }
  };
}

export function loggingPolicy(events: EventSink, now: () => number = Date.now): Policy {
  return {
    name: 'logging',
    async send(request, next) {
      const { method, operation } = request;
      const url = redactUrl(request.url);
      events({ type: 'request', method, url, ...(operation ? { operation } : {}) });
      const startedAt = now();
      const response = await next(request);
      const requestId = requestIdOf(response);
      events({ type: 'response', method, url, status: response.status, durationMs: now() - startedAt, ...(requestId ? { requestId } : {}) });
      return response;
    },
  };
}
