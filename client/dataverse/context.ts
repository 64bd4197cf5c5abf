/**
 * What every Dataverse operation needs: the service root, a `send` (usually client/http's pipeline) and two
 * guarantees. Links taken from responses are checked against the environment's origin before anything is sent,
 * because the pipeline attaches the bearer token to whatever URL it is given. And a non-2xx answer becomes a
 * D365Error even when `send` is a bare transport that resolves with it.
 */
import { D365Error } from '../http/errors';
import { invalidResponse } from './errors';
import { assertSameOrigin } from '../http/host-pinning';
import { errorFromResponse, isBatchAnswer } from '../http/response-error';
import type { HttpRequest, HttpResponse } from '../http/types';

export type Send = (request: HttpRequest) => Promise<HttpResponse>;

export interface DataverseClientOptions {
  /** e.g. `https://contoso.crm.dynamics.com` (a path or trailing slash is ignored). */
  environmentUrl: string;
  /** `9.2` (default) or `v9.2`. */
  apiVersion?: string;
  send: Send;
}

/** Per-call options every operation accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Extra request headers (CallerObjectId, MSCRM.BypassCustomPluginExecution…). The operation's own headers
   * (Prefer, If-Match, Content-Type…) win over these, so they cannot change what the operation means.
   */
  extraHeaders?: Record<string, string>;
}

/** Only the per-call options that are set, so requests carry no undefined fields. */
export function callOptions(options: CallOptions = {}): CallOptions {
  const out: CallOptions = {};
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.extraHeaders) out.extraHeaders = options.extraHeaders;
  return out;
}

export interface RequestSpec extends CallOptions {
  method: HttpRequest['method'];
  /** Relative to the service root (`accounts(…)`) or an absolute URL already checked with `linkUrl`. */
  path: string;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  json?: unknown;
  body?: Buffer;
  idempotent: boolean;
  operation: string;
}

export class DataverseContext {
  readonly environmentUrl: string;
  /** `9.2` */
  readonly apiVersion: string;
  /** `https://host/api/data/v9.2/` */
  readonly serviceRoot: string;
  private readonly sendRequest: Send;

  constructor(options: DataverseClientOptions) {
    let origin: string;
    try {
      origin = new URL(options.environmentUrl).origin;
    } catch {
      throw new D365Error(`The environment URL ${JSON.stringify(options.environmentUrl)} is not an absolute URL like https://contoso.crm.dynamics.com.`, {
        code: 'InvalidEnvironmentUrl',
      });
    }
    const version = String(options.apiVersion ?? '9.2').trim().replace(/^v/i, '');
    if (!/^\d+(\.\d+)*$/.test(version)) {
      throw new D365Error(`The API version '${options.apiVersion}' is not like 9.2.`, { code: 'InvalidApiVersion' });
    }
    this.environmentUrl = `${origin}/`;
    this.apiVersion = version;
    this.serviceRoot = `${origin}/api/data/v${version}/`;
    this.sendRequest = options.send;
  }

  /**
   * A URL the service handed us (nextLink, deltaLink, Location, OData-EntityId). Relative ones are resolved
   * against the service root; any other origin is refused here, before a request exists that could carry a token.
   */
  linkUrl(link: string, what: string): string {
    let url: string;
    try {
      url = new URL(link, this.serviceRoot).href;
    } catch {
      throw new D365Error(`The ${what} ${JSON.stringify(link)} in the response is not a URL.`, { code: 'InvalidLink' });
    }
    assertSameOrigin(url, this.environmentUrl);
    return url;
  }

  buildRequest(spec: RequestSpec): HttpRequest {
    const url = /^https?:\/\//i.test(spec.path) ? spec.path : this.serviceRoot + spec.path.replace(/^\/+/, '');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.extraHeaders ?? {})) headers[name.toLowerCase()] = value;
    for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: string | Buffer | undefined = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] ??= 'application/json';
    }
    const request: HttpRequest = { method: spec.method, url, headers, idempotent: spec.idempotent, operation: spec.operation };
    if (body !== undefined) request.body = body;
    if (spec.signal) request.signal = spec.signal;
    if (spec.timeoutMs !== undefined) request.timeoutMs = spec.timeoutMs;
    return request;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    // Same check the pipeline makes; repeated here so a bare `send` (tests, custom transports) is held to it too.
    assertSameOrigin(request.url, this.environmentUrl);
    const response = await this.sendRequest(request);
    if (response.status >= 400 && !isBatchAnswer(response)) throw errorFromResponse(response);
    return response;
  }

  execute(spec: RequestSpec): Promise<HttpResponse> {
    return this.send(this.buildRequest(spec));
  }

  /** Sends and parses a JSON answer; undefined for an empty body (204). */
  async executeJson<T = Record<string, unknown>>(spec: RequestSpec): Promise<T | undefined> {
    return parseJson<T>(await this.execute(spec));
  }
}

export function parseJson<T>(response: HttpResponse): T | undefined {
  const text = response.body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw invalidResponse(
      `${response.request.operation ?? response.request.method}: the service answered HTTP ${response.status} with a body that is not JSON (${(e as Error).message}).`,
      response.status,
    );
  }
}
