import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { companyLocator, entitySetLocator, fieldsMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, mapperValues } from '../helpers';
import { InputError } from '../../helpers/errors';

const show = showFor('entity', ['create']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  fieldsMapper(['create']),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const set = entitySetParameter(this, i);
  const fields = mapperValues(this, 'fields', i);
  if (!Object.keys(fields).length) throw new InputError('No fields to create the row with: map at least its key fields.', 'EmptyFields');
  const result = await conn.fno.create(set, fields, { company: companyParameter(this, i) });
  return [(result.row ?? { ...result.key, '@odata.etag': result.etag }) as IDataObject];
}
