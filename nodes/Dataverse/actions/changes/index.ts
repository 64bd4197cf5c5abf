import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as get from './get.operation';

export const operations: Record<string, OperationModule> = { get };

export const description: INodeProperties[] = [
  operationSelector('changes', 'get', [
    {
      name: 'Get Changes',
      value: 'get',
      description: 'Get the rows created, updated or deleted since a delta token, and the token for next time',
      action: 'Get changes since a delta token',
    },
  ]),
  ...get.description,
];
