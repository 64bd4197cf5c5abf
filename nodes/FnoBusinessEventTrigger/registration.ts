/**
 * Automatic setup: on activation an HTTPS business event endpoint whose URL is this node's webhook URL with a new
 * secret in its query, and the chosen event activated for the chosen legal entity on it; on
 * deactivation both removed. The endpoint name is derived from the workflow and the node, so after a crash between
 * creating and saving, the next activation finds and replaces the leftovers instead of adding a second endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IHookFunctions } from 'n8n-workflow';
import type { FnoConnection } from '../../client/connect';
import {
  activateBusinessEvent,
  createHttpsEndpoint,
  deactivateBusinessEvent,
  deleteEventEndpoint,
  listEventActivations,
  listEventEndpoints,
} from '../../client/fno/business-events';
import { D365Error } from '../../client/http/errors';
import { InputError } from '../shared/errors';
import { SECRET_PARAMETER } from './delivery';
import { chosenEvent, chosenLegalEntity } from './settings';
import { clearRegistration, readState, registrationSlot, writeRegistration } from './state';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The editor's "Listen for test event" registers n8n's test URL: it gets its own endpoint and static data. */
export function isTestWebhook(ctx: IHookFunctions): boolean {
  return ctx.getMode() === 'manual' || /\/webhook-test\//.test(ctx.getNodeWebhookUrl('default') ?? '');
}

/**
 * `n8n-<workflow id>-<hash of the node id>` (`-test` for the test URL): stable across restarts and renames, unique
 * per trigger node.
 */
export function endpointName(ctx: IHookFunctions): string {
  const node = ctx.getNode();
  const workflowId = String(ctx.getWorkflow().id ?? 'unsaved').replace(/[^\w.-]/g, '').slice(0, 36);
  return `n8n-${workflowId}-${sha256(node.id || node.name).slice(0, 12)}${isTestWebhook(ctx) ? '-test' : ''}`;
}

function slot(ctx: IHookFunctions) {
  return registrationSlot(ctx.getWorkflowStaticData('node'), isTestWebhook(ctx));
}

interface Wanted {
  name: string;
  url: string;
  businessEventId: string;
  legalEntity: string;
  fingerprint: string;
}

function wanted(ctx: IHookFunctions): Wanted {
  const url = ctx.getNodeWebhookUrl('default');
  if (!url) throw new InputError('n8n did not give this node a webhook URL.', 'NoWebhookUrl');
  const name = endpointName(ctx);
  const businessEventId = chosenEvent(ctx, 'automatic');
  const legalEntity = chosenLegalEntity(ctx);
  return { name, url, businessEventId, legalEntity, fingerprint: sha256(JSON.stringify([name, url, businessEventId, legalEntity])) };
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** True when the call succeeded, false when the row was already gone (404); any other failure is thrown. */
async function tolerateNotFound(call: Promise<void>): Promise<boolean> {
  const failure = await call.then(
    () => undefined,
    (e: unknown) => e ?? new Error('The call failed.'),
  );
  if (failure === undefined) return true;
  if (failure instanceof D365Error && failure.status === 404) return false;
  throw failure;
}

/** True when the endpoint and activation this node's settings ask for are in F&O and in the static data. */
export async function registrationExists(ctx: IHookFunctions, fno: FnoConnection): Promise<boolean> {
  const state = readState(slot(ctx));
  const want = wanted(ctx);
  if (!state.secret || state.endpointName !== want.name || state.fingerprint !== want.fingerprint) return false;
  const endpoints = await listEventEndpoints(fno.context);
  if (!endpoints.some((e) => sameName(e.name, want.name))) return false;
  const activations = await listEventActivations(fno.context);
  return activations.some((a) => sameName(a.endpointName, want.name) && a.businessEventId === want.businessEventId && a.legalEntity === want.legalEntity);
}

/** Removes every activation on this node's endpoint, then the endpoint; returns how many rows went. */
async function removeLeftovers(fno: FnoConnection, name: string): Promise<number> {
  let removed = 0;
  for (const activation of (await listEventActivations(fno.context)).filter((a) => sameName(a.endpointName, name))) {
    if (await tolerateNotFound(deactivateBusinessEvent(fno.context, activation))) removed++;
  }
  if ((await listEventEndpoints(fno.context)).some((e) => sameName(e.name, name))) {
    if (await tolerateNotFound(deleteEventEndpoint(fno.context, name))) removed++;
  }
  return removed;
}

export async function createRegistration(ctx: IHookFunctions, fno: FnoConnection): Promise<string> {
  const data = slot(ctx);
  const want = wanted(ctx);
  await removeLeftovers(fno, want.name);
  // A new key per endpoint: an old endpoint's URL (perhaps kept in F&O's error log) no longer opens this one.
  const secret = randomBytes(32).toString('base64url');
  const url = new URL(want.url);
  url.searchParams.set(SECRET_PARAMETER, secret);
  await createHttpsEndpoint(fno.context, want.name, url.href);
  const failure = await activateBusinessEvent(fno.context, { businessEventId: want.businessEventId, legalEntity: want.legalEntity, endpointName: want.name }).then(
    () => undefined,
    (e: unknown) => e ?? new Error('The activation failed.'),
  );
  if (failure !== undefined) {
    // No endpoint without its activation: the next attempt starts clean.
    await deleteEventEndpoint(fno.context, want.name).catch(() => undefined);
    throw failure;
  }
  writeRegistration(data, { endpointName: want.name, secret, businessEventId: want.businessEventId, legalEntity: want.legalEntity, fingerprint: want.fingerprint });
  return want.name;
}

/** Removes this node's endpoint and activations (by name, so also those of a registration never saved). */
export async function deleteRegistration(ctx: IHookFunctions, fno: FnoConnection): Promise<number> {
  const data = slot(ctx);
  const removed = await removeLeftovers(fno, readState(data).endpointName ?? endpointName(ctx));
  clearRegistration(data);
  if (isTestWebhook(ctx)) delete ctx.getWorkflowStaticData('node').testRegistration;
  return removed;
}
