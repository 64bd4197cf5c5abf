import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { tableParameter } from '../helpers';
import { tableLocator } from '../common.descriptions';

export const description: INodeProperties[] = [{ ...tableLocator, displayOptions: { show: { resource: ['table'], operation: ['getColumns'] } } }];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const columns = await conn.metadata.getColumns(table.logicalName);
  return columns.map((c) => ({ table: table.logicalName, ...c }) as unknown as IDataObject);
}
