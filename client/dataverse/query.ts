/**
 * Query options as a query string, through client/odata's buildQueryString; its TypeErrors (a bad column name, an
 * empty select) become D365Errors like every other failure of the client.
 */
import { buildQueryString, type ODataQuery } from '../odata/query';
import { invalidArgument } from './errors';

export type { ExpandOption, ODataQuery, OrderByItem } from '../odata/query';

/** `?$select=…&$filter=…`, or '' when nothing is asked. */
export function queryString(query: ODataQuery = {}): string {
  try {
    return buildQueryString(query);
  } catch (e) {
    throw invalidArgument(`Invalid query: ${(e as Error)?.message ?? String(e)}`, e);
  }
}
