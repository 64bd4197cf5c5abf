/**
 * Linking rows through navigation properties with `$ref` (reference §6.4). Collection-valued properties
 * (`contact_customer_accounts`, `Account_Tasks`, N:N relationships) are added to with POST and removed from with
 * DELETE …/$ref?$id=; single-valued ones (lookups such as `parentcustomerid_account`) are set with PUT and cleared
 * with DELETE. Which kind a property is comes from the metadata, so the caller picks the matching function.
 */
import { assertIdentifier } from '../odata/identifiers';
import { callOptions, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, isNotFound, rowNotFound } from './errors';
import { describeKey, rowPath, type RowKey } from './row-path';

export interface RowReference {
  set: string;
  key: RowKey;
}

function navigation(name: string): string {
  try {
    return assertIdentifier(name, 'navigation property');
  } catch (e) {
    throw invalidArgument((e as Error).message, e);
  }
}


function label(verb: string, set: string, key: RowKey, nav: string): string {
  return `${verb} ${set}(${describeKey(key)})/${nav}`;
}

/** `{"@odata.id": "<service root>accounts(…)"}`: absolute, which every Dataverse version accepts. */
function reference(ctx: DataverseContext, related: RowReference): { '@odata.id': string } {
  return { '@odata.id': ctx.serviceRoot + rowPath(related.set, related.key) };
}

export function associateRequest(ctx: DataverseContext, set: string, key: RowKey, collection: string, related: RowReference, options: CallOptions = {}): RequestSpec {
  return {
    method: 'POST',
    path: `${rowPath(set, key)}/${navigation(collection)}/$ref`,
    json: reference(ctx, related),
    // Linking rows already linked changes nothing (or is refused); it can never make a second link.
    idempotent: true,
    operation: label('associate', set, key, collection),
    ...callOptions(options),
  };
}

export function disassociateRequest(ctx: DataverseContext, set: string, key: RowKey, collection: string, related: RowReference, options: CallOptions = {}): RequestSpec {
  const id = encodeURIComponent(reference(ctx, related)['@odata.id']);
  return {
    method: 'DELETE',
    path: `${rowPath(set, key)}/${navigation(collection)}/$ref?$id=${id}`,
    idempotent: true,
    operation: label('disassociate', set, key, collection),
    ...callOptions(options),
  };
}

export function setLookupRequest(ctx: DataverseContext, set: string, key: RowKey, lookup: string, related: RowReference, options: CallOptions = {}): RequestSpec {
  return {
    method: 'PUT',
    path: `${rowPath(set, key)}/${navigation(lookup)}/$ref`,
    json: reference(ctx, related),
    idempotent: true,
    operation: label('set lookup', set, key, lookup),
    ...callOptions(options),
  };
}

export function clearLookupRequest(set: string, key: RowKey, lookup: string, options: CallOptions = {}): RequestSpec {
  return {
    method: 'DELETE',
    path: `${rowPath(set, key)}/${navigation(lookup)}/$ref`,
    idempotent: true,
    operation: label('clear lookup', set, key, lookup),
    ...callOptions(options),
  };
}

async function send(ctx: DataverseContext, spec: RequestSpec, set: string, key: RowKey, related?: RowReference): Promise<void> {
  try {
    await ctx.execute(spec);
  } catch (e) {
    // The 404 may be about either row; the service's own text (kept in the message) says which.
    const relatedText = related ? `${related.set}(${describeKey(related.key)})` : undefined;
    if (isNotFound(e)) throw rowNotFound(e, spec.operation, set, describeKey(key), relatedText);
    throw e;
  }
}

export async function associate(ctx: DataverseContext, set: string, key: RowKey, collection: string, related: RowReference, options?: CallOptions): Promise<void> {
  return send(ctx, associateRequest(ctx, set, key, collection, related, options), set, key, related);
}

export async function disassociate(ctx: DataverseContext, set: string, key: RowKey, collection: string, related: RowReference, options?: CallOptions): Promise<void> {
  return send(ctx, disassociateRequest(ctx, set, key, collection, related, options), set, key, related);
}

export async function setLookup(ctx: DataverseContext, set: string, key: RowKey, lookup: string, related: RowReference, options?: CallOptions): Promise<void> {
  return send(ctx, setLookupRequest(ctx, set, key, lookup, related, options), set, key, related);
}

export async function clearLookup(ctx: DataverseContext, set: string, key: RowKey, lookup: string, options?: CallOptions): Promise<void> {
  return send(ctx, clearLookupRequest(set, key, lookup, options), set, key);
}
