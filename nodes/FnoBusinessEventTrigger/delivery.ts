/**
 * One POST from F&O: check the secret in the URL (constant time; F&O sends no signature header, the key travels in
 * the endpoint URL), read the envelope with size and depth limits, keep only the chosen event and legal entity, drop
 * an event already seen (same EventId, or same event, legal entity and ControlNumber), and turn the rest into one
 * item. Nothing here throws to n8n: refused and ignored requests are answered directly and logged, so no execution
 * starts and no workflow fails.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { safeEqual } from '../../client/dataverse/webhooks/verify';
import { answer, includeRaw, receivedBody, seenBefore, triggerLog } from '../shared/webhook-trigger';
import { EnvelopeError, eventKeys, parseBusinessEvent, type BusinessEvent } from './envelope';
import { chosenEvent, chosenLegalEntity, expectedSecrets, type SetupMode } from './settings';
import { readState, RECENT_LIMIT } from './state';

/** The query parameter of the endpoint URL that carries the shared secret. */
export const SECRET_PARAMETER = 'secret';

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
  const log = triggerLog(ctx, 'F&O Business Event Trigger');
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
    event = parseBusinessEvent(receivedBody(ctx));
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
  const recent = state.recentEvents;
  if (seenBefore(scope, keys, recent, RECENT_LIMIT)) {
    log('info', `ignored a repeated ${event.businessEventId} (EventId ${event.eventId}, ControlNumber ${event.controlNumber}).`);
    return { webhookResponse: { ignored: 'duplicate' } };
  }
  data.recentEvents = recent;

  return { workflowData: [[{ json: triggerItem(event, { includeRaw: includeRaw(ctx) }) }]] };
}
