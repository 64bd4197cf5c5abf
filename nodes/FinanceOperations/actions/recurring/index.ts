import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../operation';
import * as dequeue from './dequeue.operation';
import * as enqueue from './enqueue.operation';
import * as status from './status.operation';

export const operations: Record<string, OperationModule> = { enqueue, dequeue, getStatus: status };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['recurring'] } },
    default: 'enqueue',
    options: [
      { name: 'Dequeue', value: 'dequeue', description: 'Take the next package of an export job', action: 'Dequeue a package' },
      { name: 'Enqueue', value: 'enqueue', description: 'Send items or a file to an import job', action: 'Enqueue data' },
      { name: 'Get Message Status', value: 'getStatus', description: 'Read how an enqueued message was processed', action: 'Get the status of a message' },
    ],
  },
  ...enqueue.description,
  ...dequeue.description,
  ...status.description,
];
