/** File columns end to end on sample_documents.sample_file: chunked upload, ranged download, streaming, delete. */
import { randomBytes } from 'node:crypto';
import { DataverseClient, FILE_CHUNK_SIZE } from '../../client/dataverse';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { useDataverse } from './dataverse-setup';

const f = useDataverse();

async function newDocument(): Promise<string> {
  return (await f.client.create('sample_documents', { sample_name: 'Doc' })).id;
}

test('5 MB: chunked upload in 4 MB chunks, ranged download, same bytes', async () => {
  const id = await newDocument();
  const data = randomBytes(5 * 1024 * 1024 + 123);
  f.sent.length = 0;
  await f.client.uploadFile('sample_documents', id, 'sample_file', data, { fileName: 'report.pdf' });
  const [start, ...chunks] = f.sent;
  expect(start).toMatchObject({ method: 'PATCH', headers: expect.objectContaining({ 'x-ms-transfer-mode': 'chunked', 'x-ms-file-name': 'report.pdf' }) });
  expect(start.body).toBeUndefined();
  expect(chunks.map((c) => c.headers['content-range'])).toEqual([`bytes 0-${FILE_CHUNK_SIZE - 1}/${data.length}`, `bytes ${FILE_CHUNK_SIZE}-${data.length - 1}/${data.length}`]);
  expect(chunks.every((c) => c.url.includes('sessiontoken=') && c.idempotent === true)).toBe(true);

  const row = await f.client.retrieve('sample_documents', id, { select: ['sample_file_name'] });
  expect(row.sample_file_name).toBe('report.pdf');

  f.sent.length = 0;
  const file = await f.client.downloadFile('sample_documents', id, 'sample_file', { chunkSize: 2 * 1024 * 1024 });
  expect(file.data.equals(data)).toBe(true);
  expect(file).toMatchObject({ fileName: 'report.pdf', fileSize: data.length, mimeType: 'application/pdf' });
  expect(f.sent.map((r) => r.headers.range)).toEqual(['bytes=0-2097151', 'bytes=2097152-4194303', 'bytes=4194304-6291455']);
});

test('streaming download yields the same bytes chunk by chunk', async () => {
  const id = await newDocument();
  const data = randomBytes(3 * 1024 * 1024 + 7);
  await f.client.uploadFile('sample_documents', id, 'sample_file', data, { fileName: 'data.bin', chunked: true });
  const { stream, fileSize } = await f.client.downloadFileStream('sample_documents', id, 'sample_file', { chunkSize: 1024 * 1024 });
  expect(fileSize).toBe(data.length);
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  expect(parts.length).toBe(4);
  expect(Buffer.concat(parts).equals(data)).toBe(true);
});

test('small files go in one request; non-ASCII names travel in the query; delete removes the file', async () => {
  const id = await newDocument();
  f.sent.length = 0;
  await f.client.uploadFile('sample_documents', id, 'sample_file', Buffer.from('hello'), { fileName: 'Übersicht.txt' });
  expect(f.sent).toHaveLength(1);
  expect(f.sent[0].url).toContain('?x-ms-file-name=%C3%9Cbersicht.txt');
  const file = await f.client.downloadFile('sample_documents', id, 'sample_file');
  expect(file).toMatchObject({ fileName: 'Übersicht.txt', fileSize: 5, mimeType: 'text/plain' });
  expect(file.data.toString()).toBe('hello');

  await f.client.deleteFile('sample_documents', id, 'sample_file');
  await expect(f.client.downloadFile('sample_documents', id, 'sample_file')).rejects.toMatchObject({ status: 404, code: '0x80040217' });
});

test('an upload session Location on another origin is refused before any chunk is sent', async () => {
  const urls: string[] = [];
  const client = new DataverseClient({
    environmentUrl: f.emulator.dataverseUrl,
    send: async (request: HttpRequest): Promise<HttpResponse> => {
      urls.push(request.url);
      return { status: 200, headers: { location: 'https://127.0.0.2:1/api/data/v9.2/x?sessiontoken=abc', 'x-ms-chunk-size': '4194304' }, body: Buffer.alloc(0), request };
    },
  });
  await expect(
    client.uploadFile('sample_documents', '00000000-0000-0000-0000-000000000001', 'sample_file', Buffer.alloc(FILE_CHUNK_SIZE + 1), { fileName: 'a.bin' }),
  ).rejects.toMatchObject({ code: 'OriginMismatch' });
  expect(urls).toHaveLength(1);
});
