/**
 * One call that wires a Dataverse environment: token provider (client/auth), HTTP pipeline (client/http) and the
 * Web API client (client/dataverse); connectFno does the same for Finance & Operations (client/fno). The resource, the pinned origin and the CA are given once, so they cannot
 * disagree between the parts.
 */
import { createTokenProvider, type TokenProvider, type TokenProviderOptions } from './auth';
import { DataverseClient } from './dataverse';
import { FnoClient } from './fno/client';
import { createNodeTransport, createPipeline, type ConcurrencyLimiter, type RetryOptions } from './http';
import type { EventSink } from './http/types';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface DataverseConnectionOptions {
  /** e.g. https://contoso.crm.dynamics.com — the token audience and the only origin the token is sent to. */
  environmentUrl: string;
  /** How to get tokens (secret, certificate, delegated, callback) or a ready TokenProvider. */
  credentials: DistributiveOmit<TokenProviderOptions, 'resource' | 'events' | 'ca'> | TokenProvider;
  /** Extra CA to trust (the emulator's), for both the token endpoint and the Web API. */
  ca?: string | Buffer;
  events?: EventSink;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
  userAgent?: string;
  /** A limiter shared with other connections of the same user, or false to disable adaptive concurrency. */
  concurrency?: ConcurrencyLimiter | false;
  apiVersion?: string;
}

export interface DataverseConnection extends DataverseClient {
  /** The pipeline's adaptive concurrency limiter (shared by every call of this connection). */
  readonly limiter: ConcurrencyLimiter | undefined;
  /** Frees keep-alive sockets; the connection must not be used afterwards. */
  close(): void;
}

function isTokenProvider(value: unknown): value is TokenProvider {
  return typeof (value as TokenProvider).getToken === 'function' && typeof (value as TokenProvider).invalidate === 'function';
}

export function connectDataverse(options: DataverseConnectionOptions): DataverseConnection {
  const tokenProvider = isTokenProvider(options.credentials)
    ? options.credentials
    : createTokenProvider({ ...options.credentials, resource: options.environmentUrl, events: options.events, ca: options.ca } as TokenProviderOptions);
  const pipeline = createPipeline({
    environmentUrl: options.environmentUrl,
    tokenProvider,
    ca: options.ca,
    events: options.events,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent,
    concurrency: options.concurrency,
    service: 'dataverse',
  });
  const client = new DataverseClient({ environmentUrl: options.environmentUrl, apiVersion: options.apiVersion, send: pipeline.send });
  return Object.assign(client, { limiter: pipeline.limiter, close: () => pipeline.close() });
}

export interface FnoConnectionOptions extends Omit<DataverseConnectionOptions, 'apiVersion' | 'environmentUrl'> {
  /** e.g. https://contoso.operations.dynamics.com — the token audience (`<url>/.default`) and the only origin the token goes to. */
  environmentUrl: string;
  /** Default legal entity (dataAreaId) of every call; default: the user's default company in F&O. */
  company?: string;
  /** Read `$metadata` for key types and company-specific entities (default true). */
  metadata?: boolean;
}

export interface FnoConnection extends FnoClient {
  readonly limiter: ConcurrencyLimiter | undefined;
  close(): void;
}

/**
 * The same wiring for Finance & Operations: token for the F&O URL, the pipeline with F&O's throttling rules, and a
 * separate plain transport for Data management's SAS blob URLs, which must never receive the bearer token.
 */
export function connectFno(options: FnoConnectionOptions): FnoConnection {
  const tokenProvider = isTokenProvider(options.credentials)
    ? options.credentials
    : createTokenProvider({ ...options.credentials, resource: options.environmentUrl, events: options.events, ca: options.ca } as TokenProviderOptions);
  const pipeline = createPipeline({
    environmentUrl: options.environmentUrl,
    tokenProvider,
    ca: options.ca,
    events: options.events,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent,
    concurrency: options.concurrency,
    service: 'fno',
  });
  const blobTransport = createNodeTransport({ ca: options.ca });
  const client = new FnoClient({
    environmentUrl: options.environmentUrl,
    send: pipeline.send,
    company: options.company,
    metadata: options.metadata,
    blobTransport,
  });
  return Object.assign(client, {
    limiter: pipeline.limiter,
    close: () => {
      pipeline.close();
      blobTransport.close();
    },
  });
}
