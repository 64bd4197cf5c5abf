import type { INodeProperties } from 'n8n-workflow';
import * as getColumns from './getColumns.operation';
import * as getOptionSet from './getOptionSet.operation';
import * as list from './list.operation';

export { getColumns, getOptionSet, list };

export const description: INodeProperties[] = [
  {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: ['table'] } },
    default: 'list',
    options: [
      { name: 'Get Choice Values', value: 'getOptionSet', description: 'Get the values and labels of a choice column', action: 'Get choice values' },
      { name: 'Get Columns', value: 'getColumns', description: 'Get the columns of a table', action: 'Get columns of a table' },
      { name: 'List', value: 'list', description: 'List the tables of the environment', action: 'List tables' },
    ],
  },
  ...list.description,
  ...getColumns.description,
  ...getOptionSet.description,
];
