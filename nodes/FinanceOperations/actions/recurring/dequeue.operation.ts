import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';
import { binaryPropertyField, showFor } from '../common.descriptions';
import { textParameter } from '../helpers';
import { activityIdField } from './enqueue.operation';

const show = showFor('recurring', ['dequeue']);

export const description: INodeProperties[] = [
  { ...activityIdField, displayOptions: show },
  { ...binaryPropertyField('binaryPropertyName', 'Put Output File in Field', 'The binary field to put the dequeued package in'), displayOptions: show },
  {
    displayName: 'Acknowledge',
    name: 'ack',
    type: 'boolean',
    default: true,
    description: 'Whether to acknowledge the message once downloaded; unacknowledged messages come back after 30 minutes',
    displayOptions: show,
  },
];

/** The next package of an export job, downloaded (and acknowledged); `{ dequeued: false }` when none waits. */
export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[] | { json: IDataObject[]; binary?: IBinaryKeyData[] }> {
  const activityId = textParameter(this, 'activityId', i, 'Activity ID');
  const message = await conn.fno.dequeue(activityId);
  if (!message) return [{ dequeued: false, activityId }];
  const content = await conn.fno.downloadMessage(message);
  const acknowledge = this.getNodeParameter('ack', i, true) as boolean;
  if (acknowledge) await conn.fno.ack(activityId, message);
  const property = textParameter(this, 'binaryPropertyName', i, 'Output Binary Field');
  const binary = await this.helpers.prepareBinaryData(content, `${message.CorrelationId || 'package'}.zip`, 'application/zip');
  const json: IDataObject = { dequeued: true, activityId, acknowledged: acknowledge, message: { ...message } as IDataObject };
  return { json: [json], binary: [{ [property]: binary }] };
}
