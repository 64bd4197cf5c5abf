/**
 * Runs the chosen operation on one shared connection, item by item (or over all items for the operations that turn
 * every input item into one package). Every output item carries pairedItem; with Continue On Fail a failure becomes
 * `{ error, code }` on its item and the others go on.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { errorCode, toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection, type Connection } from '../transport/connection';
import * as action from './action';
import * as customService from './customService';
import * as dataManagement from './dataManagement';
import * as entity from './entity';
import type { ItemResult, OperationModule } from './operation';
import * as recurring from './recurring';

const RESOURCES: Record<string, Record<string, OperationModule>> = {
  entity: entity.operations,
  action: action.operations,
  customService: customService.operations,
  dataManagement: dataManagement.operations,
  recurring: recurring.operations,
};

async function itemByItem(ctx: IExecuteFunctions, conn: Connection, execute: NonNullable<OperationModule['execute']>, count: number): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const out = await execute.call(ctx, conn, i);
      results.push(Array.isArray(out) ? { item: i, json: out } : { item: i, ...out });
    } catch (error) {
      results.push({ item: i, error });
      if (!ctx.continueOnFail()) break;
    }
  }
  return results;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const resource = this.getNodeParameter('resource', 0, 'entity') as string;
  const operation = this.getNodeParameter('operation', 0) as string;
  const op = RESOURCES[resource]?.[operation];
  if (!op) throw new NodeOperationError(this.getNode(), `The operation '${operation}' of resource '${resource}' is not supported.`);
  const out: INodeExecutionData[] = [];
  try {
    let results: ItemResult[];
    try {
      const conn = await getConnection(this);
      if (op.execute && (!op.executeAll || op.handlesAllItems?.call(this) === false)) results = await itemByItem(this, conn, op.execute, items.length);
      else if (op.executeAll) results = await op.executeAll.call(this, conn, items.length);
      else results = [];
    } catch (error) {
      // A failure before any item could run (credentials, connection, a shared package) is every item's failure.
      results = items.map((_, item) => ({ item, error }));
    }
    for (const result of results) {
      if (result.error === undefined) {
        (result.json ?? []).forEach((json, n) => {
          const binary = result.binary?.[n];
          const pairedItem = result.pairedItems ? result.pairedItems.map((item) => ({ item })) : { item: result.item };
          out.push({ json, ...(binary ? { binary } : {}), pairedItem });
        });
        continue;
      }
      const wrapped = toNodeError(this.getNode(), result.error, result.item);
      if (!this.continueOnFail()) throw wrapped;
      const json: IDataObject = { error: wrapped.message };
      const code = errorCode(result.error);
      if (code) json.code = code;
      // `error` on the item sends it down n8n's error output; judged by json alone, `code` keeps it on the success branch.
      out.push({ json, error: wrapped, pairedItem: { item: result.item } });
    }
  } finally {
    await releaseConnection(this);
  }
  return [out];
}
