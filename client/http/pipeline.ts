/**
 * createPipeline: the policies in the order a request meets them. Outside the retry loop: things done once per
 * send (request id, fixed headers, the origin check, turning a final failure into a D365Error). Inside: things done
 * per attempt (token, concurrency slot, events, the wire).
 */
import { throwIfAborted } from './abort';
import type { TokenProvider } from '../auth/types';
import { bearerTokenPolicy } from './bearer-token';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { concurrencyPolicy } from './concurrency-policy';
import { hostPinningPolicy } from './host-pinning';
import { loggingPolicy, redactingSink } from './logging';
import { odataHeadersPolicy } from './odata-headers';
import { requestIdPolicy } from './request-id';
import { errorResponsePolicy } from './response-error';
import { retryPolicy, type RetryOptions } from './retry-policy';
import type { ServiceKind } from './service-limits';
import { throttlingRetryStrategy } from './throttling-retry';
import { timeoutPolicy } from './timeout';
import { transientRetryStrategy } from './transient-retry';
import { createNodeTransport } from './transport';
import type { EventSink, HttpRequest, HttpResponse, Policy, SendNext, Transport } from './types';
import { userAgentPolicy } from './user-agent';

export interface PipelineOptions {
  /** The environment (token audience); credentials are sent to this origin only. */
  environmentUrl: string;
  /** Omitted: requests go out without Authorization (the pipeline still refuses other origins). */
  tokenProvider?: TokenProvider;
  /** Product token put before ours in User-Agent, e.g. 'n8n-dataverse-node/1.0'. */
  userAgent?: string;
  /** Default: Node https/http with a keep-alive agent. */
  transport?: Transport;
  events?: EventSink;
  retry?: Partial<RetryOptions>;
  /** Per-attempt timeout; default 120 s. */
  timeoutMs?: number;
  /** A limiter shared with other pipelines of the same connection, false for none; default a new one. */
  concurrency?: ConcurrencyLimiter | false;
  /** Extra CA certificate (PEM) for the default transport, e.g. the emulator's. */
  ca?: string | Buffer;
  /** For jitter; tests make it deterministic. */
  random?: () => number;
  /** Which service the URLs belong to, for classifying 429s; inferred from the path when omitted. */
  service?: ServiceKind;
}

export interface Pipeline {
  /** Resolves with 1xx–3xx responses; rejects with D365Error for 4xx/5xx, network failures and cancellation. */
  send(request: HttpRequest): Promise<HttpResponse>;
  limiter: ConcurrencyLimiter | undefined;
  /** Releases keep-alive sockets of the default transport. */
  close(): void;
}

function compose(policies: Policy[], transport: Transport): SendNext {
  // async wrappers: a policy that throws synchronously still yields a rejected promise.
  return policies.reduceRight<SendNext>((next, policy) => async (request) => policy.send(request, next), async (request) => transport(request));
}

function normalized(request: HttpRequest): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  return { ...request, headers };
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const events = redactingSink(options.events);
  const limiter = options.concurrency === false ? undefined : (options.concurrency ?? new ConcurrencyLimiter({ events }));
  const nodeTransport = options.transport ? undefined : createNodeTransport({ ca: options.ca });
  const transport = options.transport ?? nodeTransport!;

  const policies: Policy[] = [
    errorResponsePolicy(options.service),
    requestIdPolicy(),
    userAgentPolicy(options.userAgent),
    odataHeadersPolicy(),
    timeoutPolicy(options.timeoutMs),
    hostPinningPolicy(options.environmentUrl),
    retryPolicy([throttlingRetryStrategy({ service: options.service }), transientRetryStrategy()], {
      retry: options.retry,
      events,
      random: options.random,
      service: options.service,
      concurrency: limiter ? () => limiter.stats().limit : undefined,
    }),
  ];
  if (options.tokenProvider) policies.push(bearerTokenPolicy(options.tokenProvider, options.environmentUrl, events));
  if (limiter) policies.push(concurrencyPolicy(limiter));
  if (events) policies.push(loggingPolicy(events));
  const send = compose(policies, transport);

  return {
    async send(request) {
      const ready = normalized(request);
      throwIfAborted(ready);
      return send(ready);
    },
    limiter,
    close: () => nodeTransport?.close(),
  };
}
