import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as call from './call.operation';

export const operations: Record<string, OperationModule> = { call };

export const description: INodeProperties[] = [
  operationSelector('customService', 'call', [{ name: 'Call', value: 'call', description: 'Call an operation of a custom JSON service', action: 'Call a custom service' }]),
  ...call.description,
];
