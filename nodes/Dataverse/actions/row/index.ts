import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as associate from './associate.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as disassociate from './disassociate.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export const operations: Record<string, OperationModule> = { associate, create, delete: del, disassociate, get, getMany, update, upsert };

export const description: INodeProperties[] = [
  operationSelector('row', 'getMany', [
    { name: 'Associate', value: 'associate', description: 'Link a row to another row through a relationship', action: 'Associate rows' },
    { name: 'Create', value: 'create', description: 'Create a row', action: 'Create a row' },
    { name: 'Delete', value: 'delete', description: 'Delete a row', action: 'Delete a row' },
    { name: 'Disassociate', value: 'disassociate', description: 'Remove the link between two rows', action: 'Disassociate rows' },
    { name: 'Get', value: 'get', description: 'Get a row by ID', action: 'Get a row' },
    { name: 'Get Many', value: 'getMany', description: 'List rows with a filter, OData or FetchXML', action: 'Get many rows' },
    { name: 'Update', value: 'update', description: 'Update an existing row', action: 'Update a row' },
    { name: 'Upsert', value: 'upsert', description: 'Create a row, or update it if it exists (by ID or alternate key)', action: 'Create or update a row' },
  ]),
  ...create.description,
  ...get.description,
  ...getMany.description,
  ...update.description,
  ...upsert.description,
  ...del.description,
  ...associate.description,
  ...disassociate.description,
];
