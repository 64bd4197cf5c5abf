/**
 * A Power Automate connection of a generated connector, driven by the independent Swagger 2.0 client
 * swagger-client the way the platform drives a custom connector:
 * - dynamichosturl: the swagger's scheme://host/basePath is never called; the policy's urlTemplate with
 *   `token:resourceUri` = the environment URL takes its place, or, when the connector's script.csx runs
 *   (test/helpers/csx-runner.ts), the script host stands where the gateway does, with the template's path;
 * - a bearer token from the emulator's Entra endpoint for `<environment URL>/.default` (Service principal
 *   connection); internal parameters are sent with their defaults (swagger-client applies `default`);
 * - updatenextlink: an @odata.nextLink is replayed through the connector's own URL space.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { URL_TEMPLATES, type ConnectorPackage } from '../../connectors';
import type { RunningEmulator } from '../../emulator';
import { OPERATION_HEADER, type ScriptProxy } from '../helpers/csx-runner';
import { appToken } from '../helpers/emulator';

// swagger-client ships no type declarations; this is the part of its API the tests use.
export interface SwaggerResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}
interface SwaggerClientInstance {
  execute(options: Record<string, unknown>): Promise<SwaggerResponse>;
  http(request: Record<string, unknown>): Promise<SwaggerResponse>;
}
const SwaggerClient: (options: Record<string, unknown>) => Promise<SwaggerClientInstance> = require('swagger-client');

export interface Sent {
  operationId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface Connection {
  pkg: ConnectorPackage;
  /** What the maker enters as the environment URL (token:resourceUri), without a trailing slash. */
  resourceUri: string;
  /** Where the connector's base URL is routed: the urlTemplate filled in, or the script host + the template's path. */
  routedBase: string;
  /** Every request as it left swagger-client, after routing. */
  sent: Sent[];
  /** Headers added to every request (for instance a small server page size, so paging shows with few rows). */
  extraHeaders: Record<string, string>;
  run(operationId: string, parameters?: Record<string, unknown>): Promise<SwaggerResponse>;
  /** Runs an operation that must fail and returns its status and body. */
  fail(operationId: string, parameters?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** Follows an @odata.nextLink the way the connector's pageable operation does. */
  next(nextLink: string): Promise<SwaggerResponse>;
}

export interface ConnectOptions {
  service?: 'dataverse' | 'fno';
  /** The connector's script.csx running in front of the emulator; requests then go to it with their operationId. */
  proxy?: ScriptProxy;
}

/**
 * fetch for swagger-client over node:http(s), trusting the emulator's CA: Node's global fetch (undici) takes no CA
 * option. A fresh socket per request (no keep-alive), and a WHATWG Response as swagger-client expects.
 */
function fetchTrusting(ca: string) {
  return (url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const options = { method: init.method ?? 'GET', headers: init.headers, agent: false as const };
      const onResponse = (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
          }
          const status = res.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers }));
        });
      };
      const req = url.startsWith('https:') ? https.request(url, { ...options, ca }, onResponse) : http.request(url, options, onResponse);
      req.on('error', reject);
      if (init.body !== undefined && init.body !== null) req.write(typeof init.body === 'string' || Buffer.isBuffer(init.body) ? init.body : String(init.body));
      req.end();
    });
}

export async function connect(pkg: ConnectorPackage, emulator: RunningEmulator, options: ConnectOptions = {}): Promise<Connection> {
  const { service = 'dataverse', proxy } = options;
  const doc = pkg.swagger;
  const hostPolicy = pkg.apiProperties.properties.policyTemplateInstances?.find((p) => p.templateId === 'dynamichosturl');
  expect(hostPolicy).toBeDefined();
  const template = hostPolicy!.parameters['x-ms-apimTemplateParameter.urlTemplate'] as string;
  expect(template).toBe(URL_TEMPLATES[service]);
  const routed = hostPolicy!.parameters['x-ms-apimTemplate-operationName'] as string[] | undefined;

  const environmentUrl = service === 'fno' ? emulator.fnoUrl! : emulator.dataverseUrl;
  // The maker enters the environment URL without a trailing slash (the parameter's description says so).
  const resourceUri = environmentUrl.replace(/\/$/, '');
  const filled = template.replace("@connectionParameters('token:resourceUri')", resourceUri);
  const routedBase = proxy ? `${proxy.url.replace(/\/$/, '')}${new URL(filled).pathname}` : filled;
  const token = await appToken(emulator, environmentUrl);
  const placeholderBase = `${(doc.schemes ?? ['https'])[0]}://${doc.host}${doc.basePath ?? ''}`;
  const userFetch = fetchTrusting(emulator.caCertPem);
  const sent: Sent[] = [];
  const extraHeaders: Record<string, string> = {};
  let current = '';

  const requestInterceptor = (req: { url: string; method: string; headers: Record<string, string> }) => {
    if (!req.url.startsWith(placeholderBase)) throw new Error(`Request outside the connector's base URL: ${req.url}`);
    req.url = routedBase + req.url.slice(placeholderBase.length);
    req.headers.Authorization = `Bearer ${token}`;
    if (proxy) req.headers[OPERATION_HEADER] = current;
    Object.assign(req.headers, extraHeaders);
    sent.push({ operationId: current, method: req.method, url: req.url, headers: { ...req.headers } });
    return req;
  };
  const client = await SwaggerClient({ spec: JSON.parse(JSON.stringify(doc)) });

  const run = (operationId: string, parameters: Record<string, unknown> = {}) => {
    if (routed) expect(routed).toContain(operationId);
    current = operationId;
    return client.execute({ operationId, parameters, userFetch, requestInterceptor });
  };
  return {
    pkg,
    resourceUri,
    routedBase,
    sent,
    extraHeaders,
    run,
    fail: async (operationId, parameters = {}) => {
      try {
        const res = await run(operationId, parameters);
        throw new Error(`${operationId} succeeded with ${res.status} but was expected to fail`);
      } catch (e: any) {
        if (!e.response) throw e;
        return { status: e.status, body: e.response.body };
      }
    },
    next: (nextLink: string) => {
      // The link must lie under the routed base so the gateway can map it onto the connector's own URL space.
      expect(nextLink.startsWith(`${routedBase}/`)).toBe(true);
      current = 'nextLink';
      return client.http({
        url: placeholderBase + nextLink.slice(routedBase.length),
        method: 'GET',
        headers: { 'OData-Version': '4.0', 'OData-MaxVersion': '4.0', Accept: 'application/json' },
        userFetch,
        requestInterceptor,
      });
    },
  };
}

/**
 * The value a route of the connector takes for `parameter` in `url` (a subscription's Location names the internal
 * operation that removes it); an error when the URL is not that route.
 */
export function routeValue(url: string, routedBase: string, pathTemplate: string, parameter: string, valuePattern = '[^/()?#]+'): string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [before, after] = pathTemplate.split(`{${parameter}}`);
  if (after === undefined) throw new Error(`${pathTemplate} has no {${parameter}}`);
  const match = new RegExp(`^${escape(routedBase)}${escape(before)}(${valuePattern})${escape(after)}$`).exec(url);
  if (!match) throw new Error(`${url} is not the route ${routedBase}${pathTemplate} of the connector`);
  return decodeURIComponent(match[1]);
}

/** Every occurrence of the given extensions in a document (parameters and body properties), with where it is. */
export function extensionsIn(doc: object, kinds: string[]): Array<{ where: string; kind: string; spec: Record<string, any> }> {
  const found: Array<{ where: string; kind: string; spec: Record<string, any> }> = [];
  const walk = (node: unknown, where: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (kinds.includes(key)) found.push({ where, kind: key, spec: value as Record<string, any> });
      else walk(value, `${where}/${key}`);
    }
  };
  walk(doc, '#');
  return found;
}
