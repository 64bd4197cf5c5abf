/**
 * The end of the pipeline: one HTTP exchange over Node's http/https with a keep-alive agent (TLS handshakes are the
 * costly part of short Web API calls). The body is read fully, so a connection that breaks mid-body is an error here,
 * never a truncated JSON document further up.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { abortedError } from './abort';
import { D365Error } from './errors';
import { DEFAULT_TIMEOUT_MS } from './timeout';
import type { HttpRequest, HttpResponse, Transport } from './types';

export interface NodeTransportOptions {
  /** Extra CA certificate(s) in PEM, trusted in addition to Node's bundled roots (the emulator's CA). */
  ca?: string | Buffer;
  /** Sockets per origin; the concurrency limiter is what normally bounds parallelism. */
  maxSockets?: number;
}

export interface NodeTransport extends Transport {
  /** Closes idle keep-alive sockets. */
  close(): void;
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const PERMANENT_CODES = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR']);

const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);
/** Enough to drain a pool of sockets the server closed meanwhile; a live server answers on a fresh one. */
const MAX_STALE_SOCKET_RETRIES = 8;

/** A request refused by a pooled socket the server had already closed: it never reached the server. */
class StaleSocketError extends Error {
  constructor(readonly failure: D365Error) {
    super(failure.message);
  }
}

function label(request: HttpRequest): string {
  return request.operation ?? `${request.method} ${new URL(request.url).pathname}`;
}

function networkError(request: HttpRequest, error: NodeJS.ErrnoException, phase: string): D365Error {
  const code = error.code ?? 'ECONNRESET';
  const origin = new URL(request.url).origin;
  if (TLS_TRUST_CODES.has(code)) {
    return new D365Error(
      `${label(request)}: the TLS certificate of ${origin} is not trusted (${code}: ${error.message}); for the emulator, pass its CA certificate (caCertFile) as the ca option`,
      { code, retryable: false, operation: request.operation, cause: error },
    );
  }
  return new D365Error(`${label(request)}: the connection to ${origin} failed ${phase} (${code}: ${error.message})`, {
    code,
    retryable: !PERMANENT_CODES.has(code),
    operation: request.operation,
    cause: error,
  });
}

function timeoutError(request: HttpRequest, timeoutMs: number): D365Error {
  return new D365Error(`${label(request)}: no complete answer from ${new URL(request.url).origin} within ${timeoutMs} ms`, {
    code: 'ETIMEDOUT',
    retryable: true,
    operation: request.operation,
  });
}

function flattenHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function createNodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  // Node's `ca` replaces the default roots; adding them back keeps real Microsoft hosts verifiable alongside the emulator.
  // One secure context built up front: passed as `ca`, the ~150 roots would be joined into the agent's pool key on
  // every request and parsed again for every new socket.
  const secureContext = options.ca ? tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca.toString()] }) : undefined;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const httpsAgent = new https.Agent({ ...agentOptions, secureContext });
  const httpAgent = new http.Agent(agentOptions);

  const send = (request: HttpRequest): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
      const headers: Record<string, string> = { ...request.headers };
      if (body) headers['content-length'] = String(body.length);
      const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const signal = request.signal;

      let settled = false;
      let timer: NodeJS.Timeout | undefined = undefined;
      let req: http.ClientRequest | undefined;
      let answered = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (error: D365Error) => {
        finish(() => reject(error));
        req?.destroy();
      };
      const onAbort = () => fail(abortedError(request, signal));
      if (signal?.aborted) return onAbort();

      try {
        req = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? httpsAgent : httpAgent }, (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => fail(networkError(request, error, 'while reading the response body')));
          // 'close' without a complete message: the socket died mid-body (Content-Length or chunked framing unmet).
          res.on('close', () => {
            if (!res.complete) fail(networkError(request, Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), 'while reading the response body'));
          });
          res.on('end', () => {
            if (!res.complete) return;
            finish(() => resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks), request }));
          });
        });
      } catch (error) {
        // Invalid header values are refused synchronously, before anything is sent.
        return fail(networkError(request, error as NodeJS.ErrnoException, 'before the request was sent'));
      }
      req.on('error', (error: NodeJS.ErrnoException) => {
        const failure = networkError(request, error, 'before an answer arrived');
        if (req?.reusedSocket && !answered && STALE_SOCKET_CODES.has(error.code ?? '')) return finish(() => reject(new StaleSocketError(failure)));
        fail(failure);
      });
      timer = setTimeout(() => fail(timeoutError(request, timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });

  // A pooled keep-alive socket may have been closed by the server while this process was busy (building thousands
  // of requests keeps the event loop from seeing the close). Writing to it fails with ECONNRESET or EPIPE before any
  // byte of an answer; the server never read the request, so it is sent again on another socket (Node's documented
  // pattern, `req.reusedSocket`). Anything else, and any failure after an answer began, is reported as it is.
  const transport = async (request: HttpRequest): Promise<HttpResponse> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(request);
      } catch (error) {
        if (!(error instanceof StaleSocketError) || attempt >= MAX_STALE_SOCKET_RETRIES) throw error instanceof StaleSocketError ? error.failure : error;
      }
    }
  };

  return Object.assign(transport, {
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  });
}
