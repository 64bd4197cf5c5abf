import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { showFor } from '../common.descriptions';
import { jsonObjectParameter, textParameter } from '../helpers';

const show = showFor('customService', ['call']);

export const description: INodeProperties[] = [
  {
    displayName: 'Service Group Name or ID',
    name: 'serviceGroup',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getServiceGroups' },
    default: '',
    required: true,
    description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    displayOptions: show,
  },
  {
    displayName: 'Service Name or ID',
    name: 'service',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getServices', loadOptionsDependsOn: ['serviceGroup'] },
    default: '',
    required: true,
    description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    displayOptions: show,
  },
  {
    displayName: 'Operation Name or ID',
    name: 'serviceOperation',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getServiceOperations', loadOptionsDependsOn: ['serviceGroup', 'service'] },
    default: '',
    required: true,
    description: 'Each operation in the list shows a sample of its parameters. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
    displayOptions: show,
  },
  {
    displayName: 'Parameters (JSON)',
    name: 'serviceParameters',
    type: 'json',
    default: '{}',
    description: 'The operation\'s parameters by name, as in the sample shown with the operation, e.g. {"_dataAreaId": "usmf", "_customerAccount": "US-001"}',
    displayOptions: show,
  },
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const group = textParameter(this, 'serviceGroup', i, 'Service Group');
  const service = textParameter(this, 'service', i, 'Service');
  const operation = textParameter(this, 'serviceOperation', i, 'Operation');
  const parameters = jsonObjectParameter(this, 'serviceParameters', i, 'Parameters (JSON)');
  const result = await conn.fno.callService(group, service, operation, parameters);
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) return [result as IDataObject];
  return [{ result: (result ?? null) as IDataObject['result'] }];
}
