/**
 * Runs the chosen operation for every input item on one shared connection. Each output item carries pairedItem;
 * with Continue On Fail a failure becomes `{ error, code }` on that item and the other items go on.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { errorCode, toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection, type Connection } from '../transport/connection';
import * as row from './row';
import * as table from './table';

type Operation = (this: IExecuteFunctions, conn: Connection, i: number) => Promise<IDataObject[]>;

const OPERATIONS: Record<string, Record<string, Operation>> = {
  row: {
    associate: row.associate.execute,
    create: row.create.execute,
    delete: row.delete.execute,
    disassociate: row.disassociate.execute,
    get: row.get.execute,
    getMany: row.getMany.execute,
    update: row.update.execute,
    upsert: row.upsert.execute,
  },
  table: {
    getColumns: table.getColumns.execute,
    getOptionSet: table.getOptionSet.execute,
    list: table.list.execute,
  },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = this.getInputData();
  const resource = this.getNodeParameter('resource', 0, 'row') as string;
  const operation = this.getNodeParameter('operation', 0) as string;
  const run = OPERATIONS[resource]?.[operation];
  if (!run) throw new NodeOperationError(this.getNode(), `The operation '${operation}' of resource '${resource}' is not supported.`);
  const out: INodeExecutionData[] = [];
  try {
    for (let i = 0; i < items.length; i++) {
      try {
        const conn = await getConnection(this);
        const results = await run.call(this, conn, i);
        for (const json of results) out.push({ json, pairedItem: { item: i } });
      } catch (error) {
        const wrapped = toNodeError(this.getNode(), error, i);
        if (this.continueOnFail()) {
          const json: IDataObject = { error: wrapped.message };
          const code = errorCode(error);
          if (code) json.code = code;
          out.push({ json, pairedItem: { item: i } });
          continue;
        }
        throw wrapped;
      }
    }
  } finally {
    await releaseConnection(this);
  }
  return [out];
}
