/**
 * Business events setup: the catalog (BusinessEventsCatalogs, documented), and HTTPS endpoints and activations
 * through BusinessEventsEndpoints and BusinessEventsConfigurations. Those two entity names come from third-party
 * audit material, not from Microsoft's documentation: the local emulator serves them, a real environment may not,
 * so callers should offer the manual setup (System administration > Setup > Business events) as well.
 *
 * An HTTPS endpoint's URL is the credential of the receiver (its key travels in the URL): it is only ever sent in a
 * request body, never placed in a path, an error or a returned value.
 */
import { D365Error } from '../http/errors';
import { type CallOptions, type FnoContext } from './context';
import { invalidArgument, invalidResponse } from './errors';

export interface BusinessEventInfo {
  businessEventId: string;
  name: string;
  description: string;
  category: string;
  module: string;
}

export interface BusinessEventEndpoint {
  name: string;
  type: string;
}

export interface BusinessEventActivation {
  businessEventId: string;
  /** dataAreaId in lower case, or '' for every legal entity. */
  legalEntity: string;
  endpointName: string;
}

const CATALOG = 'data/BusinessEventsCatalogs';
const ENDPOINTS = 'data/BusinessEventsEndpoints';
const ACTIVATIONS = 'data/BusinessEventsConfigurations';
const ENDPOINT_NAME = /^[\w .-]{1,60}$/;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function keyLiteral(value: string): string {
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}

function checkEndpointName(name: string): string {
  if (!ENDPOINT_NAME.test(name)) throw invalidArgument(`The endpoint name ${JSON.stringify(name)} must be 1 to 60 letters, digits, spaces, dots, dashes or underscores.`);
  return name;
}

async function readAll(ctx: FnoContext, path: string, operation: string, options: CallOptions): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  // Setup lists are short, but follow server-driven paging (on the environment's origin only) all the same.
  for (let pages = 0; next && pages < 100; pages++) {
    const body: Record<string, unknown> | undefined = await ctx.executeJson({ ...options, method: 'GET', path: next, idempotent: true, operation });
    const value = body?.value;
    if (!Array.isArray(value)) throw invalidResponse(`${operation}: the answer has no value array.`);
    rows.push(...value.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null));
    const link: unknown = body?.['@odata.nextLink'];
    next = typeof link === 'string' ? ctx.linkUrl(link, 'next link') : undefined;
  }
  return rows;
}

/** The business event catalog, sorted by name. */
export async function listBusinessEvents(ctx: FnoContext, options: CallOptions = {}): Promise<BusinessEventInfo[]> {
  const rows = await readAll(ctx, `${CATALOG}?$select=BusinessEventId,Name,Description,Category,Module`, 'list business events', options);
  return rows
    .map((r) => ({ businessEventId: text(r.BusinessEventId), name: text(r.Name), description: text(r.Description), category: text(r.Category), module: text(r.Module) }))
    .filter((e) => e.businessEventId !== '')
    .sort((a, b) => (a.name || a.businessEventId).localeCompare(b.name || b.businessEventId));
}

export async function listEventEndpoints(ctx: FnoContext, options: CallOptions = {}): Promise<BusinessEventEndpoint[]> {
  const rows = await readAll(ctx, ENDPOINTS, 'list business event endpoints', options);
  return rows.map((r) => ({ name: text(r.EndpointName), type: text(r.EndpointType) }));
}

/** Creates an HTTPS endpoint; `url` (with the receiver's key in it) goes only into the request body. */
export async function createHttpsEndpoint(ctx: FnoContext, name: string, url: string, options: CallOptions = {}): Promise<BusinessEventEndpoint> {
  checkEndpointName(name);
  if (!/^https?:\/\//i.test(url)) throw invalidArgument('The endpoint URL must be an absolute http(s) URL.');
  try {
    await ctx.execute({ ...options, method: 'POST', path: ENDPOINTS, json: { EndpointName: name, EndpointType: 'Https', EndpointUrl: url }, idempotent: false, operation: 'create business event endpoint' });
  } catch (e) {
    throw withoutUrl(e, url);
  }
  return { name, type: 'Https' };
}

export async function deleteEventEndpoint(ctx: FnoContext, name: string, options: CallOptions = {}): Promise<void> {
  checkEndpointName(name);
  await ctx.execute({ ...options, method: 'DELETE', path: `${ENDPOINTS}(${keyLiteral(name)})`, idempotent: true, operation: 'delete business event endpoint' });
}

export async function listEventActivations(ctx: FnoContext, options: CallOptions = {}): Promise<BusinessEventActivation[]> {
  const rows = await readAll(ctx, ACTIVATIONS, 'list business event activations', options);
  return rows.map((r) => ({ businessEventId: text(r.BusinessEventId), legalEntity: text(r.LegalEntity).toLowerCase(), endpointName: text(r.EndpointName) }));
}

/** Activates an event for a legal entity ('' = all) on an endpoint. */
export async function activateBusinessEvent(ctx: FnoContext, activation: BusinessEventActivation, options: CallOptions = {}): Promise<BusinessEventActivation> {
  checkEndpointName(activation.endpointName);
  if (!activation.businessEventId) throw invalidArgument('Name the business event to activate.');
  const body = await ctx.executeJson({
    ...options,
    method: 'POST',
    path: ACTIVATIONS,
    json: { BusinessEventId: activation.businessEventId, LegalEntity: activation.legalEntity, EndpointName: activation.endpointName },
    idempotent: false,
    operation: 'activate business event',
  });
  return { businessEventId: activation.businessEventId, legalEntity: text(body?.LegalEntity ?? activation.legalEntity).toLowerCase(), endpointName: activation.endpointName };
}

export async function deactivateBusinessEvent(ctx: FnoContext, activation: BusinessEventActivation, options: CallOptions = {}): Promise<void> {
  checkEndpointName(activation.endpointName);
  const key = `BusinessEventId=${keyLiteral(activation.businessEventId)},LegalEntity=${keyLiteral(activation.legalEntity)},EndpointName=${keyLiteral(activation.endpointName)}`;
  await ctx.execute({ ...options, method: 'DELETE', path: `${ACTIVATIONS}(${key})`, idempotent: true, operation: 'deactivate business event' });
}

function withoutUrl(error: unknown, url: string): unknown {
  if (!(error instanceof D365Error) || !error.message.includes(url)) return error;
  error.message = error.message.split(url).join('<endpoint url>');
  return error;
}
