/** Test helpers: start the emulator, get a real token from its Entra endpoint, and call it over HTTPS. */
import * as https from 'node:https';
import { startEmulator, EmulatorOptions, RunningEmulator } from '../../emulator';
import { useFixture } from './fixture';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export function httpsRequest(
  emulator: Pick<RunningEmulator, 'caCertPem'>,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers: options.headers, ca: emulator.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Response headers as single strings (repeated ones joined with ', '), as MSAL and HttpResponse expect them. */
export function flatHeaders(headers: HttpResult['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

export async function appToken(emulator: RunningEmulator, resource = emulator.dataverseUrl): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: emulator.clientId,
    client_secret: emulator.clientSecret,
    scope: `${resource.replace(/\/$/, '')}/.default`,
  });
  const res = await httpsRequest(emulator, 'POST', `${emulator.authorityUrl}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json.access_token;
}

/** GET WhoAmI, with a bearer token when one is given. */
export function whoAmI(emulator: RunningEmulator, token?: string): Promise<HttpResult> {
  const headers: Record<string, string> = { accept: 'application/json', 'odata-version': '4.0' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/WhoAmI`, { headers });
}

/** The payload of a JWT. */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export interface WebApi {
  emulator: RunningEmulator;
  token: string;
  api: string;
  call(method: string, path: string, options?: { headers?: Record<string, string>; body?: unknown }): Promise<HttpResult>;
}

/** Starts an emulator with a token ready; `call` sends JSON to paths relative to /api/data/v9.2/. */
export async function startWebApi(options: EmulatorOptions = {}): Promise<WebApi> {
  const emulator = await startEmulator({ limits: 'off', ...options });
  const token = await appToken(emulator);
  const api = `${emulator.dataverseUrl}api/data/v9.2/`;
  return {
    emulator,
    token,
    api,
    call: (method, path, opts = {}) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0', ...opts.headers };
      let body: string | Buffer | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      return httpsRequest(emulator, method, path.startsWith('https://') ? path : api + path, { headers, body });
    },
  };
}

/** One startWebApi for the enclosing describe (or file), stopped after it. */
export function useWebApi(options: EmulatorOptions = {}): WebApi {
  return useFixture(() => startWebApi(options), (web) => web.emulator.stop());
}

export interface FnoApi {
  emulator: RunningEmulator;
  token: string;
  /** `https://127.0.0.1:PORT2/` */
  fnoUrl: string;
  /** JSON call; paths are relative to the F&O environment URL (`data/CustomersV3`, `api/services`). */
  call(method: string, path: string, options?: { headers?: Record<string, string>; body?: unknown; token?: string }): Promise<HttpResult>;
}

/** Starts an emulator with a client-credentials token for the F&O environment (its URL is the audience). */
export async function startFnoApi(options: EmulatorOptions = {}): Promise<FnoApi> {
  const emulator = await startEmulator({ limits: 'off', ...options });
  if (!emulator.fnoUrl) throw new Error('the emulator was started without its F&O environment');
  const fnoUrl = emulator.fnoUrl;
  const token = await appToken(emulator, fnoUrl);
  return {
    emulator,
    token,
    fnoUrl,
    call: (method, path, opts = {}) => {
      const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? token}`, accept: 'application/json', ...opts.headers };
      let body: string | Buffer | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      return httpsRequest(emulator, method, path.startsWith('https://') ? path : fnoUrl + path, { headers, body });
    },
  };
}

/** One startFnoApi for the enclosing describe (or file), stopped after it. */
export function useFnoApi(options: EmulatorOptions = {}): FnoApi {
  return useFixture(() => startFnoApi(options), (api) => api.emulator.stop());
}
