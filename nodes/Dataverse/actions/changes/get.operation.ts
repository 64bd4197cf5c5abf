import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Change } from '../../../../client/dataverse/changes';
import type { TableInfo } from '../../../../client/metadata/entity-definitions';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';
import { tableLocator } from '../common.descriptions';
import { outputRow, tableParameter } from '../helpers';
import { checkSelect } from '../row/query.options';
import { deltaTokenFor, parseDeltaToken } from './delta-token';
import { explainTrackingError } from './tracking-errors';

const show = { show: { resource: ['changes'], operation: ['get'] } };
export const MAX_PAGE_SIZE = 5000;

/** Options shared with the Dataverse Changes Trigger. */
export const changeOptions: INodeProperties[] = [
  {
    displayName: 'Friendly Rows (Formatted Values)',
    name: 'formattedValues',
    type: 'boolean',
    default: false,
    description: 'Whether to return rows as { fields, formatted, lookups, related } with choice labels and lookup names',
  },
  {
    displayName: 'Page Size',
    name: 'pageSize',
    type: 'number',
    typeOptions: { minValue: 1, maxValue: MAX_PAGE_SIZE },
    default: MAX_PAGE_SIZE,
    description: 'How many changes to ask Dataverse for per request (odata.maxpagesize); every page is read, so this does not limit the output',
  },
];

export const description: INodeProperties[] = [
  { ...tableLocator, description: 'The table to read the changes of; change tracking must be enabled on it', displayOptions: show },
  {
    displayName: 'Delta Token',
    name: 'deltaToken',
    type: 'string',
    default: '',
    placeholder: '={{ $json.nextDeltaToken }}',
    description:
      'Where the previous run stopped. Leave empty for the first run: it returns every row (a full sync). Each run outputs a nextDeltaToken on every item; save the one of the last item (for example in a Data Table or a variable) and put it here next time, as-is, to get only what changed since. The whole link or only its $deltatoken value both work. A token expires when Dataverse no longer keeps the changes since it; then clear this field to sync in full again.',
    displayOptions: show,
  },
  {
    displayName: 'Columns to Return',
    name: 'returnColumns',
    type: 'multiOptions',
    typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table.value'] },
    default: [],
    description:
      'Only these columns of new and updated rows ($select); empty returns all. Applies on every run, whatever columns the token was made with. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    displayOptions: show,
  },
  optionsFor(show, changeOptions),
];

/** The Page Size option, checked (shared with the Dataverse Changes Trigger). */
export function pageSizeOption(options: IDataObject): number | undefined {
  if (options.pageSize === undefined || options.pageSize === '') return undefined;
  const size = Number(options.pageSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InputError(`The page size ${String(options.pageSize)} is not a whole number from 1 to ${MAX_PAGE_SIZE}.`, 'InvalidPageSize');
  }
  return size;
}

/** One output item per change: { changeType: 'newOrUpdated', id, row } or { changeType: 'deleted', id }. */
export function changeItem(change: Change, table: TableInfo, friendly: boolean): IDataObject {
  if (change.kind === 'delete') return { changeType: 'deleted', id: change.id };
  const id = change.row[table.primaryIdAttribute];
  return { changeType: 'newOrUpdated', id: typeof id === 'string' ? id : null, row: outputRow(change.row, friendly) };
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const friendly = options.formattedValues === true;
  const pageSize = pageSizeOption(options);
  const select = await checkSelect(conn, table, this.getNodeParameter('returnColumns', i, []));
  const parsed = parseDeltaToken(this.getNodeParameter('deltaToken', i, ''));
  const deltaToken = parsed ? deltaTokenFor(conn, table, parsed) : undefined;

  const feed = conn.dv.trackChanges(table.entitySetName, { select, deltaToken, pageSize, annotations: friendly ? true : undefined });
  const out: IDataObject[] = [];
  let nextDeltaToken: string;
  try {
    // Each page is turned into output items as it arrives; only the items are kept, not the pages.
    for await (const change of feed.changes()) out.push(changeItem(change, table, friendly));
    nextDeltaToken = feed.deltaLink();
  } catch (error) {
    throw explainTrackingError(error, table, parsed !== undefined);
  }
  // The token exists only once every change was read, so it is added to the items at the end.
  if (out.length === 0) return [{ changes: 0, nextDeltaToken }];
  for (const item of out) item.nextDeltaToken = nextDeltaToken;
  return out;
}
