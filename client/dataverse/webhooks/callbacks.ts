/**
 * registerCallback / unregisterCallback: the callbackregistration row the first-party Power Automate trigger uses
 * (reference §12.5), found or created by name + url, so repeating a registration updates the one row.
 */
import type { DataverseClient } from '../client';
import type { Row } from '../crud';
import { invalidArgument } from '../errors';
import { checkEvents, checkLogicalName, checkText, checkUrl, columnsText, deleteIfPresent, listRows, oldestFirst, q } from './lookup';
import type { CallbackRegistration, CallbackRunAs, CallbackScope, RegisterCallbackOptions, UnregisterCallbackTarget, WebhookEvent } from './types';

const SCOPES: Record<CallbackScope, number> = { user: 1, businessUnit: 2, parentChildBusinessUnit: 3, organization: 4 };
const RUN_AS: Record<CallbackRunAs, number> = { modifyingUser: 1, rowOwner: 2, flowOwner: 3 };

/** 1 Added, 2 Deleted, 3 Modified, 4 Added or Modified, 5 Added or Deleted, 6 Modified or Deleted, 7 all three. */
export function callbackMessage(events: WebhookEvent[]): number {
  const has = (e: WebhookEvent) => events.includes(e);
  const c = has('create'), u = has('update'), d = has('delete');
  if (c && u && d) return 7;
  if (u && d) return 6;
  if (c && d) return 5;
  if (c && u) return 4;
  if (u) return 3;
  if (d) return 2;
  return 1;
}

async function findCallbacks(client: DataverseClient, name: string, url: string): Promise<Row[]> {
  return oldestFirst(await listRows(client, 'callbackregistrations', `name eq ${q(name)} and url eq ${q(url)}`, ['callbackregistrationid', 'createdon']));
}

export async function registerCallback(client: DataverseClient, options: RegisterCallbackOptions): Promise<CallbackRegistration> {
  const op = 'registerCallback';
  if (typeof options !== 'object' || options === null) throw invalidArgument(`${op}: options are required.`);
  const name = checkText(options.name, 'name', op, 200);
  const url = checkUrl(options.url, op);
  const table = checkLogicalName(options.table, 'table', op);
  const events = checkEvents(options.events, op);
  const scope = SCOPES[options.scope ?? 'organization'];
  if (!scope) throw invalidArgument(`${op}: scope must be user, businessUnit, parentChildBusinessUnit or organization.`);
  const runas = options.runAs === undefined ? undefined : RUN_AS[options.runAs];
  if (options.runAs !== undefined && !runas) throw invalidArgument(`${op}: runAs must be modifyingUser, rowOwner or flowOwner.`);
  const filterExpression = options.filterExpression === undefined ? null : checkText(options.filterExpression, 'filterExpression', op, 4000);
  const body: Row = {
    name, url, entityname: table, message: callbackMessage(events), scope, version: 1,
    filteringattributes: events.includes('update') ? columnsText(options.filteringColumns, op, 'filteringColumns') : null,
    filterexpression: filterExpression,
    ...(runas ? { runas } : {}),
  };
  const [found, ...duplicates] = await findCallbacks(client, name, url);
  let id: string;
  if (found) {
    id = String(found.callbackregistrationid);
    await client.update('callbackregistrations', id, body);
  } else {
    id = (await client.create('callbackregistrations', body)).id;
  }
  for (const dup of duplicates) await deleteIfPresent(client, 'callbackregistrations', String(dup.callbackregistrationid));
  return { callbackRegistrationId: id };
}

export async function unregisterCallback(client: DataverseClient, target: UnregisterCallbackTarget): Promise<{ callbackRegistrationIds: string[] }> {
  const op = 'unregisterCallback';
  if (typeof target !== 'object' || target === null) throw invalidArgument(`${op}: a name and url, or a callbackRegistrationId, is required.`);
  let ids: string[];
  if ('callbackRegistrationId' in target) {
    const id = String(target.callbackRegistrationId ?? '').toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw invalidArgument(`${op}: callbackRegistrationId must be a GUID.`);
    ids = [id];
  } else {
    ids = (await findCallbacks(client, checkText(target.name, 'name', op, 200), checkText(target.url, 'url', op, 2000))).map((r) => String(r.callbackregistrationid));
  }
  const removed: string[] = [];
  for (const id of ids) if (await deleteIfPresent(client, 'callbackregistrations', id)) removed.push(id);
  return { callbackRegistrationIds: removed };
}
