import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { companyForKey } from '../../helpers/company';
import { InputError } from '../../helpers/errors';
import { findEntityAction } from '../../helpers/model';
import { companyLocator, entitySetLocator, keyMapper, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, jsonObjectParameter, keyParameter, textParameter } from '../helpers';

const show = showFor('action', ['run']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  {
    displayName: 'Action Name or ID',
    name: 'entityAction',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getEntityActions', loadOptionsDependsOn: ['entitySet.value'] },
    default: '',
    required: true,
    description: 'An action the entity publishes (bound to one row, or to the whole entity). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    displayOptions: show,
  },
  { ...companyLocator, displayOptions: show },
  {
    ...keyMapper,
    required: false,
    hint: 'The row the action runs on; ignored for actions bound to the whole entity',
    displayOptions: show,
  },
  {
    displayName: 'Parameters (JSON)',
    name: 'actionParameters',
    type: 'json',
    default: '{}',
    description: 'The action\'s parameters by name, e.g. {"Reason": "Duplicate order"}; the list of actions shows each one\'s parameters',
    displayOptions: show,
  },
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const set = entitySetParameter(this, i);
  const name = textParameter(this, 'entityAction', i, 'Action');
  const model = await conn.fno.metadata();
  const action = findEntityAction(model, set, name);
  if (!action) throw new InputError(`'${name}' is not an action of the entity '${set}'.`, 'UnknownAction');
  const parameters = jsonObjectParameter(this, 'actionParameters', i, 'Parameters (JSON)');
  const company = companyParameter(this, i);
  let value: unknown;
  if (action.collection) {
    value = await conn.fno.callCollectionAction(set, action.name, parameters, { company });
  } else {
    const key = keyParameter(this, i);
    value = await conn.fno.callAction(set, key, action.name, parameters, { company: await companyForKey(conn, company, key) });
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [value as IDataObject];
  return [{ action: action.name, value: (value ?? null) as IDataObject['value'] }];
}
