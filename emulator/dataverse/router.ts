/**
 * Maps a Web API request (already authenticated) to its handler. Paths are read with the emulator's own parser;
 * every failure becomes a Dataverse error body, never a crash.
 */
import type { EmulatorRequest, EmulatorResponse } from '../http/types';
import { batchHandler } from './batch-handler';
import { deltaResponse, assertTrackingEnabled } from './changes';
import type { CallContext, DataverseService } from './context';
import { createHandler, deleteHandler, getRow, patchHandler, propertyHandler } from './entity-handlers';
import { badRequest, DataverseError, errorResponse, methodNotAllowed, unknownSegment } from './errors';
import { fetchXmlHandler } from './fetch-handler';
import { handleFileColumn } from './files';
import { handleMetadataApi } from './metadata-api';
import { findBound, findUnbound, invokeOperation } from './operations';
import { readPreferences } from './prefer';
import { assertNoTrackingConflicts, queryCollection } from './query';
import { filterRows, parseFilterOption } from './odata-adapter';
import { navigationHandler, refHandler } from './ref-handlers';
import { findByKey } from './rows';
import { splitPath } from './url';

export const API_PATH = /^\/api\/data\/v9\.[0-2]\//;
const METADATA_SETS = new Set(['EntityDefinitions', 'GlobalOptionSetDefinitions', 'RelationshipDefinitions']);

export interface DataverseRouter {
  dispatch(req: EmulatorRequest, userId: string, resolveReference?: (url: string) => string): Promise<EmulatorResponse>;
}

export function createDataverseRouter(service: DataverseService, metadataXml: string): DataverseRouter {
  const dispatch = async (req: EmulatorRequest, userId: string, resolveReference?: (url: string) => string): Promise<EmulatorResponse> => {
    const ctx: CallContext = { service, req, prefs: readPreferences(req), userId, query: req.url.searchParams };
    let response: EmulatorResponse | undefined;
    try {
      response = await route(ctx, metadataXml, resolveReference, (inner, resolve) => dispatch(inner, userId, resolve));
      return response;
    } catch (e) {
      if (e instanceof DataverseError) return (response = errorResponse(e));
      throw e;
    } finally {
      // A write's store transaction has committed iff its handler answered without error (webhook changes kept).
      service.webhooks?.settle(response !== undefined && response.status < 400);
    }
  };
  return { dispatch };
}

async function route(
  ctx: CallContext,
  metadataXml: string,
  resolveReference: ((url: string) => string) | undefined,
  dispatchInner: (req: EmulatorRequest, resolve?: (url: string) => string) => Promise<EmulatorResponse>,
): Promise<EmulatorResponse> {
  const { req, service } = ctx;
  let path: string;
  try {
    path = decodeURIComponent(req.url.pathname.replace(API_PATH, ''));
  } catch {
    throw badRequest(`The request URI '${req.url.pathname}' is not correctly percent-encoded.`);
  }
  if (path === '' || path === '/') return serviceDocument(ctx);
  if (path === '$metadata') {
    return { status: 200, headers: { 'content-type': 'application/xml', 'odata-version': '4.0' }, body: metadataXml };
  }
  if (path === '$batch') {
    if (req.method !== 'POST') throw methodNotAllowed(req.method, '$batch');
    return batchHandler(ctx, dispatchInner);
  }
  const segments = splitPath(path);
  const [first, second, third, fourth] = segments;
  if (METADATA_SETS.has(first.name)) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, first.name);
    return handleMetadataApi(ctx, segments);
  }
  const table = service.schema.bySet.get(first.name);
  if (!table) {
    const op = findUnbound(ctx, first.name);
    if (op && segments.length === 1) return invokeOperation(ctx, op, first.args);
    throw unknownSegment(first.name);
  }

  if (first.args === undefined) {
    if (!second) {
      if (req.method === 'GET') {
        if (ctx.query.has('fetchXml')) return fetchXmlHandler(ctx, table);
        if (ctx.query.has('$deltatoken')) return deltaResponse(ctx, table, false);
        if (ctx.prefs.trackChanges) {
          assertTrackingEnabled(table);
          assertNoTrackingConflicts(ctx);
        }
        return queryCollection(ctx, table, () => [...service.store.rows(table.logicalName).values()], table.setName, ctx.prefs.trackChanges);
      }
      if (req.method === 'POST') return createHandler(ctx, table, resolveReference);
      throw methodNotAllowed(req.method, table.setName);
    }
    if (second.name === '$count' && segments.length === 2) {
      if (ctx.query.has('$deltatoken')) return deltaResponse(ctx, table, true);
      const filter = ctx.query.get('$filter');
      const all = [...service.store.rows(table.logicalName).values()];
      const matching = filter === null ? all : filterRows(parseFilterOption(filter, ctx.query), all, table, { service, userId: ctx.userId });
      const count = Math.min(matching.length, 5000);
      return { status: 200, headers: { 'content-type': 'text/plain', 'odata-version': '4.0' }, body: String(count) };
    }
    const bound = findBound(ctx, second.name, table, true);
    if (bound && segments.length === 2) return invokeOperation(ctx, bound, second.args, { table });
    throw unknownSegment(second.name);
  }

  const ref = findByKey(service, table, first.args, ctx.query);
  if (!second) {
    switch (req.method) {
      case 'GET': return getRow(ctx, ref);
      case 'PATCH': return patchHandler(ctx, ref, resolveReference);
      case 'DELETE': return deleteHandler(ctx, ref);
      default: throw methodNotAllowed(req.method, `${table.setName}(${first.args})`);
    }
  }
  if (second.name.includes('.')) {
    const bound = findBound(ctx, second.name, table, false);
    if (!bound || segments.length !== 2) throw unknownSegment(second.name);
    return invokeOperation(ctx, bound, second.args, { table, id: ref.id });
  }
  if (table.fileColumns.has(second.name) || table.imageColumns.has(second.name)) {
    if (segments.length > 3 || (third && third.name !== '$value')) throw unknownSegment(third!.name);
    return handleFileColumn(ctx, table, ref, second.name, third?.name === '$value', ctx.query.get('sessiontoken') ?? undefined);
  }
  if (table.columns.has(second.name)) {
    if (segments.length > 3 || (third && third.name !== '$value')) throw unknownSegment(third!.name);
    return propertyHandler(ctx, ref, second.name, third?.name === '$value');
  }
  if (table.lookups.has(second.name) || table.collections.has(second.name)) {
    if (!third) return navigationHandler(ctx, ref, second.name);
    if (third.name === '$ref' && !fourth) return refHandler(ctx, ref, second.name, second.args, resolveReference);
    throw unknownSegment(third.name);
  }
  throw unknownSegment(second.name);
}

function serviceDocument(ctx: CallContext): EmulatorResponse {
  const value = [...ctx.service.schema.model.entitySets.keys()].map((name) => ({ name, kind: 'EntitySet', url: name }));
  return {
    status: 200,
    headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' },
    body: JSON.stringify({ '@odata.context': `${ctx.service.serviceRoot}$metadata`, value }),
  };
}
