/** The Dataverse node's File operations run through execute() against the emulator, with n8n binary data. */
import { randomBytes } from 'node:crypto';
import { NodeApiError, NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { binaryData, loadOptionsContext, rl, runNode, useNodeEmulator, type Params } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();

const run = (params: Params | ((i: number) => Params), extra: { inputs?: INodeExecutionData[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params, credentials: env.credentials as never, ...extra });

const fileItem = (data: Buffer, fileName?: string, mimeType?: string, property = 'data'): INodeExecutionData => ({
  json: {},
  binary: { [property]: binaryData(data, fileName, mimeType) },
});

async function createRow(table: string, value: IDataObject): Promise<string> {
  const [out] = await run({ resource: 'row', operation: 'create', table: rl(table), columns: { mappingMode: 'defineBelow', value }, options: {} });
  const id = Object.entries(out.json).find(([key]) => key === `${table.replace(/s$/, '')}id`)?.[1];
  return String(id);
}

const target = (operation: string, table: string, rowId: string, column: string, extra: Params = {}): Params => ({
  resource: 'file',
  operation,
  table: rl(table, 'list'),
  rowId: rl(rowId),
  column,
  ...extra,
});

const download = (table: string, rowId: string, column: string, extra: Params = {}) =>
  run(target('download', table, rowId, column, { binaryPropertyName: 'data', options: {}, ...extra }));

const bytesOf = (item: INodeExecutionData, property = 'data') => Buffer.from(item.binary![property].data, 'base64');

describe('getFileColumns', () => {
  const ctx = (table: string) => loadOptionsContext(node, { table: rl(table, 'list') }, env.credentials as never);

  test('lists only the file and image columns of the chosen table', async () => {
    const documents = await node.methods.loadOptions.getFileColumns.call(ctx('sample_documents'));
    expect(documents.map((o) => [o.value, o.description])).toEqual([['sample_file', 'File column']]);
    const accounts = await node.methods.loadOptions.getFileColumns.call(ctx('accounts'));
    expect(accounts.map((o) => [o.value, o.description])).toEqual([['entityimage', 'Image column']]);
    const none = await node.methods.loadOptions.getFileColumns.call(ctx('annotations'));
    expect(none).toEqual([]);
  });
});

describe('upload / download / delete', () => {
  test('a multi-chunk file goes up and comes back byte for byte, with its name, size and type', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Big file' });
    // Over two 4 MB chunks, with a ragged end, so the chunked protocol runs in both directions.
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const [uploaded] = await run(target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'report', options: {} }), {
      inputs: [fileItem(data, 'report.pdf', 'application/pdf', 'report')],
    });
    expect(uploaded.json).toEqual({ table: 'sample_documents', rowId, column: 'sample_file', fileName: 'report.pdf', size: data.length, mimeType: 'application/pdf' });
    expect(uploaded.pairedItem).toEqual({ item: 0 });

    const [out] = await download('sample_documents', rowId, 'sample_file', { binaryPropertyName: 'file' });
    expect(out.json).toEqual({ fileName: 'report.pdf', size: data.length, mimeType: 'application/pdf', table: 'sample_documents', rowId, column: 'sample_file' });
    expect(out.binary?.file).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf' });
    expect(bytesOf(out, 'file').equals(data)).toBe(true);
    expect(out.pairedItem).toEqual({ item: 0 });
  });

  test('the File Name option overrides the binary data\'s name; a binary without a name still uploads', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Renamed' });
    await run(target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: { fileName: 'Übersicht 2024.txt' } }), {
      inputs: [fileItem(Buffer.from('hello'), 'original.txt')],
    });
    const [renamed] = await download('sample_documents', rowId, 'sample_file');
    expect(renamed.json).toMatchObject({ fileName: 'Übersicht 2024.txt', size: 5 });
    expect(bytesOf(renamed).toString()).toBe('hello');

    await run(target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: {} }), { inputs: [fileItem(Buffer.from('x'))] });
    const [unnamed] = await download('sample_documents', rowId, 'sample_file');
    expect(unnamed.json).toMatchObject({ fileName: 'file', size: 1 });
  });

  test('an image column takes and returns an image', async () => {
    const rowId = await createRow('accounts', { name: 'Logo Co' });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2048)]);
    await run(target('upload', 'accounts', rowId, 'entityimage', { binaryPropertyName: 'data', options: {} }), { inputs: [fileItem(png, 'logo.png')] });
    const [thumb, full] = [await download('accounts', rowId, 'entityimage'), await download('accounts', rowId, 'entityimage', { options: { fullImage: true } })].map((o) => o[0]);
    for (const out of [thumb, full]) {
      expect(out.json).toMatchObject({ mimeType: 'image/png', size: png.length, column: 'entityimage', table: 'accounts' });
      expect(bytesOf(out).equals(png)).toBe(true);
    }
  });

  test('delete clears the column; downloading it afterwards is a 404', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Short-lived' });
    await run(target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: {} }), { inputs: [fileItem(Buffer.from('bye'), 'bye.txt')] });
    const [deleted] = await run(target('delete', 'sample_documents', rowId, 'sample_file'));
    expect(deleted.json).toEqual({ table: 'sample_documents', rowId, column: 'sample_file', deleted: true });
    const error = await download('sample_documents', rowId, 'sample_file').catch((e) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.httpCode).toBe('404');
    const [row] = await run({ resource: 'row', operation: 'get', table: rl('sample_documents'), rowId: rl(rowId), options: {} });
    expect(row.json.sample_file).toBeNull();
  });
});

describe('bad input', () => {
  test('each failure lands on its own item with Continue On Fail; the good item still uploads', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Mixed' });
    const missingRow = '00000000-0000-0000-0000-0000000000f1';
    const perItem: Params[] = [
      target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: {} }),
      target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: {} }),
      target('upload', 'sample_documents', rowId, 'sample_name', { binaryPropertyName: 'data', options: {} }),
      target('upload', 'sample_documents', missingRow, 'sample_file', { binaryPropertyName: 'data', options: {} }),
      target('upload', 'accounts', rowId, 'entityimage', { binaryPropertyName: 'data', options: {} }),
    ];
    const inputs = [
      fileItem(Buffer.from('good'), 'good.txt'),
      { json: {} },
      fileItem(Buffer.from('x'), 'x.txt'),
      fileItem(Buffer.from('x'), 'x.txt'),
      // More than the image column's 10,240 KB, refused before any byte is sent.
      fileItem(Buffer.alloc(10240 * 1024 + 1), 'huge.png'),
    ];
    const out = await run((i) => perItem[i], { inputs, continueOnFail: true });
    expect(out.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
    expect(out[0].json).toMatchObject({ fileName: 'good.txt', size: 4 });
    expect(out[1].json.error).toMatch(/binary file 'data'.*none was found/);
    expect(out[2].json).toMatchObject({ code: 'NotAFileColumn', error: expect.stringMatching(/'sample_name'.*not a file or image column/) });
    expect(out[3].json).toMatchObject({ code: '0x80040217' });
    expect(out[4].json).toMatchObject({ code: 'FileTooLarge', error: expect.stringMatching(/10241 KB.*10240 KB.*'entityimage'/) });

    const [good] = await download('sample_documents', rowId, 'sample_file');
    expect(bytesOf(good).toString()).toBe('good');
  });

  test('without Continue On Fail the first failure stops the run with that item\'s index', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Strict' });
    const error = await run(target('download', 'sample_documents', rowId, 'modifiedon', { binaryPropertyName: 'data', options: {} }), {
      inputs: [{ json: {} }, { json: {} }],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/'modifiedon'.*not a file or image column/);
    expect(error.context.itemIndex).toBe(0);

    const missing = await run(target('upload', 'sample_documents', rowId, 'sample_file', { binaryPropertyName: 'data', options: {} }), {
      inputs: [fileItem(Buffer.from('a'), 'a.txt'), { json: {} }],
    }).catch((e) => e);
    expect(missing).toBeInstanceOf(NodeOperationError);
    expect(missing.context.itemIndex).toBe(1);
  });

  test('a download of a row that does not exist, or of an empty column, is a 404 on that item', async () => {
    const rowId = await createRow('sample_documents', { sample_name: 'Empty' });
    const out = await run((i) => target('download', 'sample_documents', [rowId, '00000000-0000-0000-0000-0000000000f2'][i], 'sample_file', { binaryPropertyName: 'data', options: {} }), {
      inputs: [{ json: {} }, { json: {} }],
      continueOnFail: true,
    });
    expect(out.map((o) => o.json.code)).toEqual(['0x80040217', '0x80040217']);
    expect(out[0].json.error).toMatch(/No file attachment/);
    expect(out.every((o) => o.binary === undefined)).toBe(true);
  });
});
