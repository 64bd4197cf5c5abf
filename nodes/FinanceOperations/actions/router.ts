/**
 * The F&O node's resources and operations, run by the shared router: item by item, or over all items for the
 * operations that turn every input item into one package.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { routeOperation } from '../../shared/router';
import { toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection } from '../transport/connection';
import * as action from './action';
import * as customService from './customService';
import * as dataManagement from './dataManagement';
import * as entity from './entity';
import * as recurring from './recurring';

const resources = {
  entity: entity.operations,
  action: action.operations,
  customService: customService.operations,
  dataManagement: dataManagement.operations,
  recurring: recurring.operations,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  return routeOperation(this, { resources, defaultResource: 'entity', connections: { getConnection, releaseConnection }, toNodeError });
}
