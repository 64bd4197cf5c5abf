import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { companyForKey } from '../../helpers/company';
import { companyLocator, entitySetLocator, fieldsMapper, keyMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, keyParameter, mapperValues } from '../helpers';

const show = showFor('entity', ['upsert']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  { ...keyMapper, displayOptions: show, hint: 'The full key of the row: it is updated when it exists and created with this key otherwise' },
  fieldsMapper(['upsert']),
];

/** F&O has no upsert call: an update, and a create with the key when the row is not there. */
export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const set = entitySetParameter(this, i);
  const key = keyParameter(this, i);
  const company = await companyForKey(conn, companyParameter(this, i), key);
  const fields = mapperValues(this, 'fields', i);
  for (const k of Object.keys(key)) delete fields[k];
  const result = await conn.fno.upsert(set, key, fields, { company });
  const row = (await conn.fno.get(set, key, { company })) as IDataObject;
  return [{ ...row, created: result.created }];
}
