import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { buildBody, writableFields } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { callHeaders, mappedValues, outputRow, rowIdParameter, tableParameter } from '../helpers';
import { columnsMapper, optionsCollection, rowLocator, tableLocator } from '../common.descriptions';

const show = { show: { resource: ['row'], operation: ['update'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...rowLocator(), displayOptions: show },
  { ...columnsMapper(['update']), displayOptions: show },
  optionsCollection('update', ['returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection']),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const id = rowIdParameter(this, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const body = buildBody(table, await writableFields(conn, table, 'update'), mappedValues(this, i));
  const returnRepresentation = options.returnRepresentation !== false;
  // Update only (If-Match: *): a missing row is a 404, never a silently created one.
  const result = await conn.dv.update(table.entitySetName, id, body, {
    returnRepresentation,
    annotations: options.formattedValues === true ? true : undefined,
    extraHeaders: callHeaders(options),
  });
  if (returnRepresentation && result.row) return [outputRow(result.row, options.formattedValues === true)];
  return [{ id: result.id ?? id, updated: true }];
}
