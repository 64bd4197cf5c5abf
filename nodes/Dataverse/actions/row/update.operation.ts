import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateRequest, type UpdateOptions, type WriteResult } from '../../../../client/dataverse/crud';
import { buildBody, writableFields } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { itemParameter } from '../../../shared/parameters';
import { callHeaders, mappedValues, outputRow, rowIdParameter, tableParameter } from '../helpers';
import { columnsMapper, optionsCollection, rowLocator, tableLocator } from '../common.descriptions';
import { batchedWrites } from './batched-writes';

const show = { show: { resource: ['row'], operation: ['update'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...rowLocator(), displayOptions: show },
  { ...columnsMapper(['update']), displayOptions: show },
  optionsCollection('update', ['batchSize', 'returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection']),
];

async function prepare(ctx: IExecuteFunctions, conn: Connection, i: number) {
  const table = await tableParameter(ctx, conn, i);
  const id = rowIdParameter(ctx, i);
  const options = itemParameter<IDataObject>(ctx, 'options', i, {});
  const body = buildBody(table, await writableFields(conn, table, 'update'), mappedValues(ctx, i), 'update');
  const returnRepresentation = options.returnRepresentation !== false;
  const friendly = options.formattedValues === true;
  // Update only (If-Match: *, the client's default): a missing row is a 404, never a silently created one.
  const call: UpdateOptions = { returnRepresentation, annotations: friendly ? true : undefined, extraHeaders: callHeaders(options) };
  const output = (result: WriteResult): IDataObject[] =>
    returnRepresentation && result.row ? [outputRow(result.row, friendly)] : [{ id: result.id ?? id, updated: true }];
  return { set: table.entitySetName, id, body, call, output };
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const { set, id, body, call, output } = await prepare(this, conn, i);
  return output(await conn.dv.update(set, id, body, call));
}

export const { executeAll, handlesAllItems } = batchedWrites(async (ctx, conn, i) => {
  const { set, id, body, call, output } = await prepare(ctx, conn, i);
  return { set, spec: updateRequest(set, id, body, call), output };
});
