/**
 * The Dataverse node's resources and operations, run by the shared router. Most operations run item by item; those
 * that can send many items in one `$batch` (the Batch resource, and create/update/upsert with a batch size) take all
 * items at once and answer for each.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeOperation } from '../../shared/router';
import { toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection } from '../transport/connection';
import * as action from './action';
import * as batch from './batch';
import * as changes from './changes';
import * as file from './file';
import * as row from './row';
import * as table from './table';

const resources = {
  action: action.operations,
  batch: batch.operations,
  changes: changes.operations,
  file: file.operations,
  row: row.operations,
  table: table.operations,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return routeOperation(this, { resources, defaultResource: 'row', connections: { getConnection, releaseConnection }, toNodeError });
}
