/**
 * One webhook POST with Dataverse's delivery rules (reference §12.4): 60 s per attempt, any non-2xx or timeout is
 * a failure, and one extra attempt only after 502, 503 or 504. Only loopback targets are ever connected to.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { applyAuth } from './auth';
import { loopbackTarget } from './loopback';
import type { Registration } from './types';

export interface DeliverySettings {
  trustedCaPem: string[];
  allowHttp: boolean;
  timeoutMs: number;
  retryDelayMs: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

const RETRIED = new Set([502, 503, 504]);

export async function deliver(reg: Registration, headers: Record<string, string>, body: Buffer, settings: DeliverySettings, signal: AbortSignal): Promise<DeliveryResult> {
  let attempts = 0;
  let last: { status?: number; error?: string } = {};
  while (attempts < 2 && !signal.aborted) {
    attempts++;
    last = await postOnce(reg, headers, body, settings, signal);
    if (last.status !== undefined && last.status >= 200 && last.status < 300) return { ok: true, attempts, status: last.status };
    if (last.status === undefined || !RETRIED.has(last.status) || attempts === 2) break;
    await new Promise((resolve) => setTimeout(resolve, settings.retryDelayMs));
  }
  return { ok: false, attempts, ...last };
}

function postOnce(reg: Registration, headers: Record<string, string>, body: Buffer, settings: DeliverySettings, signal: AbortSignal): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    let target;
    try {
      target = loopbackTarget(reg.url, settings.allowHttp); // checked again: the row may predate a stricter option
    } catch (e) {
      resolve({ error: (e as Error).message });
      return;
    }
    const { url, headers: authHeaders } = applyAuth(target.url, reg.authtype, reg.authvalue);
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      host: target.connectHost,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { ...authHeaders, ...headers, host: url.host, 'content-length': String(body.length) },
      agent: false,
      signal,
    };
    // SNI only for names (RFC 6066 forbids IP literals); the certificate is still checked against the URL's host.
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (secure) Object.assign(options, { ca: settings.trustedCaPem, rejectUnauthorized: true, ...(isIP(hostname) ? {} : { servername: hostname }) });
    const req = (secure ? https : http).request(options, (res) => {
      res.resume(); // the response body is ignored, as Dataverse ignores it
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (e) => resolve({ status: res.statusCode, error: e.message }));
    });
    req.setTimeout(settings.timeoutMs, () => req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}
