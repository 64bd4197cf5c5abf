/** File and image columns: upload in one request, download through `/$value`. */
import { addOperation, DynamicContext, internalHeader, ref, visible } from './common';

export function addFileOperations(ctx: DynamicContext): void {
  const column = visible(
    'column',
    'path',
    'Column name',
    'Logical name of the file or image column (for example entityimage or sample_document)',
    { type: 'string' },
    'important',
  );
  addOperation(ctx, {
    path: '/{entityset}({id})/{column}',
    method: 'put',
    id: 'UploadFileOrImage',
    title: 'Upload a file or an image',
    description: 'Stores content in a file or image column of a row in one request (up to 128 MB)',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('RowId'),
      column,
      visible('content', 'body', 'Content', 'The content of the file or image', { required: true, schema: { type: 'string', format: 'binary' } }),
      visible('x-ms-file-name', 'query', 'Content name', 'The file name to store with the content', { required: true, type: 'string' }, 'important'),
      internalHeader('Content-Type', 'application/octet-stream', 'Content type', 'The content is sent as raw bytes'),
    ],
    responses: { 204: { description: 'The content was stored.' } },
    extra: { consumes: ['application/octet-stream'] },
  });
  addOperation(ctx, {
    path: '/{entityset}({id})/{column}/$value',
    method: 'get',
    id: 'DownloadFileOrImage',
    title: 'Download a file or an image',
    description: 'Reads the content of a file or image column of a row',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('RowId'),
      column,
      visible('size', 'query', 'Image size', 'For image columns: full for the full-size image; the thumbnail when empty', { type: 'string', enum: ['full'] }, 'advanced'),
    ],
    responses: { 200: { description: 'The content.', schema: { type: 'string', format: 'binary' } } },
    extra: { produces: ['application/octet-stream'] },
  });
}
