import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as run from './run.operation';

export const operations: Record<string, OperationModule> = { run };

export const description: INodeProperties[] = [
  operationSelector('action', 'run', [{ name: 'Run', value: 'run', description: 'Run an action of an entity', action: 'Run an entity action' }]),
  ...run.description,
];
