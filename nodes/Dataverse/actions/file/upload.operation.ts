import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';
import { callHeaders, rowIdParameter, tableParameter } from '../helpers';
import { callerObjectIdOption, fileTarget } from './descriptions';
import { fileColumnParameter } from './file-column';

const show = { show: { resource: ['file'], operation: ['upload'] } };

export const description: INodeProperties[] = [
  ...fileTarget('upload'),
  {
    displayName: 'Input Binary Field',
    name: 'binaryPropertyName',
    type: 'string',
    default: 'data',
    required: true,
    hint: 'The name of the input binary field holding the file to upload',
    displayOptions: show,
  },
  optionsFor(show, [
    {
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      description: 'Name to store the file under, instead of the input binary data\'s own file name',
    },
    callerObjectIdOption,
  ]),
];

/** Dataverse stores a name with every file; a binary without one gets a neutral name with its extension. */
function fileNameFor(binary: IBinaryData, override: unknown): string {
  if (typeof override === 'string' && override.trim()) return override.trim();
  if (binary.fileName) return binary.fileName;
  return binary.fileExtension ? `file.${binary.fileExtension}` : 'file';
}

function tooLarge(size: number, maxSizeInKB: number, column: string): InputError {
  const kb = Math.ceil(size / 1024);
  return new InputError(`The file is ${kb} KB, more than the ${maxSizeInKB} KB the column '${column}' accepts.`, 'FileTooLarge');
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const rowId = rowIdParameter(this, i);
  const column = await fileColumnParameter(this, conn, table, i, true);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const property = String(this.getNodeParameter('binaryPropertyName', i, 'data')).trim();
  const binary = this.helpers.assertBinaryData(i, property);
  const limit = column.maxSizeInKB !== undefined ? column.maxSizeInKB * 1024 : undefined;
  // Refuse before reading the bytes when n8n already knows the size.
  if (limit !== undefined && typeof binary.bytes === 'number' && binary.bytes > limit) throw tooLarge(binary.bytes, column.maxSizeInKB!, column.logicalName);
  // The client sends chunks from one buffer; n8n keeps large binaries on disk, so this is the one full copy in memory.
  const data = await this.helpers.getBinaryDataBuffer(i, property);
  if (limit !== undefined && data.length > limit) throw tooLarge(data.length, column.maxSizeInKB!, column.logicalName);
  const fileName = fileNameFor(binary, options.fileName);
  await conn.dv.uploadFile(table.entitySetName, rowId, column.logicalName, data, { fileName, extraHeaders: callHeaders(options) });
  return [{ table: table.entitySetName, rowId, column: column.logicalName, fileName, size: data.length, mimeType: binary.mimeType }];
}
