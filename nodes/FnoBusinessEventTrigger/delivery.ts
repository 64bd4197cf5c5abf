/**
 * One POST from F&O: check the secret in the URL (constant time; F&O sends no signature header, the key travels in
 * the endpoint URL), read the envelope with size and depth limits, keep only the chosen event and legal entity, drop
 * an event already seen (same EventId, or same event, legal entity and ControlNumber), and turn the rest into one
 * item. Nothing here throws to n8n: refused and ignored requests are answered directly and logged, so no execution
 * starts and no workflow fails.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { safeEqual } from '../../client/dataverse/webhooks/verify';
import { EnvelopeError, eventKeys, parseBusinessEvent, type BusinessEvent } from './envelope';
import { chosenEvent, chosenLegalEntity, expectedSecrets, type SetupMode } from './settings';
import { readState, remember } from './state';

/** The query parameter of the endpoint URL that carries the shared secret. */
export const SECRET_PARAMETER = 'secret';

/**
 * Keys seen by this process, per trigger node. Static data is read when a request arrives and written after it is
 * answered, so two copies of one event arriving together would both pass a check on static data alone.
 */
const seenInProcess = new Map<string, string[]>();

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
  ctx.getResponseObject().status(status).json(body);
  return { noWebhookResponse: true };
}

function bodyOf(ctx: IWebhookFunctions): Buffer | unknown {
  const raw = (ctx.getRequestObject() as { rawBody?: unknown }).rawBody;
  // The bytes as received, so the limits apply before any parsing; n8n's parsed body otherwise.
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw : ctx.getBodyData();
}

/** The secret of the request URL, only when given exactly once. */
function secretOf(ctx: IWebhookFunctions): string | undefined {
  const req = ctx.getRequestObject();
  let values: string[] = [];
  try {
    values = new URL(req.originalUrl ?? req.url ?? '', 'http://receiver.invalid').searchParams.getAll(SECRET_PARAMETER);
  } catch {
    values = [];
  }
  return values.length === 1 ? values[0] : undefined;
}

export interface TriggerItemOptions {
  includeRaw: boolean;
}

export function triggerItem(event: BusinessEvent, options: TriggerItemOptions): IDataObject {
  const { raw, ...item } = event;
  return options.includeRaw ? { ...item, raw } : { ...item };
}

export function handleDelivery(ctx: IWebhookFunctions): IWebhookResponseData {
  const node = ctx.getNode();
  const log = (level: 'info' | 'warn', message: string) => ctx.logger[level](`F&O Business Event Trigger "${node.name}": ${message}`, { workflowId: ctx.getWorkflow().id });
  const data = ctx.getWorkflowStaticData('node');
  const state = readState(data);
  const mode = ctx.getNodeParameter('setup', 'manual') as SetupMode;

  const expected = expectedSecrets(mode, data, ctx.getNodeParameter('sharedSecret', '') as string);
  if (expected.length === 0) {
    log('warn', 'refused an event: no shared secret is set up (activate the workflow, or fill in Shared Secret).');
    return answer(ctx, 401, { message: 'Unauthorized' });
  }
  const given = secretOf(ctx);
  // Every known secret is compared, so the time taken does not tell which one came close.
  const matches = expected.map((secret) => safeEqual(given, secret));
  if (!matches.includes(true)) {
    log('warn', `refused an event with a missing or wrong secret (from ${ctx.getRequestObject().ip ?? 'an unknown address'}).`);
    return answer(ctx, 401, { message: 'Unauthorized' });
  }

  let event: BusinessEvent;
  try {
    event = parseBusinessEvent(bodyOf(ctx));
  } catch (error) {
    const reason = error instanceof EnvelopeError ? error.reason : 'wrongShape';
    const message = error instanceof EnvelopeError ? error.message : 'The event could not be read.';
    log('warn', `refused an event: ${message}`);
    return answer(ctx, reason === 'tooLarge' ? 413 : 400, { message, reason });
  }

  const wantedEvent = chosenEvent(ctx, mode);
  const wantedEntity = chosenLegalEntity(ctx);
  if (event.businessEventId.toLowerCase() !== wantedEvent.toLowerCase() || (wantedEntity !== '' && event.legalEntity !== wantedEntity.toUpperCase())) {
    // 2xx: F&O would otherwise retry an event this trigger does not want.
    log('info', `ignored ${event.businessEventId} of ${event.legalEntity || 'no legal entity'}: this trigger waits for ${wantedEvent} of ${wantedEntity || 'every legal entity'}.`);
    return { webhookResponse: { ignored: 'filtered' } };
  }

  const keys = eventKeys(event);
  // The test URL's endpoint gets its own copy of each event from F&O: it must not count as a repeat of production's.
  const req = ctx.getRequestObject();
  const test = ctx.getMode() === 'manual' || /\/webhook-test\//.test(req.originalUrl ?? req.url ?? '');
  const scope = `${ctx.getWorkflow().id ?? ''}:${node.id || node.name}:${test ? 'test' : 'production'}`;
  const memory = seenInProcess.get(scope) ?? [];
  seenInProcess.set(scope, memory);
  const recent = state.recentEvents;
  if (keys.some((k) => memory.includes(k) || recent.includes(k))) {
    log('info', `ignored a repeated ${event.businessEventId} (EventId ${event.eventId}, ControlNumber ${event.controlNumber}).`);
    return { webhookResponse: { ignored: 'duplicate' } };
  }
  remember(memory, ...keys);
  remember(recent, ...keys);
  data.recentEvents = recent;

  const includeRaw = (ctx.getNodeParameter('options.includeRaw', true) as boolean) !== false;
  return { workflowData: [[{ json: triggerItem(event, { includeRaw }) }]] };
}
