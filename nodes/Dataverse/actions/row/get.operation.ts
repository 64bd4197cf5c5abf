import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { callHeaders, outputRow, rowIdParameter, tableParameter } from '../helpers';
import { optionsCollection, rowLocator, tableLocator } from '../common.descriptions';
import { selectOption, expandOption, checkSelect, parseExpand } from './query.options';

const show = { show: { resource: ['row'], operation: ['get'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...rowLocator(), displayOptions: show },
  optionsCollection('get', ['formattedValues', 'callerObjectId'], [selectOption, expandOption]),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const id = rowIdParameter(this, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const select = await checkSelect(conn, table, options.select);
  const row = await conn.dv.retrieve(table.entitySetName, id, {
    select,
    expand: parseExpand(options.expand),
    annotations: options.formattedValues === true ? true : undefined,
    extraHeaders: callHeaders(options),
  });
  return [outputRow(row, options.formattedValues === true)];
}
