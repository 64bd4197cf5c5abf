/**
 * What both webhook triggers (Dataverse webhooks, F&O business events) do with a POST besides reading it: answer it
 * directly so that no execution starts for a refused request, log with the node's name, read the bytes as received,
 * and drop a delivery already seen.
 */
import type { IDataObject, INodeProperties, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { optionsFor } from './descriptions';

/** One POST webhook; the services only look at the status code, so n8n answers as soon as it has the request. */
export function postWebhook(): IWebhookDescription[] {
  return [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: 'noData', path: 'webhook' }];
}

/** The Options collection of a webhook trigger: whether the item keeps the payload as the service sent it. */
export function includeRawOptions(description: string, displayName = 'Include Raw Context'): INodeProperties {
  return optionsFor(undefined, [{ displayName, name: 'includeRaw', type: 'boolean', default: true, description }]);
}

export function includeRaw(ctx: IWebhookFunctions): boolean {
  return (ctx.getNodeParameter('options.includeRaw', true) as boolean) !== false;
}

export type TriggerLog = (level: 'info' | 'warn', message: string) => void;

/** Log lines that name the trigger and the node, with the workflow id. */
export function triggerLog(ctx: IWebhookFunctions, trigger: string): TriggerLog {
  const node = ctx.getNode();
  return (level, message) => ctx.logger[level](`${trigger} "${node.name}": ${message}`, { workflowId: ctx.getWorkflow().id });
}

/** Answers the request here, so n8n starts no execution. */
export function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
  ctx.getResponseObject().status(status).json(body);
  return { noWebhookResponse: true };
}

/** The bytes as received, so size and depth limits apply before any parsing; n8n's parsed body otherwise. */
export function receivedBody(ctx: IWebhookFunctions): unknown {
  const raw = (ctx.getRequestObject() as { rawBody?: unknown }).rawBody;
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw : ctx.getBodyData();
}

/**
 * Handles a POST; an unexpected failure still answers (the service records the failed delivery) rather than failing
 * a workflow.
 */
export function handleSafely(ctx: IWebhookFunctions, trigger: string, what: { failed: string; answer: string }, handle: (ctx: IWebhookFunctions) => IWebhookResponseData): IWebhookResponseData {
  try {
    return handle(ctx);
  } catch (error) {
    ctx.logger.error(`${trigger} "${ctx.getNode().name}": could not handle ${what.failed}: ${(error as Error).message}`, { workflowId: ctx.getWorkflow().id });
    const res = ctx.getResponseObject();
    if (!res.headersSent) res.status(500).json({ message: what.answer });
    return { noWebhookResponse: true };
  }
}

/** Adds keys to a list of recent ones, oldest first, keeping at most `limit`. */
function rememberKeys(list: string[], limit: number, ...keys: string[]): void {
  list.push(...keys);
  if (list.length > limit) list.splice(0, list.length - limit);
}

/**
 * Keys seen by this process, per trigger node. Static data is read when a request arrives and written after it is
 * answered, so two copies of one delivery arriving together would both pass a check on static data alone.
 */
const seenInProcess = new Map<string, string[]>();

/**
 * True when any key was seen before, by this process (`scope` names the trigger node) or in the static data's
 * `recent` list; otherwise both remember the keys and the delivery counts as new.
 */
export function seenBefore(scope: string, keys: string[], recent: string[], limit: number): boolean {
  const memory = seenInProcess.get(scope) ?? [];
  seenInProcess.set(scope, memory);
  if (keys.some((k) => memory.includes(k) || recent.includes(k))) return true;
  rememberKeys(memory, limit, ...keys);
  rememberKeys(recent, limit, ...keys);
  return false;
}
