import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { listMode, resourceMapperField } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { optionsCollection, rowLocator, tableLocator } from '../common.descriptions';
import { callHeaders } from '../helpers';
import { operationOutput } from './operation-output';
import { operationParameters } from './operation-parameters';
import { resolveOperationTarget } from './operation-target';

const show = { show: { resource: ['action'], operation: ['run'] } };

export const description: INodeProperties[] = [
  {
    displayName: 'Action or Function',
    name: 'operationName',
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    required: true,
    description: 'The action or function to run, as the environment declares it in its $metadata (custom APIs included)',
    modes: [
      listMode('Select an action or function...', 'searchActions'),
      { displayName: 'By Name', name: 'name', type: 'string', placeholder: 'WhoAmI' },
    ],
    displayOptions: show,
  },
  {
    ...tableLocator,
    required: false,
    description: 'Only for bound operations: the table the operation is bound to (leave empty for unbound ones)',
    displayOptions: show,
  },
  {
    ...rowLocator(),
    required: false,
    description: 'Only for operations bound to a row: the row to run it on',
    displayOptions: show,
  },
  {
    displayName: 'Parameters Input',
    name: 'parametersMode',
    type: 'options',
    default: 'mapper',
    options: [
      { name: 'Map Each Parameter', value: 'mapper', description: 'One field per declared parameter, typed from metadata' },
      { name: 'JSON', value: 'json', description: 'All parameters as one JSON object (entity and complex values)' },
    ],
    displayOptions: show,
  },
  resourceMapperField({
    displayName: 'Parameters',
    name: 'parameters',
    method: 'getActionParameters',
    dependsOn: ['operationName.value', 'table.value', 'rowId.value'],
    words: { singular: 'parameter', plural: 'parameters' },
    addAllFields: true,
    supportAutoMap: false,
    displayOptions: { show: { ...show.show, parametersMode: ['mapper'] } },
  }),
  {
    displayName: 'Parameters (JSON)',
    name: 'parametersJson',
    type: 'json',
    default: '{}',
    description: 'Parameter names and values, e.g. {"Target": {"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": "…"}}',
    displayOptions: { show: { ...show.show, parametersMode: ['json'] } },
  },
  { ...optionsCollection('run', ['callerObjectId', 'bypassCustomPluginExecution']), displayOptions: show },
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const target = await resolveOperationTarget(
    conn,
    this.getNodeParameter('operationName', i, '', { extractValue: true }),
    this.getNodeParameter('table', i, '', { extractValue: true }),
    this.getNodeParameter('rowId', i, '', { extractValue: true }),
  );
  const { operation } = target.callable;
  const parameters = operationParameters(this, i, target.model, operation);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const call = {
    metadata: operation,
    bound: target.entitySet ? { set: target.entitySet, key: target.rowId } : undefined,
    extraHeaders: callHeaders(options),
  };
  // Bound operations are addressed by their qualified name, which also covers namespaces other than Dataverse's.
  const name = operation.bound ? operation.qualifiedName : operation.name;
  const body =
    operation.kind === 'function'
      ? await conn.dv.callFunction<Record<string, unknown>>(name, parameters, call)
      : await conn.dv.callAction<Record<string, unknown>>(name, parameters, call);
  return operationOutput(operation, body);
}
