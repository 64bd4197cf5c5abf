/**
 * One POST from Dataverse: check the secret (constant time), parse the RemoteExecutionContext with size, depth and
 * key limits, drop a delivery already seen, and turn the rest into one item. Nothing here throws to n8n: a refused
 * or ignored request is answered directly and logged, so no execution starts and no workflow fails.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { parseRemoteExecutionContext, verifyWebhookAuth, WebhookPayloadError, type ParsedExecutionContext } from '../../client/dataverse';
import { answer, includeRaw, receivedBody, seenBefore, triggerLog } from '../shared/webhook-trigger';
import { DELIVERY_HEADER } from './registration';
import { readState, RECENT_LIMIT } from './state';

/** Dataverse trims its messages to 256 KB; anything much larger did not come from it. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;

const EVENT_NAMES: Record<string, string> = { Create: 'created', Update: 'updated', Delete: 'deleted' };

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

export function handleDelivery(ctx: IWebhookFunctions): IWebhookResponseData {
  const node = ctx.getNode();
  const log = triggerLog(ctx, 'Dataverse Trigger');
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
    context = parseRemoteExecutionContext(receivedBody(ctx) as Buffer | object, { maxBytes: MAX_DELIVERY_BYTES });
  } catch (error) {
    const reason = error instanceof WebhookPayloadError ? error.reason : 'wrongShape';
    const message = error instanceof WebhookPayloadError ? error.message : 'Invalid webhook payload.';
    log('warn', `refused a delivery: ${message}`);
    return answer(ctx, reason === 'tooLarge' ? 413 : 400, { message, reason });
  }

  const scope = `${ctx.getWorkflow().id ?? ''}:${node.id || node.name}`;
  const recent = state.recentDeliveries ?? [];
  if (seenBefore(scope, [deliveryKey(context)], recent, RECENT_LIMIT)) {
    log('info', `ignored a repeated delivery of ${context.message} of ${context.table} ${context.rowId}.`);
    return { webhookResponse: { ignored: 'duplicate' } };
  }
  data.recentDeliveries = recent;

  return { workflowData: [[{ json: triggerItem(context, { includeRaw: includeRaw(ctx) }) }]] };
}
