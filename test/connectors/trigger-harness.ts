/**
 * Runs a generated Dataverse connector's webhook triggers the way Power Automate does: swagger-client executes the
 * operations, requests go through the connector's script.csx compiled and run under Mono (standing where the
 * gateway does, test/helpers/csx-runner.ts) to the emulator, a loopback receiver stands for the flow's callback URL,
 * and the subscription's Location is followed back to the connector's internal unsubscribe operation.
 */
import Ajv04 from 'ajv-draft-04';
import type { OpenAPIV2 } from 'openapi-types';
import type { ConnectorPackage } from '../../connectors';
import { UNSUBSCRIBE_OPERATION, UNSUBSCRIBE_PATH } from '../../connectors/triggers';
import type { RunningEmulator } from '../../emulator';
import type { ScriptProxy } from '../helpers/csx-runner';
import { startConnectorScript } from './script-harness';
import { connect as connectThrough, routeValue, type Connection as SwaggerConnection, type SwaggerResponse } from './swagger-connection';

export { useEmulatorAndReceiver } from './callback-receiver';

export interface Connection extends SwaggerConnection {
  proxy: ScriptProxy;
  /** `http://127.0.0.1:PORT/api/data/v9.2`: the connector's base URL as the script host serves it. */
  connectorBase: string;
  /** What the platform does with the subscription's Location: DELETE through the connector's matching operation. */
  unsubscribe(location: string): Promise<SwaggerResponse>;
}

/** The connector's script started in front of the emulator and a connection through it; stop `proxy` when done. */
export async function connect(pkg: ConnectorPackage, emulator: RunningEmulator): Promise<Connection> {
  const proxy = await startConnectorScript(pkg, emulator);
  try {
    const conn = await connectThrough(pkg, emulator, { proxy });
    const unsubscribe = async (location: string) => {
      // The Location must name a route of the connector: the internal DELETE whose template it matches.
      const id = routeValue(location, conn.routedBase, UNSUBSCRIBE_PATH, 'callbackregistrationid');
      const op = (pkg.swagger.paths[UNSUBSCRIBE_PATH] as OpenAPIV2.PathItemObject | undefined)?.delete;
      if (op?.operationId !== UNSUBSCRIBE_OPERATION) throw new Error(`${UNSUBSCRIBE_PATH} has no ${UNSUBSCRIBE_OPERATION} operation`);
      return conn.run(UNSUBSCRIBE_OPERATION, { callbackregistrationid: id });
    };
    return { ...conn, proxy, connectorBase: conn.routedBase, unsubscribe };
  } catch (e) {
    await proxy.stop();
    throw e;
  }
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
