import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import { isFinalStatus } from '../../../../client/fno';
import type { Connection } from '../../transport/connection';
import { showFor, timeBudgetOption } from '../common.descriptions';
import { textParameter, timeBudgetMs } from '../helpers';

const show = showFor('dataManagement', ['getStatus']);

export const description: INodeProperties[] = [
  {
    displayName: 'Execution ID',
    name: 'executionId',
    type: 'string',
    default: '',
    required: true,
    placeholder: '={{ $json.executionId }}',
    description: 'The execution ID an import or export returned',
    displayOptions: show,
  },
  optionsFor(show, [
    { displayName: 'Wait Until Finished', name: 'wait', type: 'boolean', default: false, description: 'Whether to wait (within the time budget) until the job ends' },
    timeBudgetOption,
  ]),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const executionId = textParameter(this, 'executionId', i, 'Execution ID');
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const status =
    options.wait === true
      ? await conn.fno.waitForExecution(executionId, { timeBudgetMs: timeBudgetMs(options), initialDelayMs: 500, maxDelayMs: 15_000 })
      : await conn.fno.executionStatus(executionId);
  const final = isFinalStatus(status);
  const out: IDataObject = { executionId, status, final };
  if (final && status !== 'Succeeded') out.errors = (await conn.fno.executionErrors(executionId)) as unknown as IDataObject[];
  return [out];
}
