import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { buildBody, writableFields } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { callHeaders, mappedValues, outputRow, tableParameter } from '../helpers';
import { columnsMapper, optionsCollection, tableLocator } from '../common.descriptions';

const show = { show: { resource: ['row'], operation: ['create'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  { ...columnsMapper(['create']), displayOptions: show },
  optionsCollection('create', ['returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection']),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const body = buildBody(table, await writableFields(conn, table, 'create'), mappedValues(this, i));
  const returnRepresentation = options.returnRepresentation !== false;
  const result = await conn.dv.create(table.entitySetName, body, {
    returnRepresentation,
    annotations: options.formattedValues === true ? true : undefined,
    extraHeaders: callHeaders(options),
  });
  if (returnRepresentation && result.row) return [outputRow(result.row, options.formattedValues === true)];
  return [{ id: result.id, entityUrl: result.entityUrl ?? null }];
}
