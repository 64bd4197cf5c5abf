/**
 * Endpoint registration and event activation over /data, shaped like F&O entities: BusinessEventsEndpoints
 * (EndpointName, EndpointType, EndpointUrl) and BusinessEventsConfigurations (BusinessEventId, LegalEntity,
 * EndpointName), the entity names F&O's business event setup is known by. GET lists, POST creates (201),
 * DELETE by key (204). An endpoint's URL is write-only, like the Key Vault secret it replaces: reads show its host.
 */
import type { FnoHandler, FnoService } from '../context';
import { FnoError } from '../context';
import { badRequest, errorToResponse } from '../errors';
import type { EmulatorResponse } from '../../http/types';
import type { BusinessEvents } from './runtime';
import type { EventActivation, EventEndpoint } from './endpoints';

const ROUTE = /^\/data\/(BusinessEventsEndpoints|BusinessEventsConfigurations)(?:\((.*)\))?\/?$/;
const HEADERS = { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8', 'odata-version': '4.0' };

export function businessEventSetup(events: BusinessEvents): FnoHandler {
  return async (req, ctx) => {
    const match = ROUTE.exec(req.url.pathname);
    if (!match) return undefined;
    const [, set, rawKey] = match;
    const service = ctx.service;
    try {
      if (set === 'BusinessEventsEndpoints') {
        if (req.method === 'GET' && rawKey === undefined) return list(service, set, events.subscriptions.listEndpoints().map(endpointRow));
        if (req.method === 'POST' && rawKey === undefined) {
          const body = readBody(req.body);
          const endpoint = events.subscriptions.addEndpoint(text(body, 'EndpointName'), text(body, 'EndpointType', 'Https'), text(body, 'EndpointUrl'));
          return created(service, set, endpointRow(endpoint));
        }
        if (req.method === 'DELETE' && rawKey !== undefined) {
          const key = parseKey(rawKey, ['EndpointName']);
          events.subscriptions.removeEndpoint(key.EndpointName);
          return { status: 204, headers: { 'odata-version': '4.0' } };
        }
      } else {
        if (req.method === 'GET' && rawKey === undefined) return list(service, set, events.subscriptions.listActivations().map(activationRow));
        if (req.method === 'POST' && rawKey === undefined) {
          const body = readBody(req.body);
          const businessEventId = text(body, 'BusinessEventId');
          if (!events.catalogEntry(businessEventId)) throw badRequest(`The business event '${businessEventId}' is not in the catalog (see /data/BusinessEventsCatalogs).`);
          const rawEntity = text(body, 'LegalEntity', '');
          const legalEntity = rawEntity === '' ? '' : service.resolveCompany(rawEntity);
          const activation = events.subscriptions.activate({ businessEventId, legalEntity, endpointName: text(body, 'EndpointName') });
          return created(service, set, activationRow(activation));
        }
        if (req.method === 'DELETE' && rawKey !== undefined) {
          const key = parseKey(rawKey, ['BusinessEventId', 'LegalEntity', 'EndpointName']);
          events.subscriptions.deactivate(key.BusinessEventId, key.LegalEntity.toLowerCase(), key.EndpointName);
          return { status: 204, headers: { 'odata-version': '4.0' } };
        }
      }
      throw new FnoError(405, `${req.method} is not supported on ${set}${rawKey === undefined ? '' : '(…)'}: GET or POST the collection, DELETE a row by key.`);
    } catch (e) {
      if (e instanceof FnoError) return errorToResponse(e);
      throw e;
    }
  };
}

const endpointRow = (e: EventEndpoint) => ({ EndpointName: e.name, EndpointType: e.type, EndpointUrl: `${new URL(e.url).origin}/…` });
const activationRow = (a: EventActivation) => ({ BusinessEventId: a.businessEventId, LegalEntity: a.legalEntity, EndpointName: a.endpointName, IsActive: 'Yes' });

function list(service: FnoService, set: string, rows: object[]): EmulatorResponse {
  return { status: 200, headers: HEADERS, body: JSON.stringify({ '@odata.context': `${service.origin}/data/$metadata#${set}`, value: rows }) };
}

function created(service: FnoService, set: string, row: object): EmulatorResponse {
  return { status: 201, headers: HEADERS, body: JSON.stringify({ '@odata.context': `${service.origin}/data/$metadata#${set}/$entity`, ...row }) };
}

function readBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

function text(body: Record<string, unknown>, name: string, fallback?: string): string {
  const value = body[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw badRequest(`The field ${name} is required and must be a string.`);
  return value;
}

/** `Name='v',Other='w'`, or a single bare `'v'` for a one-field key; quotes doubled inside values. */
function parseKey(raw: string, fields: string[]): Record<string, string> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badRequest('The key in the URL is not correctly percent-encoded.');
  }
  const values: Record<string, string> = {};
  const single = /^'((?:[^']|'')*)'$/.exec(decoded);
  if (single && fields.length === 1) return { [fields[0]]: single[1].replace(/''/g, "'") };
  const pair = /\s*(\w+)\s*=\s*'((?:[^']|'')*)'\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = pair.exec(decoded)) !== null) {
    values[m[1]] = m[2].replace(/''/g, "'");
    consumed = pair.lastIndex;
    if (consumed >= decoded.length) break;
  }
  if (consumed !== decoded.length || fields.some((f) => values[f] === undefined)) {
    throw badRequest(`The key must name ${fields.map((f) => `${f}='…'`).join(',')}.`);
  }
  return values;
}
