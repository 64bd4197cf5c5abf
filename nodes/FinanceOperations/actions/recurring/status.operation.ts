import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { showFor, timeBudgetOption } from '../common.descriptions';
import { textParameter, timeBudgetMs } from '../helpers';
import { activityIdField } from './enqueue.operation';

const show = showFor('recurring', ['getStatus']);

export const description: INodeProperties[] = [
  { ...activityIdField, displayOptions: show },
  {
    displayName: 'Message ID',
    name: 'messageId',
    type: 'string',
    default: '',
    required: true,
    placeholder: '={{ $json.messageId }}',
    description: 'The message ID Enqueue returned',
    displayOptions: show,
  },
  optionsFor(show, [
    { displayName: 'Wait Until Processed', name: 'wait', type: 'boolean', default: false, description: 'Whether to wait (within the time budget) until F&O has processed the message' },
    timeBudgetOption,
  ]),
];

/** The message's status and its data job's details (state, records staged and written, errors per entity). */
export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const activityId = textParameter(this, 'activityId', i, 'Activity ID');
  const messageId = textParameter(this, 'messageId', i, 'Message ID');
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const status =
    options.wait === true
      ? await conn.fno.waitForMessage(messageId, { timeBudgetMs: timeBudgetMs(options), initialDelayMs: 500, maxDelayMs: 15_000 })
      : await conn.fno.messageStatus(messageId);
  const detail = await conn.fno.jobStatus(activityId, messageId);
  return [{ messageId, status, ...(detail as unknown as IDataObject) }];
}
