/**
 * The HTTPS front of the emulator: buffers each request (bounded), hands it to the first handler that claims it,
 * and writes the response, applying the transport-level faults (slow answers, a connection reset mid-body).
 */
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorRequest, EmulatorResponse } from './http/types';

export interface TransportFault {
  delayMs?: number;
  /** Destroy the socket after this many body bytes. */
  resetAfterBytes?: number;
}

export type ServerHandler = (req: EmulatorRequest) => Promise<{ response: EmulatorResponse; fault?: TransportFault }>;

export interface ServerOptions {
  port: number;
  key: string;
  cert: string;
  maxBodyBytes: number;
  handler: ServerHandler;
  /** Looks at the method, URL and headers before the body is read; a response here is sent and the body discarded. */
  refuseBeforeBody?: (req: Omit<EmulatorRequest, 'body'>) => EmulatorResponse | undefined;
  onError?: (err: Error) => void;
}

export interface RunningServer {
  port: number;
  origin: string;
  close(): Promise<void>;
}

const tooLarge = (limit: number): EmulatorResponse => ({
  status: 413,
  headers: { 'content-type': 'application/json; odata.metadata=minimal', connection: 'close' },
  body: JSON.stringify({ error: { code: '0x8006088d', message: `The request body is larger than the limit of ${limit} bytes.` } }),
});

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = https.createServer({ key: options.key, cert: options.cert }, (req, res) => {
    void serve(req, res, options);
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 30000;
  server.requestTimeout = 120000;
  const sockets = new Set<import('node:stream').Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        origin: `https://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, options: ServerOptions) {
  const host = req.headers.host ?? '127.0.0.1';
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `https://${host}`);
  } catch {
    refuseUnread(req, res, { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Malformed request URL.' });
    return;
  }
  const method = req.method ?? 'GET';
  const early = options.refuseBeforeBody?.({ method, url, headers: req.headers });
  if (early) {
    refuseUnread(req, res, early);
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, options.maxBodyBytes);
  } catch (e) {
    if ((e as Error).message === 'too large') refuseUnread(req, res, tooLarge(options.maxBodyBytes));
    else res.destroy();
    return;
  }
  try {
    const { response, fault } = await options.handler({ method, url, headers: req.headers, body });
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    send(res, response, fault?.resetAfterBytes);
  } catch (e) {
    options.onError?.(e as Error);
    send(res, {
      status: 500,
      headers: { 'content-type': 'application/json; odata.metadata=minimal' },
      body: JSON.stringify({ error: { code: '0x80040216', message: 'An unexpected error occurred in the emulator.' } }),
    });
  }
}

/** Answers without keeping the body: the connection closes after the answer and what the client still sends is dropped. */
function refuseUnread(req: IncomingMessage, res: ServerResponse, response: EmulatorResponse) {
  send(res, { ...response, headers: { ...response.headers, connection: 'close' } });
  req.resume();
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new Error('too large'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new Error('too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: EmulatorResponse, resetAfterBytes?: number) {
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
  if (resetAfterBytes !== undefined && body.length === 0) {
    // Nothing to cut short (a 204 to a write): drop the connection before the status line, so the client cannot tell
    // whether the request was applied.
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string | string[] | number> = { ...response.headers };
  if (response.status !== 204 && response.status !== 304) headers['content-length'] = body.length;
  res.writeHead(response.status, headers);
  if (resetAfterBytes !== undefined) {
    res.write(body.subarray(0, Math.min(resetAfterBytes, body.length - 1)), () => res.socket?.destroy());
    return;
  }
  res.end(response.status === 204 || response.status === 304 ? undefined : body);
}
