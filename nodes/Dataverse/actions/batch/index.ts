import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as send from './send.operation';

export const operations: Record<string, OperationModule> = { send };

export const description: INodeProperties[] = [
  operationSelector('batch', 'send', [
    {
      name: 'Send Items as One Batch',
      value: 'send',
      description: 'Turn every input item into one operation of a $batch request (all or nothing, or continue on error)',
      action: 'Send items as one batch',
    },
  ]),
  ...send.description,
];
