/**
 * /data: the F&O OData endpoint. Entity sets with composite keys, the default company and `cross-company`,
 * server paging with `$skip` next links, first-level `$expand`, opaque ETags with If-Match, bound actions and F&O
 * error bodies for every failure.
 */
import type { EntityType } from '../../client/metadata/model';
import { header, type EmulatorRequest, type EmulatorResponse } from '../http/types';
import { findBoundAction, invokeAction } from './actions';
import type { FnoEntitySetInfo, FnoKey, FnoRecord, FnoService } from './context';
import { FnoError } from './context';
import { badRequest, errorToResponse, GENERIC_EXCEPTION } from './errors';
import { filterAndSort, FnoQuery, parseFnoQuery, readCrossCompany } from './query';
import { contextUrl, dataRoot, entityPath, json, noContent, projectRow } from './serialize';
import { parseKeyText, splitDataPath } from './url';

export const DATA_PATH = /^\/data(\/|$)/;
/** F&O's maximum page size. */
export const MAX_PAGE_SIZE = 10_000;
const NS = 'Microsoft.Dynamics.DataEntities';

export async function handleData(req: EmulatorRequest, service: FnoService): Promise<EmulatorResponse> {
  try {
    return route(req, service);
  } catch (e) {
    if (e instanceof FnoError) return errorToResponse(e);
    throw e;
  }
}

function methodNotAllowed(method: string, what: string): FnoError {
  return new FnoError(405, `The requested resource does not support http method '${method}' (${what}).`, GENERIC_EXCEPTION, { allow: 'GET' });
}

function route(req: EmulatorRequest, service: FnoService): EmulatorResponse {
  let path: string;
  try {
    path = decodeURIComponent(req.url.pathname.replace(/^\/data\/?/, ''));
  } catch {
    throw badRequest(`The request URI '${req.url.pathname}' is not correctly percent-encoded.`);
  }
  if (path === '') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, 'service document');
    return json(200, {
      '@odata.context': `${dataRoot(service)}$metadata`,
      value: [...service.model.entitySets.keys()].map((name) => ({ name, kind: 'EntitySet', url: name })),
    });
  }
  if (path === '$metadata') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, '$metadata');
    return { status: 200, headers: { 'content-type': 'application/xml', 'odata-version': '4.0' }, body: service.metadataXml };
  }
  if (path === '$batch') throw new FnoError(501, '$batch is not supported by this emulator; send the requests one by one.');
  const parsed = splitDataPath(path);
  const info = service.entitySet(parsed.entitySet);
  if (!info) {
    const near = [...service.model.entitySets.keys()].find((n) => n.toLowerCase() === parsed.entitySet.toLowerCase());
    throw new FnoError(
      404,
      `No HTTP resource was found that matches the request URI '${req.url.href}'.${near ? ` Entity set names are case-sensitive: did you mean '${near}'?` : ''}`,
    );
  }
  const type = service.model.entityTypes.get(info.entityType)!;
  const [next, ...more] = parsed.rest;
  if (more.length) throw badRequest(`The path '${path}' goes deeper than F&O supports.`);

  if (parsed.keyText === undefined) {
    if (next === '$count') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method, '$count');
      const query = parseFnoQuery(req.url.searchParams, type, service);
      const rows = filterAndSort(listRows(service, info, query.crossCompany).map((r) => r.row), query, type);
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'odata-version': '4.0' }, body: String(rows.length) };
    }
    if (next !== undefined) return boundAction(req, service, info, next, true);
    if (req.method === 'GET') return readCollection(req, service, info, type);
    if (req.method === 'POST') return create(req, service, info);
    throw methodNotAllowed(req.method, info.name);
  }

  const key = parseKeyText(parsed.keyText, info.key, info.name);
  const crossCompany = readCrossCompany(req.url.searchParams);
  const record = findRecord(service, info, key, crossCompany);
  if (next !== undefined) {
    if (next.includes('.')) return boundAction(req, service, info, next, false, key, record);
    if (req.method !== 'GET') throw methodNotAllowed(req.method, `${info.name}/${next}`);
    return readNavigation(req, service, info, type, record, next);
  }
  switch (req.method) {
    case 'GET': {
      const query = parseFnoQuery(req.url.searchParams, type, service);
      const body = { '@odata.context': contextUrl(service, info.name, query.select, true), ...rowWithExpand(service, info, type, record, query) };
      return json(200, body, { etag: record.etag });
    }
    case 'PATCH':
    case 'PUT': {
      const updated = service.store.update(info.name, key, readBody(req), { ifMatch: header(req, 'if-match') });
      return noContent({ etag: updated.etag });
    }
    case 'DELETE':
      service.store.delete(info.name, key, { ifMatch: header(req, 'if-match') });
      return noContent();
    default:
      throw methodNotAllowed(req.method, info.name);
  }
}

function listRows(service: FnoService, info: FnoEntitySetInfo, crossCompany: boolean): FnoRecord[] {
  return service.store.list(info.name, { crossCompany });
}

/** By key, a company other than the default one is visible only with cross-company=true (as in a query). */
function findRecord(service: FnoService, info: FnoEntitySetInfo, key: FnoKey, crossCompany: boolean): FnoRecord {
  if (info.companySpecific) {
    const company = service.resolveCompany(String(key.dataAreaId));
    key.dataAreaId = company;
    if (company !== service.defaultCompany && !crossCompany) {
      throw new FnoError(404, `No ${info.name} record was found in the current company '${service.defaultCompany}'; add cross-company=true to read company '${company}'.`);
    }
  }
  const record = service.store.get(info.name, key);
  if (!record) {
    const keyText = Object.entries(key).map(([k, v]) => `${k}=${String(v)}`).join(', ');
    throw new FnoError(404, `No ${info.name} record was found with ${keyText}.`);
  }
  return record;
}

function readBody(req: EmulatorRequest): Record<string, unknown> {
  const type = header(req, 'content-type') ?? '';
  if (!/application\/json/i.test(type)) throw new FnoError(415, `The request body must be JSON (Content-Type: application/json), not '${type || 'none'}'.`);
  try {
    return JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
}

function pageSize(req: EmulatorRequest): { size: number; applied?: string } {
  const prefer = header(req, 'prefer') ?? '';
  const match = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer);
  if (!match) return { size: MAX_PAGE_SIZE };
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(match[1])));
  return { size, applied: `odata.maxpagesize=${size}` };
}

function readCollection(req: EmulatorRequest, service: FnoService, info: FnoEntitySetInfo, type: EntityType): EmulatorResponse {
  const query = parseFnoQuery(req.url.searchParams, type, service);
  const records = listRows(service, info, query.crossCompany);
  const byRow = new Map(records.map((r) => [r.row, r]));
  const matching = filterAndSort(records.map((r) => r.row), query, type).map((row) => byRow.get(row)!);
  const end = query.top === undefined ? matching.length : Math.min(matching.length, query.skip + query.top);
  const wanted = matching.slice(query.skip, end);
  const { size, applied } = pageSize(req);
  const page = wanted.slice(0, size);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(service, info.name, query.select) };
  if (query.count) body['@odata.count'] = matching.length;
  body.value = page.map((r) => rowWithExpand(service, info, type, r, query));
  if (wanted.length > size) {
    // F&O continues with $skip; the rest of the query (filter, order, cross-company) is kept as sent.
    const nextUrl = new URL(req.url.href);
    nextUrl.searchParams.set('$skip', String(query.skip + size));
    if (query.top !== undefined) nextUrl.searchParams.set('$top', String(query.top - size));
    body['@odata.nextLink'] = nextUrl.href.replace(/^https:\/\/[^/]+/, service.origin);
  }
  return json(200, body, applied ? { 'preference-applied': applied } : {});
}

function related(service: FnoService, type: EntityType, row: Record<string, unknown>, navigation: string): { info: FnoEntitySetInfo; many: boolean; records: FnoRecord[] } {
  const nav = type.allNavigation.get(navigation);
  const set = nav && service.model.entitySetByType.get(nav.type);
  const info = set && service.entitySet(set.name);
  if (!nav || !info) throw badRequest(`Could not find a navigation property named '${navigation}' on type '${type.qualifiedName}'.`);
  let pairs = nav.constraints.map((c) => ({ here: c.property, there: c.referencedProperty }));
  if (nav.collection && nav.partner) {
    const back = service.model.entityTypes.get(nav.type)?.allNavigation.get(nav.partner);
    pairs = (back?.constraints ?? []).map((c) => ({ here: c.referencedProperty, there: c.property }));
  }
  const records = service.store.list(info.name, { crossCompany: true }).filter((r) =>
    pairs.length > 0 && pairs.every((p) => String(r.row[p.there]).toLowerCase() === String(row[p.here]).toLowerCase()),
  );
  return { info, many: nav.collection, records };
}

function rowWithExpand(service: FnoService, info: FnoEntitySetInfo, type: EntityType, record: FnoRecord, query: FnoQuery): Record<string, unknown> {
  const out = projectRow(record, query.select);
  for (const item of query.expand) {
    const found = related(service, type, record.row, item.navigation);
    out[item.navigation] = found.many ? found.records.map((r) => projectRow(r, item.select)) : found.records[0] ? projectRow(found.records[0], item.select) : null;
  }
  return out;
}

function readNavigation(req: EmulatorRequest, service: FnoService, info: FnoEntitySetInfo, type: EntityType, record: FnoRecord, navigation: string): EmulatorResponse {
  const found = related(service, type, record.row, navigation);
  const context = `${dataRoot(service)}$metadata#${found.info.name}`;
  if (found.many) return json(200, { '@odata.context': context, value: found.records.map((r) => projectRow(r)) });
  if (!found.records[0]) return noContent();
  return json(200, { '@odata.context': `${context}/$entity`, ...projectRow(found.records[0]) }, { etag: found.records[0].etag });
}

function create(req: EmulatorRequest, service: FnoService, info: FnoEntitySetInfo): EmulatorResponse {
  const record = service.store.insert(info.name, readBody(req));
  const location = `${dataRoot(service)}${entityPath(info, record.row)}`;
  const headers = { location, etag: record.etag, 'odata-entityid': location };
  if (/return=minimal/i.test(header(req, 'prefer') ?? '')) return noContent({ ...headers, 'preference-applied': 'return=minimal' });
  return json(201, { '@odata.context': contextUrl(service, info.name, undefined, true), ...projectRow(record) }, headers);
}

function boundAction(
  req: EmulatorRequest,
  service: FnoService,
  info: FnoEntitySetInfo,
  segment: string,
  collection: boolean,
  key?: FnoKey,
  record?: FnoRecord,
): EmulatorResponse {
  const name = segment.startsWith(`${NS}.`) ? segment.slice(NS.length + 1) : undefined;
  const action = name && findBoundAction(service.model, info.entityType, name, collection);
  if (!action) {
    throw new FnoError(404, `No HTTP resource was found that matches the request URI '${req.url.href}': '${segment}' is not an action bound to ${collection ? 'the collection ' : ''}'${info.name}'.`);
  }
  if (req.method !== 'POST') throw new FnoError(405, `The action '${name}' must be invoked with POST.`, GENERIC_EXCEPTION, { allow: 'POST' });
  return invokeAction(service, action, { info, key, record }, req.body);
}
