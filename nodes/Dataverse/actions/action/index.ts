import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as run from './run.operation';

export const operations: Record<string, OperationModule> = { run };

export const description: INodeProperties[] = [
  operationSelector('action', 'run', [
    {
      name: 'Run',
      value: 'run',
      description: 'Run a bound or unbound action or function; its parameters are described from metadata',
      action: 'Run an action or function',
    },
  ]),
  ...run.description,
];
