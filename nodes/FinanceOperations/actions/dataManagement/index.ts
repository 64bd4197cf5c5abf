import type { INodeProperties } from 'n8n-workflow';
import { operationSelector } from '../../../shared/descriptions';
import type { OperationModule } from '../operation';
import * as exportOp from './export.operation';
import * as importOp from './import.operation';
import * as status from './status.operation';

export const operations: Record<string, OperationModule> = { import: importOp, export: exportOp, getStatus: status };

export const description: INodeProperties[] = [
  operationSelector('dataManagement', 'import', [
    { name: 'Export', value: 'export', description: 'Export a data project to rows or a data package', action: 'Export a data project' },
    { name: 'Get Job Status', value: 'getStatus', description: 'Read the status of an import or export execution', action: 'Get the status of a job' },
    { name: 'Import', value: 'import', description: 'Import input items or a data package through a data project', action: 'Import into a data project' },
  ]),
  ...importOp.description,
  ...exportOp.description,
  ...status.description,
];
