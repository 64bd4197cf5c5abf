/**
 * URL paths of rows: `accounts(<guid>)`, `accounts(accountnumber='A1')`, and how a key reads in messages.
 * Key predicates come from client/odata so quoting and percent-encoding are decided in one place.
 */
import { assertIdentifier } from '../odata/identifiers';
import { keyPredicate, type EntityKey } from '../odata/literals';
import { entityPath } from '../odata/query';
import { invalidArgument } from './errors';

/** A GUID, or the columns of an alternate key: `{ accountnumber: 'A1' }`. */
export type RowKey = EntityKey;

function invalid(what: string, e: unknown) {
  return invalidArgument(`${what}: ${(e as Error)?.message ?? String(e)}`, e);
}

export function setPath(set: string): string {
  try {
    return assertIdentifier(set, 'table (entity set name)');
  } catch (e) {
    throw invalid('Invalid table', e);
  }
}

export function rowPath(set: string, key: RowKey): string {
  const table = setPath(set);
  try {
    return entityPath(table, key);
  } catch (e) {
    throw invalid(`Invalid key for table '${table}'`, e);
  }
}

/** `00000000-…` or `accountnumber='A1'`, for messages. */
export function describeKey(key: RowKey): string {
  try {
    return keyPredicate(key).slice(1, -1);
  } catch {
    return String(key);
  }
}

const GUID_AT_END = /\(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)\/?$/;

/** The GUID of `…/accounts(<guid>)`; undefined when the URL names the row by an alternate key. */
export function guidOfEntityUrl(url: string | undefined): string | undefined {
  return url ? GUID_AT_END.exec(url)?.[1]?.toLowerCase() : undefined;
}
