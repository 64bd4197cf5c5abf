import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../operation';
import * as send from './send.operation';

export const operations: Record<string, OperationModule> = { send };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['batch'] } },
    default: 'send',
    options: [
      {
        name: 'Send Items as One Batch',
        value: 'send',
        description: 'Turn every input item into one operation of a $batch request (all or nothing, or continue on error)',
        action: 'Send items as one batch',
      },
    ],
  },
  ...send.description,
];
