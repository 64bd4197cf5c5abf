/**
 * Runs the chosen operation on one shared connection. Most operations run item by item; those that can send many
 * items in one `$batch` (the Batch resource, and create/update/upsert with a batch size) take all items at once and
 * answer for each. Every output item carries pairedItem; with Continue On Fail a failure becomes `{ error, code }`
 * on that item and the other items go on.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { errorCode, toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection, type Connection } from '../transport/connection';
import * as action from './action';
import * as batch from './batch';
import * as changes from './changes';
import * as file from './file';
import type { ItemResult, OperationModule } from './operation';
import * as row from './row';
import * as table from './table';

const RESOURCES: Record<string, Record<string, OperationModule>> = {
  action: action.operations,
  batch: batch.operations,
  changes: changes.operations,
  file: file.operations,
  row: {
    associate: row.associate,
    create: row.create,
    delete: row.delete,
    disassociate: row.disassociate,
    get: row.get,
    getMany: row.getMany,
    update: row.update,
    upsert: row.upsert,
  },
  table: {
    getColumns: table.getColumns,
    getOptionSet: table.getOptionSet,
    list: table.list,
  },
};

async function itemByItem(ctx: IExecuteFunctions, conn: Connection, execute: NonNullable<OperationModule['execute']>, count: number): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (let i = 0; i < count; i++) {
    try {
      results.push({ item: i, json: await execute.call(ctx, conn, i) });
    } catch (error) {
      results.push({ item: i, error });
      if (!ctx.continueOnFail()) break;
    }
  }
  return results;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const resource = this.getNodeParameter('resource', 0, 'row') as string;
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
      // A failure before any item could run (credentials, connection) is every item's failure.
      results = items.map((_, item) => ({ item, error }));
    }
    for (const result of results) {
      if (result.error === undefined) {
        for (const json of result.json ?? []) out.push({ json, ...(result.binary ? { binary: result.binary } : {}), pairedItem: { item: result.item } });
        continue;
      }
      const wrapped = toNodeError(this.getNode(), result.error, result.item);
      if (!this.continueOnFail()) throw wrapped;
      const json: IDataObject = { error: wrapped.message };
      const code = errorCode(result.error);
      if (code) json.code = code;
      // `error` on the item is what sends it down n8n's error output ("On Error: Continue (using error output)");
      // judged by json alone, `code` would keep a failed item on the success branch.
      out.push({ json, error: wrapped, pairedItem: { item: result.item } });
    }
  } finally {
    await releaseConnection(this);
  }
  return [out];
}
