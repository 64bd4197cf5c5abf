import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { createRequest, type RepresentationOptions, type WriteResult } from '../../../../client/dataverse/crud';
import { buildBody, writableFields } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { itemParameter } from '../../../shared/parameters';
import { callHeaders, mappedValues, outputRow, tableParameter } from '../helpers';
import { columnsMapper, optionsCollection, tableLocator } from '../common.descriptions';
import { batchedWrites } from './batched-writes';

const show = { show: { resource: ['row'], operation: ['create'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...columnsMapper(['create']), displayOptions: show },
  optionsCollection('create', ['batchSize', 'returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection']),
];

async function prepare(ctx: IExecuteFunctions, conn: Connection, i: number) {
  const table = await tableParameter(ctx, conn, i);
  const options = itemParameter<IDataObject>(ctx, 'options', i, {});
  const body = buildBody(table, await writableFields(conn, table, 'create'), mappedValues(ctx, i));
  const returnRepresentation = options.returnRepresentation !== false;
  const friendly = options.formattedValues === true;
  const call: RepresentationOptions = { returnRepresentation, annotations: friendly ? true : undefined, extraHeaders: callHeaders(options) };
  const output = (result: WriteResult): IDataObject[] =>
    returnRepresentation && result.row ? [outputRow(result.row, friendly)] : [{ id: result.id ?? null, entityUrl: result.entityUrl ?? null }];
  return { set: table.entitySetName, body, call, output };
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const { set, body, call, output } = await prepare(this, conn, i);
  return output(await conn.dv.create(set, body, call));
}

export const { executeAll, handlesAllItems } = batchedWrites(async (ctx, conn, i) => {
  const { set, body, call, output } = await prepare(ctx, conn, i);
  return { set, spec: createRequest(set, body, call), output };
});
