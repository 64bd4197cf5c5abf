import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../operation';
import * as get from './get.operation';

export const operations: Record<string, OperationModule> = { get };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['changes'] } },
    default: 'get',
    options: [
      {
        name: 'Get Changes',
        value: 'get',
        description: 'Get the rows created, updated or deleted since a delta token, and the token for next time',
        action: 'Get changes since a delta token',
      },
    ],
  },
  ...get.description,
];
