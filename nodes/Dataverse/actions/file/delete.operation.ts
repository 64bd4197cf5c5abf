import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { rowIdParameter, tableParameter } from '../helpers';
import { fileTarget } from './descriptions';
import { fileColumnParameter } from './file-column';

export const description: INodeProperties[] = [...fileTarget('delete')];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const rowId = rowIdParameter(this, i);
  const column = await fileColumnParameter(this, conn, table, i);
  await conn.dv.deleteFile(table.entitySetName, rowId, column.logicalName);
  return [{ table: table.entitySetName, rowId, column: column.logicalName, deleted: true }];
}
