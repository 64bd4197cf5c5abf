import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export const operations: Record<string, OperationModule> = { create, delete: del, get, getMany, update, upsert };

export const description: INodeProperties[] = [
  operationSelector('entity', 'getMany', [
    { name: 'Create', value: 'create', description: 'Create a row', action: 'Create a row' },
    { name: 'Delete', value: 'delete', description: 'Delete a row by its key', action: 'Delete a row' },
    { name: 'Get', value: 'get', description: 'Get a row by its key', action: 'Get a row' },
    { name: 'Get Many', value: 'getMany', description: 'List rows of one company or across companies', action: 'Get many rows' },
    { name: 'Update', value: 'update', description: 'Update a row by its key', action: 'Update a row' },
    { name: 'Upsert', value: 'upsert', description: 'Update a row by its full key, or create it when there is none', action: 'Create or update a row' },
  ]),
  ...create.description,
  ...get.description,
  ...getMany.description,
  ...update.description,
  ...upsert.description,
  ...del.description,
];
