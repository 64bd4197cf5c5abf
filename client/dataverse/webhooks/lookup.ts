/**
 * Small Web API helpers for registration: sdkmessage / sdkmessagefilter ids looked up by name and table (never
 * hard-coded: they differ per organisation), list-by-filter, and a delete that treats "already gone" as done.
 */
import { quoteString } from '../../odata/literals';
import type { DataverseClient } from '../client';
import type { Row } from '../crud';
import { invalidArgument, isNotFound } from '../errors';
import type { WebhookEvent } from './types';

export const MESSAGE_NAMES: Record<WebhookEvent, 'Create' | 'Update' | 'Delete'> = { create: 'Create', update: 'Update', delete: 'Delete' };
export const EVENTS: readonly WebhookEvent[] = ['create', 'update', 'delete'];

export const q = quoteString;

export async function listRows(client: DataverseClient, set: string, filter: string, select: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const row of client.iterateRows(set, { filter, select })) rows.push(row);
  return rows;
}

/** Oldest first, so every call keeps the same row when duplicates exist. */
export function oldestFirst(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => String(a.createdon ?? '').localeCompare(String(b.createdon ?? '')));
}

export async function deleteIfPresent(client: DataverseClient, set: string, id: string): Promise<boolean> {
  try {
    await client.delete(set, id);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

export async function sdkMessageId(client: DataverseClient, event: WebhookEvent): Promise<string> {
  const name = MESSAGE_NAMES[event];
  const rows = await listRows(client, 'sdkmessages', `name eq ${q(name)}`, ['sdkmessageid']);
  if (rows.length === 0) throw invalidArgument(`registerWebhook: the environment has no SDK message '${name}'.`);
  return String(rows[0].sdkmessageid);
}

export async function sdkMessageFilterId(client: DataverseClient, messageId: string, table: string, event: WebhookEvent): Promise<string> {
  const rows = await listRows(
    client,
    'sdkmessagefilters',
    `primaryobjecttypecode eq ${q(table)} and _sdkmessageid_value eq ${messageId}`,
    ['sdkmessagefilterid'],
  );
  if (rows.length === 0) throw invalidArgument(`registerWebhook: the table '${table}' has no ${MESSAGE_NAMES[event]} message filter (unknown table, or steps are not allowed on it).`);
  return String(rows[0].sdkmessagefilterid);
}

const NAME = /^[a-z_][a-z0-9_]*$/i;

export function checkLogicalName(value: unknown, what: string, operation: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw invalidArgument(`${operation}: ${what} must be a logical name; got ${JSON.stringify(value)}.`);
  return value.toLowerCase();
}

export function checkEvents(events: unknown, operation: string): WebhookEvent[] {
  if (!Array.isArray(events) || events.length === 0) throw invalidArgument(`${operation}: events must list at least one of create, update, delete.`);
  const out = new Set<WebhookEvent>();
  for (const e of events) {
    if (!EVENTS.includes(e as WebhookEvent)) throw invalidArgument(`${operation}: unknown event ${JSON.stringify(e)}; use create, update or delete.`);
    out.add(e as WebhookEvent);
  }
  return EVENTS.filter((e) => out.has(e));
}

export function checkText(value: unknown, what: string, operation: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw invalidArgument(`${operation}: ${what} must be a non-empty string of at most ${max} characters.`);
  return value;
}

export function checkUrl(value: unknown, operation: string): string {
  const text = checkText(value, 'url', operation, 2000);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidArgument(`${operation}: url is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidArgument(`${operation}: url must be http(s).`);
  return text;
}

export function columnsText(columns: unknown, operation: string, what: string): string | null {
  if (columns === undefined || columns === null) return null;
  if (!Array.isArray(columns)) throw invalidArgument(`${operation}: ${what} must be an array of column logical names.`);
  const names = columns.map((c) => checkLogicalName(c, what, operation));
  return names.length ? [...new Set(names)].join(',') : null;
}
