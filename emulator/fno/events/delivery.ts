/**
 * One business event POST to an HTTPS endpoint with F&O's delivery rule: a failure (non-2xx, timeout, refused
 * connection) is retried 3 times, 1 second apart (both configurable). Only loopback targets are connected to,
 * checked again at every delivery, and the endpoint URL (its query may hold a key) never appears in a result.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { loopbackTarget } from '../../webhooks/loopback';

export interface EventDeliverySettings {
  trustedCaPem: string[];
  allowHttp: boolean;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

export interface EventDeliveryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

export async function deliverEvent(url: string, body: Buffer, settings: EventDeliverySettings, signal: AbortSignal): Promise<EventDeliveryResult> {
  let attempts = 0;
  let last: { status?: number; error?: string } = {};
  while (attempts <= settings.retries && !signal.aborted) {
    if (attempts > 0) await pause(settings.retryDelayMs, signal);
    attempts++;
    last = await postOnce(url, body, settings, signal);
    if (last.status !== undefined && last.status >= 200 && last.status < 300) return { ok: true, attempts, status: last.status };
  }
  return { ok: false, attempts, ...last };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function postOnce(raw: string, body: Buffer, settings: EventDeliverySettings, signal: AbortSignal): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    let target;
    try {
      target = loopbackTarget(raw, settings.allowHttp);
    } catch (e) {
      resolve({ error: (e as Error).message.replace(raw, '<endpoint url>') });
      return;
    }
    const url = target.url;
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      host: target.connectHost,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, 'content-type': 'application/json', 'content-length': String(body.length) },
      agent: false,
      signal,
    };
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (secure) Object.assign(options, { ...(settings.trustedCaPem.length > 0 ? { ca: settings.trustedCaPem } : {}), rejectUnauthorized: true, ...(isIP(hostname) ? {} : { servername: hostname }) });
    const req = (secure ? https : http).request(options, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (e) => resolve({ status: res.statusCode, error: e.message }));
    });
    req.setTimeout(settings.timeoutMs, () => req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}
