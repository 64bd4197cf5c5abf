/**
 * What every F&O operation needs: the environment origin, a `send` (usually client/http's pipeline, which adds the
 * token), the default company, and a separate `blobTransport` for Azure Blob SAS URLs. The SAS signature is the
 * credential of a blob URL, so the bearer token must never go there, even when the blob host equals the
 * environment host (as with the emulator): blob requests never touch `send`.
 */
import { D365Error } from '../http/errors';
import { assertSameOrigin } from '../http/host-pinning';
import { errorFromResponse } from '../http/response-error';
import type { HttpRequest, HttpResponse, Transport } from '../http/types';
import { invalidResponse, rewordServiceError } from './errors';

export type Send = (request: HttpRequest) => Promise<HttpResponse>;

export interface FnoClientOptions {
  /** e.g. `https://contoso.operations.dynamics.com` (a path or trailing slash is ignored). */
  environmentUrl: string;
  send: Send;
  /** The legal entity (dataAreaId) used when a call names none; default: the user's default company in F&O. */
  company?: string;
  /**
   * Sends Data management package uploads and downloads to their SAS URLs. It must not add an Authorization
   * header; default: none, and package transfer then fails with a clear error.
   */
  blobTransport?: Transport;
  /** Read `$metadata` for key types and company-specific entities (default true). */
  metadata?: boolean;
}

/** Per-call options every operation accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Extra request headers; the operation's own headers win. */
  extraHeaders?: Record<string, string>;
}

export function callOptions(options: CallOptions = {}): CallOptions {
  const out: CallOptions = {};
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.extraHeaders) out.extraHeaders = options.extraHeaders;
  return out;
}

export interface RequestSpec extends CallOptions {
  method: HttpRequest['method'];
  /** Path from the environment origin (`data/CustomersV3`, `api/services/…`) or an absolute URL checked with `linkUrl`. */
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer;
  idempotent: boolean;
  operation: string;
}

export class FnoContext {
  /** `https://host/` */
  readonly environmentUrl: string;
  /** `https://host/data/` */
  readonly dataRoot: string;
  readonly company?: string;
  readonly useMetadata: boolean;
  private readonly sendRequest: Send;
  private readonly blobTransport?: Transport;

  constructor(options: FnoClientOptions) {
    let origin: string;
    try {
      origin = new URL(options.environmentUrl).origin;
    } catch {
      throw new D365Error(`The environment URL ${JSON.stringify(options.environmentUrl)} is not an absolute URL like https://contoso.operations.dynamics.com.`, {
        code: 'InvalidEnvironmentUrl',
      });
    }
    if (origin === 'null') throw new D365Error(`The environment URL ${JSON.stringify(options.environmentUrl)} has no host.`, { code: 'InvalidEnvironmentUrl' });
    this.environmentUrl = `${origin}/`;
    this.dataRoot = `${origin}/data/`;
    if (options.company !== undefined) this.company = checkCompanyId(options.company);
    this.useMetadata = options.metadata !== false;
    this.sendRequest = options.send;
    this.blobTransport = options.blobTransport;
  }

  /** A link from a response (nextLink, DownloadLocation): resolved against /data/ and refused on any other origin. */
  linkUrl(link: string, what: string): string {
    let url: string;
    try {
      url = new URL(link, this.dataRoot).href;
    } catch {
      throw new D365Error(`The ${what} ${JSON.stringify(link)} in the response is not a URL.`, { code: 'InvalidLink' });
    }
    assertSameOrigin(url, this.environmentUrl);
    return url;
  }

  buildRequest(spec: RequestSpec): HttpRequest {
    const url = /^https?:\/\//i.test(spec.path) ? spec.path : this.environmentUrl + spec.path.replace(/^\/+/, '');
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
    // The pipeline checks this too; repeated so a bare `send` is held to it as well.
    assertSameOrigin(request.url, this.environmentUrl);
    try {
      const response = await this.sendRequest(request);
      if (response.status >= 400) throw errorFromResponse(response, { service: 'fno' });
      return response;
    } catch (e) {
      throw rewordServiceError(e);
    }
  }

  execute(spec: RequestSpec): Promise<HttpResponse> {
    return this.send(this.buildRequest(spec));
  }

  async executeJson<T = Record<string, unknown>>(spec: RequestSpec): Promise<T | undefined> {
    return parseJson<T>(await this.execute(spec));
  }

  /** A request to a SAS URL: no token, no environment pinning (the signature is the credential). */
  async sendBlob(request: HttpRequest): Promise<HttpResponse> {
    if (!this.blobTransport) {
      throw new D365Error(`${request.operation}: no blob transport is configured for package transfer; pass blobTransport (connectFno does).`, { code: 'NoBlobTransport' });
    }
    const url = new URL(request.url);
    if (url.protocol !== 'https:') throw new D365Error(`${request.operation}: the package URL must use https, not ${url.protocol}.`, { code: 'InvalidLink' });
    const headers = { ...request.headers };
    delete headers.authorization;
    const response = await this.blobTransport({ ...request, headers });
    if (response.status >= 400) throw blobError(response);
    return response;
  }
}

/** Azure Blob answers errors in XML: `<Error><Code>…</Code><Message>…</Message></Error>`. */
function blobError(response: HttpResponse): D365Error {
  const text = response.body.toString('utf8');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? response.headers['x-ms-error-code'];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.split('\n')[0]?.trim();
  const op = response.request.operation ?? `${response.request.method} blob`;
  return new D365Error(`${op}: the blob storage answered HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}.`, {
    status: response.status,
    code,
    requestId: response.headers['x-ms-request-id'],
    retryable: response.status === 429 || response.status >= 500,
    operation: response.request.operation,
  });
}

export function checkCompanyId(company: unknown): string {
  if (typeof company !== 'string' || !/^[A-Za-z0-9_-]{1,8}$/.test(company.trim())) {
    throw new D365Error(`The company ${JSON.stringify(company)} is not a dataAreaId like 'usmf' (letters and digits, at most 8).`, {
      code: 'InvalidArgument',
    });
  }
  return company.trim().toLowerCase();
}

export function parseJson<T>(response: HttpResponse): T | undefined {
  const text = response.body.toString('utf8').replace(/^\uFEFF/, '');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw invalidResponse(`${response.request.operation ?? response.request.method}: the service answered HTTP ${response.status} with a body that is not JSON (${(e as Error).message}).`, response.status);
  }
}
