/** File and image column transfer (single request, chunked sessions, Range download, delete), called directly. */
import { randomBytes } from 'node:crypto';
import type { CallContext, DataverseService } from '../../emulator/dataverse/context';
import { DataverseError } from '../../emulator/dataverse/errors';
import { CHUNK_SIZE, handleFileColumn, SESSION_IDLE_MS } from '../../emulator/dataverse/files';
import { readPreferences } from '../../emulator/dataverse/prefer';
import { findByKey } from '../../emulator/dataverse/rows';
import type { EmulatorRequest, EmulatorResponse } from '../../emulator/http/types';
import { rejectedWith } from '../helpers/errors';
import { ROOT, testService } from '../helpers/service';

const USER = '33333333-3333-3333-3333-333333333333';
const DOC = '0a7c1d2e-0000-4000-8000-000000000001';
const ACCOUNT = '0a7c1d2e-0000-4000-8000-000000000002';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let clock = Date.parse('2024-05-01T10:00:00Z');
let service: DataverseService;

beforeEach(() => {
  service = testService(() => new Date(clock));
  service.store.put('sample_document', DOC, { sample_documentid: DOC, sample_name: 'Doc', sample_file: null, sample_file_name: null });
  service.store.put('account', ACCOUNT, { accountid: ACCOUNT, name: 'Contoso', entityimage: null });
});

interface Call {
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Sends `method relative` (e.g. `sample_documents(id)/sample_file/$value?x=y`) to the handler, as the router would. */
async function call(method: string, relative: string, { headers = {}, body = Buffer.alloc(0) }: Call = {}): Promise<EmulatorResponse> {
  const url = new URL(relative.startsWith('https:') ? relative : ROOT + relative);
  const req: EmulatorRequest = { method, url, headers, body };
  const ctx: CallContext = { service, req, prefs: readPreferences(req), userId: USER, query: url.searchParams };
  const m = /^\/api\/data\/v9\.2\/(\w+)\(([^)]+)\)\/(\w+)(\/\$value)?$/.exec(url.pathname)!;
  const table = service.schema.bySet.get(m[1])!;
  const ref = findByKey(service, table, m[2], url.searchParams);
  return handleFileColumn(ctx, table, ref, m[3], m[4] !== undefined, url.searchParams.get('sessiontoken') ?? undefined);
}

const callError = (method: string, relative: string, options?: Call) =>
  rejectedWith(DataverseError, () => call(method, relative, options), `expected ${method} ${relative} to fail`);

const FILE = `sample_documents(${DOC})/sample_file`;
const octet = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/octet-stream', ...extra });
const doc = () => service.store.get('sample_document', DOC)!;

/** Starts a chunked session and returns the Location to send chunks to. */
async function startSession(relative: string, fileName?: string): Promise<string> {
  const res = await call('PATCH', relative, { headers: { 'x-ms-transfer-mode': 'chunked', ...(fileName ? { 'x-ms-file-name': fileName } : {}) } });
  expect(res.status).toBe(200);
  return String(res.headers.location);
}

async function sendChunks(location: string, data: Buffer, chunk = CHUNK_SIZE): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < data.length; start += chunk) {
    const part = data.subarray(start, Math.min(start + chunk, data.length));
    const res = await call('PATCH', location, {
      headers: octet({ 'content-range': `bytes ${start}-${start + part.length - 1}/${data.length}` }),
      body: part,
    });
    statuses.push(res.status);
  }
  return statuses;
}

describe('file columns', () => {
  test('single-request upload stores the file, sets the id and name columns, and downloads with its headers', async () => {
    const before = doc().versionnumber as number;
    const data = Buffer.from('%PDF-1.4 hello');
    const res = await call('PATCH', FILE, { headers: octet({ 'x-ms-file-name': 'report.pdf' }), body: data });
    expect(res.status).toBe(204);
    expect(doc().sample_file).toMatch(GUID);
    expect(doc().sample_file_name).toBe('report.pdf');
    expect(doc().versionnumber).toBeGreaterThan(before);
    expect(doc().modifiedon).toBe('2024-05-01T10:00:00Z');
    expect(service.store.getFile(String(doc().sample_file))).toMatchObject({ name: 'report.pdf', mimeType: 'application/pdf' });

    const got = await call('GET', `${FILE}/$value`);
    expect(got.status).toBe(200);
    expect(got.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'x-ms-file-name': 'report.pdf',
      'x-ms-file-size': String(data.length),
      mimetype: 'application/pdf',
    });
    expect(Buffer.compare(got.body as Buffer, data)).toBe(0);
    const value = await call('GET', FILE);
    expect(JSON.parse(String(value.body))).toEqual({ '@odata.context': `${ROOT}$metadata#sample_documents(${DOC})/sample_file`, value: doc().sample_file });
  });

  test('PUT with the name in the query replaces the previous file', async () => {
    await call('PATCH', FILE, { headers: octet({ 'x-ms-file-name': 'a.txt' }), body: Buffer.from('a') });
    const first = String(doc().sample_file);
    const res = await call('PUT', `${FILE}?x-ms-file-name=${encodeURIComponent('b é.txt')}`, { headers: octet(), body: Buffer.from('bb') });
    expect(res.status).toBe(204);
    expect(doc().sample_file_name).toBe('b é.txt');
    expect(service.store.getFile(first)).toBeUndefined();
    const got = await call('GET', `${FILE}/$value`);
    expect(String(got.body)).toBe('bb');
    expect(got.headers['x-ms-file-name']).toBe(encodeURIComponent('b é.txt'));
  });

  test('a three-chunk upload answers 200, 206, 206, 204 and Range downloads reassemble the same bytes', async () => {
    const data = randomBytes(2 * CHUNK_SIZE + 12345);
    const start = await call('PATCH', `${FILE}?x-ms-file-name=big.bin`, { headers: { 'x-ms-transfer-mode': 'chunked' } });
    expect(start.status).toBe(200);
    expect(start.headers).toMatchObject({
      'x-ms-chunk-size': '4194304',
      'accept-ranges': 'bytes',
      'access-control-expose-headers': 'x-ms-chunk-size',
    });
    const location = String(start.headers.location);
    expect(location).toMatch(new RegExp(`^${ROOT.replace(/[./]/g, '\\$&')}sample_documents\\(${DOC}\\)/sample_file\\?sessiontoken=[^&]+$`));
    expect(await sendChunks(location, data)).toEqual([206, 206, 204]);
    expect(doc().sample_file_name).toBe('big.bin');

    const parts: Buffer[] = [];
    for (let offset = 0; offset < data.length; offset += CHUNK_SIZE) {
      const end = Math.min(offset + CHUNK_SIZE, data.length) - 1;
      const res = await call('GET', `${FILE}/$value`, { headers: { range: `bytes=${offset}-${end}` } });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${offset}-${end}/${data.length}`);
      expect(res.headers['x-ms-chunk-size']).toBe('4194304');
      expect(res.headers['x-ms-file-size']).toBe(String(data.length));
      parts.push(res.body as Buffer);
    }
    expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
    // The session is used up.
    expect((await callError('PATCH', location, { headers: octet({ 'content-range': 'bytes 0-0/1' }), body: Buffer.from('x') })).status).toBe(400);
  });

  test('chunks out of order, with a wrong length or a changed total are refused with clear 400s', async () => {
    const location = await startSession(FILE, 'c.bin');
    const chunk = (range: string, size: number) => ({ headers: octet({ 'content-range': range }), body: Buffer.alloc(size, 1) });
    expect(await callError('PATCH', location, chunk('bytes 10-19/30', 10))).toMatchObject({
      status: 400,
      message: 'The chunk starts at byte 10, but the next expected byte is 0; chunks must be sent in order without gaps.',
    });
    expect((await callError('PATCH', location, chunk('bytes 0-9/30', 9))).message).toBe("The Content-Range 'bytes 0-9/30' announces 10 bytes, but the body has 9.");
    expect((await callError('PATCH', location, { headers: octet(), body: Buffer.alloc(1) })).message).toMatch(/needs a Content-Range header/);
    expect((await call('PATCH', location, chunk('bytes 0-9/30', 10))).status).toBe(206);
    expect((await callError('PATCH', location, chunk('bytes 10-19/31', 10))).message).toBe('The Content-Range total 31 differs from the total 30 given by the earlier chunks.');
    expect((await callError('PATCH', location, chunk('bytes 10-40/30', 31))).status).toBe(400);
    expect((await call('PATCH', location, chunk('bytes 10-29/30', 20))).status).toBe(204);
  });

  test('a chunk for another column, an unknown token and an expired session are refused', async () => {
    const location = await startSession(FILE, 'd.bin');
    const token = new URL(location).searchParams.get('sessiontoken')!;
    const chunk = { headers: octet({ 'content-range': 'bytes 0-0/1' }), body: Buffer.from('x') };
    expect((await callError('PATCH', `accounts(${ACCOUNT})/entityimage?sessiontoken=${encodeURIComponent(token)}`, chunk)).message).toMatch(/belongs to another column or row/);
    expect((await callError('PATCH', `${FILE}?sessiontoken=nope`, chunk)).message).toMatch(/not valid or the session has expired/);
    clock += SESSION_IDLE_MS + 1;
    expect((await callError('PATCH', location, chunk)).message).toMatch(/not valid or the session has expired/);
  });

  test('files over MaxSizeInKB (32768) are refused with 0x80044a02, whole or chunked', async () => {
    const max = 32768 * 1024;
    const err = await callError('PATCH', FILE, { headers: octet({ 'x-ms-file-name': 'huge.bin' }), body: Buffer.alloc(max + 1) });
    expect(err).toMatchObject({ status: 400, code: '0x80044a02', message: 'Attachment file size is too big.' });
    const location = await startSession(FILE, 'huge.bin');
    const chunked = await callError('PATCH', location, { headers: octet({ 'content-range': `bytes 0-0/${max + 1}` }), body: Buffer.alloc(1) });
    expect(chunked).toMatchObject({ status: 400, code: '0x80044a02', message: 'Attachment file size is too big.' });
    expect(doc().sample_file).toBeNull();
  });

  test('no file: download is 404 0x80040217; DELETE clears the file and the columns', async () => {
    const missing = await callError('GET', `${FILE}/$value`);
    expect(missing).toMatchObject({ status: 404, code: '0x80040217' });
    await call('PATCH', FILE, { headers: octet({ 'x-ms-file-name': 'x.txt' }), body: Buffer.from('x') });
    const id = String(doc().sample_file);
    expect((await call('DELETE', FILE)).status).toBe(204);
    expect(doc()).toMatchObject({ sample_file: null, sample_file_name: null });
    expect(service.store.getFile(id)).toBeUndefined();
    expect((await callError('GET', `${FILE}/$value`)).code).toBe('0x80040217');
    expect((await callError('DELETE', FILE)).status).toBe(404);
  });

  test('requests that cannot be served: missing name, JSON body, bad range, other methods, missing row', async () => {
    expect((await callError('PATCH', FILE, { headers: octet(), body: Buffer.from('x') })).message).toMatch(/file name is missing/);
    expect((await callError('PATCH', FILE, { headers: { 'content-type': 'application/json', 'x-ms-file-name': 'a' }, body: Buffer.from('{}') })).status).toBe(400);
    await call('PATCH', FILE, { headers: octet({ 'x-ms-file-name': 'x.txt' }), body: Buffer.from('xyz') });
    expect((await call('GET', `${FILE}/$value`, { headers: { range: 'bytes=5-9' } })).status).toBe(416);
    expect(String((await call('GET', `${FILE}/$value`, { headers: { range: 'bytes=1-' } })).body)).toBe('yz');
    expect((await callError('POST', FILE)).status).toBe(405);
    const gone = await callError('GET', `sample_documents(0a7c1d2e-0000-4000-8000-0000000000ff)/sample_file/$value`);
    expect(gone).toMatchObject({ status: 404, code: '0x80040217' });
  });
});

describe('image columns', () => {
  const IMAGE = `accounts(${ACCOUNT})/entityimage`;
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(5000)]);

  test('the chunked API uploads an image; size=full and the default size return it', async () => {
    const location = await startSession(IMAGE, 'logo.png');
    expect(await sendChunks(location, png, 2000)).toEqual([206, 206, 204]);
    const row = service.store.get('account', ACCOUNT)!;
    expect(row.entityimage).toBe(png.toString('base64'));
    expect(row.entityimageid).toMatch(GUID);
    expect(row.entityimage_url).toMatch(new RegExp(`^/Image/download\\.aspx\\?Entity=account&Attribute=entityimage&Id=${ACCOUNT}&Timestamp=\\d+$`));
    for (const query of ['?size=full', '']) {
      const res = await call('GET', `${IMAGE}/$value${query}`);
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({ mimetype: 'image/png', 'x-ms-file-name': 'logo.png', 'x-ms-file-size': String(png.length) });
      expect(Buffer.compare(res.body as Buffer, png)).toBe(0);
    }
  });

  test('an image set with the row is downloadable; none is 404 0x80040217; too big is 0x80072553', async () => {
    expect(await callError('GET', `${IMAGE}/$value?size=full`)).toMatchObject({ status: 404, code: '0x80040217' });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    service.store.put('account', ACCOUNT, { ...service.store.get('account', ACCOUNT)!, entityimage: jpeg.toString('base64') });
    const res = await call('GET', `${IMAGE}/$value?size=full`);
    expect(res.headers).toMatchObject({ mimetype: 'image/jpeg', 'x-ms-file-name': 'entityimage.jpg' });
    expect(Buffer.compare(res.body as Buffer, jpeg)).toBe(0);
    const big = await callError('PATCH', IMAGE, { headers: octet({ 'x-ms-file-name': 'big.png' }), body: Buffer.alloc(10240 * 1024 + 1) });
    expect(big).toMatchObject({
      status: 400,
      code: '0x80072553',
      message: 'Error occured when processing image. Reason: File size is too big. MaxSize: 10 MB, Uploaded filesize: 10 MB.',
    });
    expect((await call('DELETE', IMAGE)).status).toBe(204);
    expect(service.store.get('account', ACCOUNT)!.entityimage).toBeNull();
  });
});
