import type { INodeProperties } from 'n8n-workflow';
import type { OperationModule } from '../operation';
import * as run from './run.operation';

export const operations: Record<string, OperationModule> = { run };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['action'] } },
    default: 'run',
    options: [{ name: 'Run', value: 'run', description: 'Run an action of an entity', action: 'Run an entity action' }],
  },
  ...run.description,
];
