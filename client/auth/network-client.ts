/**
 * The HTTPS client for token requests, in MSAL's INetworkModule shape so MSAL and the refresh-token flow share it.
 * It takes an https.Agent (or a CA) so a private CA such as the emulator's is trusted for these requests only,
 * instead of process-wide through NODE_EXTRA_CA_CERTS.
 */
import * as https from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface HttpsNetworkClientOptions {
  /** Agent used for every request (connection reuse, proxies, CA). */
  httpsAgent?: https.Agent;
  /** Extra trusted CA certificate(s) in PEM; ignored when agent is given. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** A body MSAL can read as an OAuth error when the answer is not JSON (a proxy's HTML page, an empty 502). */
function nonJsonBody(status: number, contentType: string | undefined): Record<string, string> {
  return {
    error: status >= 500 || status === 429 ? 'temporarily_unavailable' : 'invalid_response',
    error_description: `The sign-in service answered HTTP ${status} with ${contentType ? `a ${contentType}` : 'an empty'} body instead of JSON.`,
  };
}

function flattenHeaders(headers: NodeJS.Dict<string | string[]>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  return result;
}

export function createHttpsNetworkClient(options: HttpsNetworkClientOptions = {}): INetworkModule {
  const agent = options.httpsAgent ?? (options.ca ? new https.Agent({ ca: options.ca, keepAlive: true }) : undefined);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  function send<T>(method: 'GET' | 'POST', url: string, request?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      // Credentials go in the body of these requests; never send them in clear text.
      if (target.protocol !== 'https:') {
        reject(new Error(`Refusing to send a token request over ${target.protocol} to ${target.host}; the sign-in service must use https.`));
        return;
      }
      const headers: Record<string, string> = { ...request?.headers };
      if (request?.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      const req = https.request(target, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = nonJsonBody(status, res.headers['content-type']);
          }
          resolve({ status, headers: flattenHeaders(res.headers), body: body as T });
        });
      });
      req.setTimeout(timeout ?? timeoutMs, () => {
        req.destroy(new Error(`The sign-in service at ${target.host} did not answer within ${timeout ?? timeoutMs} ms.`));
      });
      req.on('error', reject);
      req.end(request?.body);
    });
  }

  return {
    sendGetRequestAsync: (url, request, timeout) => send('GET', url, request, timeout),
    sendPostRequestAsync: (url, request) => send('POST', url, request),
  };
}
