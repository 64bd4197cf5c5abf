import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { companyForKey } from '../../helpers/company';
import { InputError } from '../../helpers/errors';
import { companyLocator, entitySetLocator, fieldsMapper, keyMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, keyParameter, mapperValues } from '../helpers';

const show = showFor('entity', ['update']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  { ...keyMapper, displayOptions: show },
  fieldsMapper(['update']),
  optionsFor(show, [
    {
      displayName: 'Only If Unchanged (ETag)',
      name: 'ifMatch',
      type: 'string',
      default: '',
      placeholder: '={{ $json["@odata.etag"] }}',
      description: 'The @odata.etag of the row as it was read: the update fails (412) if the row changed since. Empty updates whatever the row holds now.',
    },
    { displayName: 'Return Row', name: 'returnRow', type: 'boolean', default: true, description: 'Whether to read the row back after the update (one more request)' },
  ]),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const set = entitySetParameter(this, i);
  const key = keyParameter(this, i);
  const company = await companyForKey(conn, companyParameter(this, i), key);
  const fields = mapperValues(this, 'fields', i);
  for (const k of Object.keys(key)) delete fields[k];
  if (!Object.keys(fields).length) throw new InputError('No fields to update: map at least one field that is not part of the key.', 'EmptyFields');
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const ifMatch = typeof options.ifMatch === 'string' && options.ifMatch.trim() ? options.ifMatch.trim() : undefined;
  const result = await conn.fno.update(set, key, fields, { company, ifMatch });
  if (options.returnRow === false) return [{ key, ...(result.etag ? { '@odata.etag': result.etag } : {}), updated: true }];
  return [(await conn.fno.get(set, key, { company })) as IDataObject];
}
