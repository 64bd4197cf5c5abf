import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { callHeaders, rowIdParameter, tableParameter } from '../helpers';
import { callerObjectIdOption, fileTarget } from './descriptions';
import { fileColumnParameter } from './file-column';

const show = { show: { resource: ['file'], operation: ['download'] } };

export const description: INodeProperties[] = [
  ...fileTarget('download'),
  {
    displayName: 'Put Output File in Field',
    name: 'binaryPropertyName',
    type: 'string',
    default: 'data',
    required: true,
    hint: 'The name of the output binary field to put the file in',
    displayOptions: show,
  },
  optionsFor(show, [
    {
      displayName: 'Full-Size Image',
      name: 'fullImage',
      type: 'boolean',
      default: false,
      description: 'Whether to download the full-size image of an image column instead of its thumbnail (the column must store full images)',
    },
    callerObjectIdOption,
  ]),
];

/** The file goes into the output item's binary, under the property the user named. */
export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<{ json: IDataObject[]; binary: IBinaryKeyData[] }> {
  const table = await tableParameter(this, conn, i);
  const rowId = rowIdParameter(this, i);
  const column = await fileColumnParameter(this, conn, table, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const property = String(this.getNodeParameter('binaryPropertyName', i, 'data')).trim();
  const file = await conn.dv.downloadFileStream(table.entitySetName, rowId, column.logicalName, {
    size: column.kind === 'image' && options.fullImage === true ? 'full' : undefined,
    extraHeaders: callHeaders(options),
  });
  // Streamed chunk by chunk into n8n's binary store, so a large file is never whole in memory here.
  const binary = await this.helpers.prepareBinaryData(file.stream, file.fileName, file.mimeType);
  const json: IDataObject = {
    fileName: binary.fileName ?? file.fileName ?? null,
    size: file.fileSize,
    mimeType: binary.mimeType,
    table: table.entitySetName,
    rowId,
    column: column.logicalName,
  };
  return { json: [json], binary: [{ [property]: binary }] };
}
