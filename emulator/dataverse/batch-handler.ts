/**
 * `$batch`: runs each part through the same dispatcher as a direct request. Change sets run in one store
 * transaction and are rolled back whole on the first failure; `$n` Content-ID references resolve to the entity
 * URLs earlier parts created. Without `Prefer: odata.continue-on-error` the batch stops at the first failure and
 * answers 400 with only the failing part, as Dataverse does.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchFormatError, BatchOperation, BatchOperationResult, BatchResultItem, parseBatchRequest, resolveContentIdReferences,
  serializeBatchResponse,
} from '../batch';
import type { EmulatorRequest, EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { DataverseError, errorResponse } from './errors';

export type Dispatch = (req: EmulatorRequest, resolveReference?: (url: string) => string) => Promise<EmulatorResponse>;

class ChangeSetFailed extends Error {
  constructor(readonly result: BatchOperationResult) {
    super('change set failed');
  }
}

export async function batchHandler(ctx: CallContext, dispatch: Dispatch): Promise<EmulatorResponse> {
  let items;
  try {
    items = parseBatchRequest(ctx.req.body, String(ctx.req.headers['content-type'] ?? ''), { baseUrl: ctx.service.serviceRoot });
  } catch (e) {
    if (e instanceof BatchFormatError) throw new DataverseError(400, e.code, e.message);
    throw e;
  }
  const results: BatchResultItem[] = [];
  let failed = false;
  for (const item of items) {
    if (item.kind === 'operation') {
      const result = await runOperation(ctx, item, dispatch, new Map());
      if (result.status >= 400 && !ctx.prefs.continueOnError) {
        results.length = 0;
        results.push(result);
        failed = true;
        break;
      }
      results.push(result);
      continue;
    }
    const references = new Map<string, string>();
    try {
      const changeResults = await runChangeSet(ctx, item.operations, dispatch, references);
      results.push({ kind: 'changeset', results: changeResults });
    } catch (e) {
      if (!(e instanceof ChangeSetFailed)) throw e;
      // Like ASP.NET OData (and so Dataverse): a failed change set answers as a change set holding only the failure.
      const failure: BatchResultItem = { kind: 'changeset', results: [e.result] };
      if (!ctx.prefs.continueOnError) {
        results.length = 0;
        results.push(failure);
        failed = true;
        break;
      }
      results.push(failure);
    }
  }
  const serialized = serializeBatchResponse(results);
  const headers: Record<string, string> = { 'content-type': serialized.contentType, 'odata-version': '4.0' };
  if (ctx.prefs.continueOnError) headers['preference-applied'] = 'odata.continue-on-error';
  return { status: failed ? 400 : 200, headers, body: serialized.body };
}

/**
 * The store transaction is synchronous, while parts are dispatched asynchronously; the dispatcher never yields
 * between the first and last store mutation of a part, and change-set parts run strictly one after another, so
 * the undo log records them in order. A failure undoes everything the change set did.
 */
async function runChangeSet(ctx: CallContext, operations: BatchOperation[], dispatch: Dispatch, references: Map<string, string>): Promise<BatchOperationResult[]> {
  const store = ctx.service.store;
  const undo = store.beginTransaction();
  const results: BatchOperationResult[] = [];
  // Webhook changes of the parts wait for the change set: delivered after commit, dropped on rollback.
  ctx.service.webhooks?.beginChangeSet();
  try {
    for (const op of operations) {
      const result = await runOperation(ctx, op, dispatch, references);
      if (result.status >= 400) throw new ChangeSetFailed(result);
      results.push(result);
    }
    undo.commit();
    ctx.service.webhooks?.endChangeSet(true);
    return results;
  } catch (e) {
    undo.rollback();
    ctx.service.webhooks?.endChangeSet(false);
    throw e;
  }
}

async function runOperation(ctx: CallContext, op: BatchOperation, dispatch: Dispatch, references: Map<string, string>): Promise<BatchOperationResult> {
  let response: EmulatorResponse;
  try {
    const url = resolveContentIdReferences(op.url, references);
    const body = op.body.length ? Buffer.from(resolveContentIdReferences(op.body.toString('utf8'), references)) : op.body;
    const req: EmulatorRequest = {
      method: op.method,
      url: new URL(url, ctx.service.serviceRoot),
      headers: { ...op.headers, authorization: ctx.req.headers.authorization },
      body,
    };
    response = await dispatch(req, (u) => resolveContentIdReferences(u, references));
  } catch (e) {
    if (e instanceof BatchFormatError) response = errorResponse(new DataverseError(400, e.code, e.message));
    else if (e instanceof DataverseError) response = errorResponse(e);
    else throw e;
  }
  // Header order as Dataverse writes it: REQ_ID first on failures, Location just before OData-EntityId.
  const headers: Record<string, string | string[]> = {};
  if (response.status >= 400) headers.REQ_ID = randomUUID();
  const entityId = response.headers['odata-entityid'];
  for (const [k, v] of Object.entries(response.headers)) {
    if (k === 'odata-entityid' && typeof entityId === 'string' && op.method === 'POST' && response.status < 300) headers.Location = entityId;
    headers[canonical(k)] = k === 'content-type' && op.method === 'GET' && response.status === 200 ? streaming(String(v)) : v;
  }
  if (typeof entityId === 'string' && op.contentId) references.set(op.contentId, entityId);
  return { status: response.status, headers, body: response.body, contentId: op.contentId };
}

/** JSON read inside a batch is written streamed: `application/json; odata.metadata=minimal; odata.streaming=true`. */
function streaming(contentType: string): string {
  return /^application\/json\b/i.test(contentType) && !/odata\.streaming=/i.test(contentType) ? `${contentType}; odata.streaming=true` : contentType;
}

const CANONICAL: Record<string, string> = {
  'odata-version': 'OData-Version', 'odata-entityid': 'OData-EntityId', 'content-type': 'Content-Type', etag: 'ETag',
  'preference-applied': 'Preference-Applied', location: 'Location',
};

function canonical(name: string): string {
  return CANONICAL[name] ?? name;
}
