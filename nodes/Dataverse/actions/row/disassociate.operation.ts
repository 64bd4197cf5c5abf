import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { callHeaders, rowIdParameter, tableParameter } from '../helpers';
import { associationDescription, relationshipTarget } from './associate.operation';

export const description: INodeProperties[] = associationDescription('disassociate');

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const id = rowIdParameter(this, i);
  const { relationship, related, relatedId } = await relationshipTarget(this, conn, table, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  await conn.dv.disassociate(table.entitySetName, id, relationship.navigationProperty!, { set: related.entitySetName, key: relatedId }, { extraHeaders: callHeaders(options) });
  return [{ id, relationship: relationship.navigationProperty!, relatedTable: related.logicalName, relatedId, disassociated: true }];
}
