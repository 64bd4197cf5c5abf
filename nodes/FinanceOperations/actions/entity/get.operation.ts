import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { companyForKey } from '../../helpers/company';
import { companyLocator, entitySetLocator, keyMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, keyParameter, listOf } from '../helpers';
import { selectOption } from './query.options';

const show = showFor('entity', ['get']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  { ...keyMapper, displayOptions: show },
  optionsFor(show, [selectOption]),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const key = keyParameter(this, i);
  const company = await companyForKey(conn, companyParameter(this, i), key);
  const row = await conn.fno.get(entitySetParameter(this, i), key, { company, select: listOf(options.select) });
  return [row as IDataObject];
}
