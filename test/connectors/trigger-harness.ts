/**
 * Runs a generated Dataverse connector's webhook triggers the way Power Automate does: swagger-client executes the
 * operations, requests go through the connector's script.csx compiled and run under Mono (standing where the
 * gateway does, test/helpers/csx-runner.ts) to the emulator, a loopback receiver stands for the flow's callback URL,
 * and the subscription's Location is followed back to the connector's internal unsubscribe operation.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv04 from 'ajv-draft-04';
import type { OpenAPIV2 } from 'openapi-types';
import type { ConnectorPackage } from '../../connectors';
import { UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from '../../connectors/triggers';
import type { RunningEmulator } from '../../emulator';
import { OPERATION_HEADER, startScriptProxy, type ScriptProxy } from '../helpers/csx-runner';
import { appToken } from '../helpers/emulator';

// swagger-client ships no type declarations; this is the part of its API the tests use.
export interface SwaggerResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}
interface SwaggerClientInstance {
  execute(options: Record<string, unknown>): Promise<SwaggerResponse>;
}
const SwaggerClient: (options: Record<string, unknown>) => Promise<SwaggerClientInstance> = require('swagger-client');

/** A loopback receiver standing in for the flow's notification URL. */
export class Receiver {
  readonly received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(202).end();
    });
  });
  url = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/flow/callback?sig=abc`;
    return this;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Connection {
  pkg: ConnectorPackage;
  proxy: ScriptProxy;
  /** `https://127.0.0.1:PORT/api/data/v9.2`: the connector's base URL as the script host serves it. */
  connectorBase: string;
  run(operationId: string, parameters: Record<string, unknown>): Promise<SwaggerResponse>;
  /** What the platform does with the subscription's Location: DELETE through the connector's matching operation. */
  unsubscribe(location: string): Promise<SwaggerResponse>;
}

export async function connect(pkg: ConnectorPackage, emulator: RunningEmulator): Promise<Connection> {
  const doc = pkg.swagger;
  const scriptOperations = (pkg.apiProperties.properties.scriptOperations as string[] | undefined) ?? [];
  const proxy = await startScriptProxy({ script: pkg.script!.text, scriptOperations, targetUrl: emulator.dataverseUrl, caCertPem: emulator.caCertPem });
  const token = await appToken(emulator, emulator.dataverseUrl);
  const placeholderBase = `https://${doc.host}${doc.basePath}`;
  // dynamichosturl routes to the environment; the script host stands where Power Automate's gateway does.
  const connectorBase = `${proxy.url.replace(/\/$/, '')}${doc.basePath}`;
  const client = await SwaggerClient({ spec: JSON.parse(JSON.stringify(doc)) });
  const run = (operationId: string, parameters: Record<string, unknown>) =>
    client.execute({
      operationId,
      parameters,
      userFetch: fetch,
      requestInterceptor: (req: { url: string; headers: Record<string, string> }) => {
        if (!req.url.startsWith(placeholderBase)) throw new Error(`Request outside the connector's base URL: ${req.url}`);
        req.url = connectorBase + req.url.slice(placeholderBase.length);
        req.headers.Authorization = `Bearer ${token}`;
        req.headers[OPERATION_HEADER] = operationId;
        return req;
      },
    });
  // The Location must name a route of the connector: the internal DELETE whose template it matches.
  const escaped = connectorBase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const template = new RegExp(`^${escaped}${UNSUBSCRIBE_PATH.replace(/[()]/g, '\\$&').replace('{callbackregistrationid}', '([^/()?#]+)')}$`);
  const unsubscribe = async (location: string) => {
    const match = template.exec(location);
    if (!match) throw new Error(`The Location ${location} is not a route of the connector`);
    const op = (doc.paths[UNSUBSCRIBE_PATH] as OpenAPIV2.PathItemObject | undefined)?.delete;
    if (op?.operationId !== UNSUBSCRIBE_OPERATION) throw new Error(`${UNSUBSCRIBE_PATH} has no ${UNSUBSCRIBE_OPERATION} operation`);
    return run(UNSUBSCRIBE_OPERATION, { callbackregistrationid: decodeURIComponent(match[1]) });
  };
  return { pkg, proxy, connectorBase, run, unsubscribe };
}

/** The subscribe operation of a trigger path, its body schema and its notification schema. */
export function triggerAt(doc: OpenAPIV2.Document, path: string) {
  const item = doc.paths[path] as any;
  const subscribe = item.post;
  return {
    subscribe,
    body: subscribe.parameters.find((p: any) => p.in === 'body').schema,
    notification: item['x-ms-notification-content'].schema,
  };
}

/** What Power Automate sends for the internal body properties: their defaults, and the flow's URL where x-ms-notification-url is. */
export function subscription(doc: OpenAPIV2.Document, path: string, callbackUrl: string, chosen: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries<any>(triggerAt(doc, path).body.properties)) {
    if (property['x-ms-notification-url']) body[name] = callbackUrl;
    else if (property['x-ms-visibility'] === 'internal' && property.default !== undefined) body[name] = property.default;
  }
  return { ...body, ...chosen };
}

/**
 * The declared notification schema, checked with a draft-04 validator (Swagger 2.0 schemas are draft-04), with
 * `x-nullable: true` read as Power Automate reads it: null is allowed.
 */
export function notificationValidator(doc: OpenAPIV2.Document, path: string) {
  const nullable = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(nullable);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = nullable(value);
    if (out['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    if (out['x-nullable'] === true && Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  };
  const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(nullable({ ...triggerAt(doc, path).notification, definitions: doc.definitions }) as object);
}
