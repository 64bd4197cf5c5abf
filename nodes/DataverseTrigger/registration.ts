/**
 * The trigger's Dataverse registration (a webhook service endpoint with one step per event), made on activation and
 * removed on deactivation through the client's idempotent registerWebhook / unregisterWebhook.
 *
 * The endpoint's name is derived from the workflow and the node, and together with the webhook URL it identifies
 * the registration: if n8n stops between registering and saving the static data, the next activation finds the
 * same endpoint (find-or-create) instead of adding a second one, and deactivation removes it by name and URL
 * even when its id was never saved.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import type { RegisterWebhookOptions, WebhookEvent } from '../../client/dataverse';
import { D365Error } from '../../client/http/errors';
import { resolveTable } from '../Dataverse/helpers/metadata';
import { InputError, toNodeError } from '../Dataverse/helpers/errors';
import type { Connection } from '../Dataverse/transport/connection';
import { clearState, readState, writeRegistration } from './state';

/** The header Dataverse sends the secret in (HttpHeader authentication of the service endpoint). */
export const DELIVERY_HEADER = 'x-n8n-dataverse-secret';

export type TriggerEvent = 'created' | 'updated' | 'deleted';
export type ImageChoice = 'none' | 'pre' | 'post' | 'both';

const EVENT_MESSAGES: Record<TriggerEvent, WebhookEvent> = { created: 'create', updated: 'update', deleted: 'delete' };

export interface WantedRegistration {
  options: Omit<RegisterWebhookOptions, 'auth'>;
  fingerprint: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `n8n <workflow id> <hash of the node id>`: stable across restarts and renames, unique per trigger node. */
export function registrationName(ctx: IHookFunctions): string {
  const node = ctx.getNode();
  const workflowId = ctx.getWorkflow().id ?? 'unsaved';
  return `n8n ${workflowId} ${sha256(node.id || node.name).slice(0, 12)}`;
}

function chosenEvents(value: unknown): WebhookEvent[] {
  const list = Array.isArray(value) ? value : [];
  const events = [...new Set(list.filter((e): e is TriggerEvent => typeof e === 'string' && e in EVENT_MESSAGES))].map((e) => EVENT_MESSAGES[e]);
  if (events.length === 0) throw new InputError('Choose at least one event (Row Created, Row Updated or Row Deleted).', 'NoEvents');
  return events.sort();
}

function chosenColumns(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(list.map((c) => String(c).trim().toLowerCase()).filter(Boolean))].sort();
}

/** What the node's parameters ask to be registered, and a fingerprint of it (a changed setting registers again). */
export async function wantedRegistration(ctx: IHookFunctions, conn: Connection): Promise<WantedRegistration> {
  const tableName = String(ctx.getNodeParameter('table', '', { extractValue: true }) ?? '');
  const table = await resolveTable(conn, tableName);
  const events = chosenEvents(ctx.getNodeParameter('events', []));
  const filteringColumns = events.includes('update') ? chosenColumns(ctx.getNodeParameter('filteringColumns', [])) : [];
  const images = String(ctx.getNodeParameter('images', 'none')) as ImageChoice;
  const url = ctx.getNodeWebhookUrl('default');
  if (!url) throw new InputError('n8n did not give this node a webhook URL.', 'NoWebhookUrl');
  const options: WantedRegistration['options'] = {
    name: registrationName(ctx),
    url,
    table: table.logicalName,
    events,
    ...(filteringColumns.length ? { filteringColumns } : {}),
    images: {
      ...(images === 'pre' || images === 'both' ? { pre: 'all' as const } : {}),
      ...(images === 'post' || images === 'both' ? { post: 'all' as const } : {}),
    },
  };
  const fingerprint = sha256(JSON.stringify([options.name, options.url, options.table, events, filteringColumns, images]));
  return { options, fingerprint };
}

function isNotFound(error: unknown): boolean {
  return error instanceof D365Error && error.status === 404;
}

/** Whether the registration in the static data is still there and still matches the node's settings. */
export async function registrationExists(ctx: IHookFunctions, conn: Connection): Promise<boolean> {
  const state = readState(ctx.getWorkflowStaticData('node'));
  if (!state.serviceEndpointId || !state.secret) return false;
  const wanted = await wantedRegistration(ctx, conn);
  if (state.fingerprint !== wanted.fingerprint) return false;
  try {
    const row = await conn.dv.retrieve('serviceendpoints', state.serviceEndpointId, { select: ['serviceendpointid', 'name', 'url'] });
    return row.url === wanted.options.url && row.name === wanted.options.name;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw toNodeError(ctx.getNode(), error, 0);
  }
}

/**
 * Registers (or re-keys and updates) the webhook with a new secret. A registration left by earlier settings under
 * another name or URL is removed first, so changing the webhook URL never leaves the old endpoint behind.
 */
export async function createRegistration(ctx: IHookFunctions, conn: Connection): Promise<string> {
  const data: IDataObject = ctx.getWorkflowStaticData('node');
  const state = readState(data);
  const wanted = await wantedRegistration(ctx, conn);
  if (state.name && state.url && (state.name !== wanted.options.name || state.url !== wanted.options.url)) {
    await conn.dv.unregisterWebhook({ name: state.name, url: state.url });
  }
  const secret = randomBytes(32).toString('base64url');
  const registration = await conn.dv.registerWebhook({ ...wanted.options, auth: { kind: 'httpHeader', headers: { [DELIVERY_HEADER]: secret } } });
  writeRegistration(data, {
    serviceEndpointId: registration.serviceEndpointId,
    secret,
    name: wanted.options.name,
    url: wanted.options.url,
    fingerprint: wanted.fingerprint,
  });
  return registration.serviceEndpointId;
}

/**
 * Removes what this node registered: the endpoint saved in the static data and any endpoint with this node's name
 * and URL (one whose id was never saved). Returns how many endpoints were deleted.
 */
export async function deleteRegistration(ctx: IHookFunctions, conn: Connection): Promise<number> {
  const data: IDataObject = ctx.getWorkflowStaticData('node');
  const state = readState(data);
  const name = registrationName(ctx);
  const url = ctx.getNodeWebhookUrl('default');
  let removed = 0;
  if (state.serviceEndpointId) removed += (await conn.dv.unregisterWebhook({ serviceEndpointId: state.serviceEndpointId })).serviceEndpointIds.length;
  if (url) removed += (await conn.dv.unregisterWebhook({ name, url })).serviceEndpointIds.length;
  if (state.name && state.url && (state.name !== name || state.url !== url)) {
    removed += (await conn.dv.unregisterWebhook({ name: state.name, url: state.url })).serviceEndpointIds.length;
  }
  clearState(data);
  return removed;
}
