import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { callHeaders, rowIdParameter, tableParameter } from '../helpers';
import { optionsCollection, rowLocator, tableLocator } from '../common.descriptions';

const show = { show: { resource: ['row'], operation: ['delete'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...rowLocator(), displayOptions: show },
  optionsCollection('delete', ['callerObjectId', 'bypassCustomPluginExecution']),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const id = rowIdParameter(this, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  await conn.dv.delete(table.entitySetName, id, { extraHeaders: callHeaders(options) });
  return [{ id, deleted: true }];
}
