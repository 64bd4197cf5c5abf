import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { companyForKey } from '../../helpers/company';
import { companyLocator, entitySetLocator, keyMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, keyParameter } from '../helpers';

const show = showFor('entity', ['delete']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  { ...keyMapper, displayOptions: show },
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const key = keyParameter(this, i);
  await conn.fno.delete(entitySetParameter(this, i), key, { company: await companyForKey(conn, companyParameter(this, i), key) });
  return [{ key: key as IDataObject, deleted: true }];
}
