import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as dequeue from './dequeue.operation';
import * as enqueue from './enqueue.operation';
import * as status from './status.operation';

export const operations: Record<string, OperationModule> = { enqueue, dequeue, getStatus: status };

export const description: INodeProperties[] = [
  operationSelector('recurring', 'enqueue', [
    { name: 'Dequeue', value: 'dequeue', description: 'Take the next package of an export job', action: 'Dequeue a package' },
    { name: 'Enqueue', value: 'enqueue', description: 'Send items or a file to an import job', action: 'Enqueue data' },
    { name: 'Get Message Status', value: 'getStatus', description: 'Read how an enqueued message was processed', action: 'Get the status of a message' },
  ]),
  ...enqueue.description,
  ...dequeue.description,
  ...status.description,
];
