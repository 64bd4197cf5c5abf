/**
 * Runs the chosen operation of an action node on one shared connection: item by item, or over all items at once for
 * the operations that send many items in one request. Every output item carries pairedItem; with Continue On Fail a
 * failure becomes `{ error, code }` on its item, flagged so that n8n's error output receives it, and the other items
 * go on.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ConnectionCache } from './connection-cache';
import { errorCode, type ToNodeError } from './errors';
import type { ItemResult, OperationModule } from './operation';

export interface NodeOperations<Connection> {
  /** Operations by resource, then by operation name. */
  resources: Record<string, Record<string, OperationModule<Connection>>>;
  /** The Resource parameter's default, for nodes saved before it was set. */
  defaultResource: string;
  connections: Pick<ConnectionCache<Connection>, 'getConnection' | 'releaseConnection'>;
  toNodeError: ToNodeError;
}

async function itemByItem<C>(ctx: IExecuteFunctions, conn: C, execute: NonNullable<OperationModule<C>['execute']>, count: number): Promise<ItemResult[]> {
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

async function run<C>(ctx: IExecuteFunctions, op: OperationModule<C>, connections: NodeOperations<C>['connections'], count: number): Promise<ItemResult[]> {
  try {
    const conn = await connections.getConnection(ctx);
    if (op.execute && (!op.executeAll || op.handlesAllItems?.call(ctx) === false)) return await itemByItem(ctx, conn, op.execute, count);
    if (op.executeAll) return await op.executeAll.call(ctx, conn, count);
    return [];
  } catch (error) {
    // A failure before any item could run (credentials, connection, a shared package) is every item's failure.
    return Array.from({ length: count }, (_, item) => ({ item, error }));
  }
}

export async function routeOperation<C>(ctx: IExecuteFunctions, node: NodeOperations<C>): Promise<INodeExecutionData[][]> {
  const items = ctx.getInputData();
  const resource = ctx.getNodeParameter('resource', 0, node.defaultResource) as string;
  const operation = ctx.getNodeParameter('operation', 0) as string;
  const op = node.resources[resource]?.[operation];
  if (!op) throw new NodeOperationError(ctx.getNode(), `The operation '${operation}' of resource '${resource}' is not supported.`);
  const out: INodeExecutionData[] = [];
  try {
    for (const result of await run(ctx, op, node.connections, items.length)) {
      if (result.error === undefined) {
        (result.json ?? []).forEach((json, n) => {
          const binary = result.binary?.[n];
          const pairedItem = result.pairedItems ? result.pairedItems.map((item) => ({ item })) : { item: result.item };
          out.push({ json, ...(binary ? { binary } : {}), pairedItem });
        });
        continue;
      }
      const wrapped = node.toNodeError(ctx.getNode(), result.error, result.item);
      if (!ctx.continueOnFail()) throw wrapped;
      const json: IDataObject = { error: wrapped.message };
      const code = errorCode(result.error);
      if (code) json.code = code;
      // `error` on the item is what sends it down n8n's error output ("On Error: Continue (using error output)");
      // judged by json alone, `code` would keep a failed item on the success branch.
      out.push({ json, error: wrapped, pairedItem: { item: result.item } });
    }
  } finally {
    await node.connections.releaseConnection(ctx);
  }
  return [out];
}
