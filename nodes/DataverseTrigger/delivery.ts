/**
 * One POST from Dataverse: check the secret (constant time), parse the RemoteExecutionContext with size, depth and
 * key limits, drop a delivery already seen, and turn the rest into one item. Nothing here throws to n8n: a refused
 * or ignored request is answered directly and logged, so no execution starts and no workflow fails.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { parseRemoteExecutionContext, verifyWebhookAuth, WebhookPayloadError, type ParsedExecutionContext } from '../../client/dataverse';
import { DELIVERY_HEADER } from './registration';
import { readState, RECENT_LIMIT } from './state';

/** Dataverse trims its messages to 256 KB; anything much larger did not come from it. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;

const EVENT_NAMES: Record<string, string> = { Create: 'created', Update: 'updated', Delete: 'deleted' };

/**
 * Keys seen by this process, per trigger node. Static data is read when a request arrives and written after it is
 * answered, so two copies of one event arriving together would both pass a check on static data alone.
 */
const seenInProcess = new Map<string, string[]>();

function remember(list: string[], key: string): void {
  list.push(key);
  if (list.length > RECENT_LIMIT) list.splice(0, list.length - RECENT_LIMIT);
}

/**
 * The identity of one delivery: the platform operation (OperationId; the same on a retry of that operation), its
 * correlation and request ids, the message, the row and the step. A replayed or retried body has the same key;
 * two different changes never do.
 */
export function deliveryKey(context: ParsedExecutionContext): string {
  const raw = context.raw;
  const owner = raw.OwningExtension as { Id?: unknown } | null | undefined;
  const parts = [raw.OperationId, raw.CorrelationId, raw.RequestId, context.message, context.table, context.rowId, owner?.Id, raw.Stage, raw.OperationCreatedOn];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}

export interface TriggerItemOptions {
  includeRaw: boolean;
}

/** The friendly item: what happened to which row, with its columns, images and who did it; the raw context last. */
export function triggerItem(context: ParsedExecutionContext, options: TriggerItemOptions): IDataObject {
  const item: IDataObject = {
    event: EVENT_NAMES[context.message] ?? context.message,
    table: context.table,
    id: context.rowId,
    columns: context.row,
    changedColumns: context.changedColumns,
    preImage: context.preImage,
    postImage: context.postImage,
    userId: context.userId,
    initiatingUserId: context.initiatingUserId,
    time: context.operationCreatedOn,
    correlationId: context.correlationId,
    operationId: typeof context.raw.OperationId === 'string' ? context.raw.OperationId : null,
    truncated: context.truncated,
  };
  if (options.includeRaw) item.raw = context.raw as IDataObject;
  return item;
}

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
  const res = ctx.getResponseObject();
  res.status(status).json(body);
  return { noWebhookResponse: true };
}

function bodyOf(ctx: IWebhookFunctions): Buffer | object {
  const raw = (ctx.getRequestObject() as { rawBody?: unknown }).rawBody;
  // The bytes as received, so the size and depth limits apply before any parsing; n8n's parsed body otherwise.
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw : ctx.getBodyData();
}

export function handleDelivery(ctx: IWebhookFunctions): IWebhookResponseData {
  const node = ctx.getNode();
  const log = (level: 'info' | 'warn', message: string) => ctx.logger[level](`Dataverse Trigger "${node.name}": ${message}`, { workflowId: ctx.getWorkflow().id });
  const data = ctx.getWorkflowStaticData('node');
  const state = readState(data);
  const req = ctx.getRequestObject();

  if (!state.secret) {
    log('warn', 'refused a delivery: this node holds no registration secret (activate the workflow to register it).');
    return answer(ctx, 401, { message: 'Unauthorized' });
  }
  if (!verifyWebhookAuth({ url: req.originalUrl ?? req.url, headers: req.headers }, { kind: 'httpHeader', headers: { [DELIVERY_HEADER]: state.secret } })) {
    log('warn', `refused a delivery with a missing or wrong secret (from ${req.ip ?? 'an unknown address'}).`);
    return answer(ctx, 401, { message: 'Unauthorized' });
  }

  let context: ParsedExecutionContext;
  try {
    context = parseRemoteExecutionContext(bodyOf(ctx), { maxBytes: MAX_DELIVERY_BYTES });
  } catch (error) {
    const reason = error instanceof WebhookPayloadError ? error.reason : 'wrongShape';
    const message = error instanceof WebhookPayloadError ? error.message : 'Invalid webhook payload.';
    log('warn', `refused a delivery: ${message}`);
    return answer(ctx, reason === 'tooLarge' ? 413 : 400, { message, reason });
  }

  const key = deliveryKey(context);
  const scope = `${ctx.getWorkflow().id ?? ''}:${node.id || node.name}`;
  const memory = seenInProcess.get(scope) ?? [];
  seenInProcess.set(scope, memory);
  const recent = state.recentDeliveries ?? [];
  if (memory.includes(key) || recent.includes(key)) {
    log('info', `ignored a repeated delivery of ${context.message} of ${context.table} ${context.rowId}.`);
    return { webhookResponse: { ignored: 'duplicate' } };
  }
  remember(memory, key);
  remember(recent, key);
  data.recentDeliveries = recent;

  const includeRaw = (ctx.getNodeParameter('options.includeRaw', true) as boolean) !== false;
  return { workflowData: [[{ json: triggerItem(context, { includeRaw }) }]] };
}
