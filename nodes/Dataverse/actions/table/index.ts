import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as getColumns from './getColumns.operation';
import * as getOptionSet from './getOptionSet.operation';
import * as list from './list.operation';

export const operations: Record<string, OperationModule> = { getColumns, getOptionSet, list };

export const description: INodeProperties[] = [
  operationSelector('table', 'list', [
    { name: 'Get Choice Values', value: 'getOptionSet', description: 'Get the values and labels of a choice column', action: 'Get choice values' },
    { name: 'Get Columns', value: 'getColumns', description: 'Get the columns of a table', action: 'Get columns of a table' },
    { name: 'List', value: 'list', description: 'List the tables of the environment', action: 'List tables' },
  ]),
  ...list.description,
  ...getColumns.description,
  ...getOptionSet.description,
];
