/**
 * Webhook and polling triggers (reference power-automate-connectors.md §3, §4.1): x-ms-trigger is `single` or
 * `batch`; a webhook trigger (`single`) needs a parameter or body property (at any depth) marked x-ms-notification-url
 * (the platform has nowhere else to put the flow's callback URL), and should have its payload schema in
 * x-ms-notification-content on its path and a DELETE operation for the unsubscribe call on the returned Location.
 */
import { operations } from './certification-rules';
import { type IssueList, isObject, pointer } from './report';

type Obj = Record<string, unknown>;

/** `#/parameters/X` and `#/definitions/X`, one level (what generated and certified connectors use). */
function resolve(swagger: Obj, node: unknown): unknown {
  if (!isObject(node) || typeof node.$ref !== 'string') return node;
  const m = /^#\/(parameters|definitions)\/(.+)$/.exec(node.$ref);
  const holder = m ? swagger[m[1]] : undefined;
  return m && isObject(holder) ? holder[m[2].replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
}

/** Whether a body schema marks a property, at any depth, as the notification URL (certified connectors nest it). */
function schemaHasNotificationUrl(swagger: Obj, node: unknown, seen: Set<unknown>): boolean {
  const schema = resolve(swagger, node);
  if (!isObject(schema) || seen.has(schema)) return false;
  seen.add(schema);
  if (schema['x-ms-notification-url'] === true) return true;
  const children = [...(isObject(schema.properties) ? Object.values(schema.properties) : []), schema.items];
  return children.some((child) => schemaHasNotificationUrl(swagger, child, seen));
}

function hasNotificationUrl(swagger: Obj, parameters: unknown[]): boolean {
  return parameters.some((raw) => {
    const p = resolve(swagger, raw);
    if (!isObject(p)) return false;
    return p['x-ms-notification-url'] === true || (p.in === 'body' && schemaHasNotificationUrl(swagger, p.schema, new Set()));
  });
}

export function checkTriggers(swagger: Obj, issues: IssueList): void {
  const all = operations(swagger);
  const hasDelete = all.some((o) => o.method === 'delete');
  for (const { path, method, at, op } of all) {
    const kind = op['x-ms-trigger'];
    if (kind === undefined) continue;
    if (kind !== 'single' && kind !== 'batch') {
      issues.error('trigger-kind', `x-ms-trigger must be 'single' (webhook) or 'batch' (polling), not '${String(kind)}'.`, `${at}/x-ms-trigger`);
      continue;
    }
    if (kind !== 'single') continue;
    const item = (swagger.paths as Obj)[path] as Obj;
    const parameters = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
    if (method !== 'get' && !hasNotificationUrl(swagger, parameters)) {
      issues.error(
        'trigger-notification-url',
        `The webhook trigger '${String(op.operationId ?? path)}' has no parameter or body property with "x-ms-notification-url": true, so the platform cannot pass the flow's callback URL.`,
        `${at}/parameters`,
      );
    }
    if (!isObject(item['x-ms-notification-content'])) {
      issues.warn('trigger-notification-content', `The webhook trigger '${String(op.operationId ?? path)}' has no x-ms-notification-content on its path, so the flow cannot use the payload's fields.`, pointer('paths', path));
    }
    if (!hasDelete) {
      issues.warn('trigger-unsubscribe', `The webhook trigger '${String(op.operationId ?? path)}' has no DELETE operation for the platform to call on the subscription's Location.`, at);
    }
  }
}
