/** The client's HTTP layer: createPipeline and the pieces other client folders build on. */
export type { ClientEvent, EventSink, HttpRequest, HttpResponse, Policy, SendNext, Transport } from './types';
export { D365Error, type D365ErrorDetails, type ServiceLimit } from './errors';
export { createPipeline, type Pipeline, type PipelineOptions } from './pipeline';
export { assertSameOrigin } from './host-pinning';
export { redact, redactUrl } from './redact';
export { ConcurrencyLimiter, type ConcurrencyLimiterOptions, type LimiterStats } from './concurrency-limiter';
export { errorFromResponse, parseServiceFault, requestIdOf } from './response-error';
export { isIdempotent } from './transient-retry';
export { parseRetryAfterMs } from './throttling-retry';
export { classifyThrottle, type ServiceKind } from './service-limits';
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './retry-policy';
export { createNodeTransport, type NodeTransportOptions } from './transport';
