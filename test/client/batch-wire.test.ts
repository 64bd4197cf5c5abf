/**
 * $batch on the wire, without a server: the docs request and response samples, DynamicsWebApi's recorded batch
 * answers, hostile answers, the split rules and the checks made before anything is sent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { D365Error } from '../../client/http/errors';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { executeBatch } from '../../client/dataverse/batch';
import { buildBatchRequest } from '../../client/dataverse/batch-builder';
import { planBatch } from '../../client/dataverse/batch-plan';
import { parseBatchResponse } from '../../client/dataverse/batch-response';
import { mapBatchResponse } from '../../client/dataverse/batch-results';
import { runChunks, splitBatch } from '../../client/dataverse/batch-split';
import type { BatchOperation, BatchResult } from '../../client/dataverse/batch-types';
// The emulator's own request parser, written independently of the client's writer: each checks the other.
import { parseBatchRequest, BatchRequestItem } from '../../emulator/batch';

const DOCS = path.resolve(__dirname, '../../../shared/fixtures/responses/dataverse/docs');
const STUBS = path.resolve(__dirname, '../../../shared/fixtures/responses/peer/dynamicswebapi-tests-stubs.ts');
const ORG = 'https://org.crm.dynamics.com';
const TARGET = { environmentUrl: `${ORG}/`, apiVersion: '9.2' };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A docs sample as the wire has it: CRLF line breaks, the `[Organization URI]` placeholder made a real origin. */
function docsSample(name: string): string {
  return fs.readFileSync(path.join(DOCS, name), 'utf8').replace(/\r?\n/g, '\r\n').replace(/\[Organization U(RI|ri)\]/g, ORG);
}

/** Splits a recorded HTTP message into its status or request line, headers and body. */
function httpMessage(text: string): { first: string; headers: Record<string, string>; body: Buffer } {
  const end = text.indexOf('\r\n\r\n');
  const [first, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).trim().toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  return { first, headers, body: Buffer.from(text.slice(end + 4), 'utf8') };
}

function docsResponse(name: string): HttpResponse {
  const message = httpMessage(docsSample(name));
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(message.first)![1]), headers: message.headers, body: message.body, request: {} as HttpRequest };
}

function answer(status: number, body: string | Buffer, contentType?: string): Pick<HttpResponse, 'status' | 'headers' | 'body'> {
  return { status, headers: contentType ? { 'content-type': contentType } : {}, body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8') };
}

const outcomes = (results: BatchResult[]) => results.map((r) => r.outcome);
const tasks = (n: number, changeSet?: string): BatchOperation[] =>
  Array.from({ length: n }, (_v, i) => ({ method: 'POST', path: 'tasks', body: { subject: `Task ${i + 1} in batch` }, contentId: String(i + 1), ...(changeSet ? { changeSet } : {}) }));

// A bound on catastrophic (super-linear) behaviour, generous for a loaded machine; not a speed target.
const CATASTROPHIC_MS = 20_000;

describe('docs response samples (CRLF)', () => {
  test('batch_changeset_response: a change set of three creates and a GET map back by Content-ID and position', () => {
    const ops: BatchOperation[] = [...tasks(3, 'tasks'), { method: 'GET', path: 'accounts(00000000-0000-0000-0000-000000000001)/Account_Tasks?$select=subject' }];
    const results = mapBatchResponse(ops, planBatch(ops), docsResponse('batch_changeset_response.http'));
    expect(outcomes(results)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(results.map((r) => r.entityId)).toEqual(['e73ffc82-e292-ed11-aad1-000d3a9933c9', 'e83ffc82-e292-ed11-aad1-000d3a9933c9', 'e93ffc82-e292-ed11-aad1-000d3a9933c9', undefined]);
    expect(results.map((r) => [r.index, r.contentId, r.status])).toEqual([[0, '1', 204], [1, '2', 204], [2, '3', 204], [3, undefined, 200]]);
    expect((results[3].body as any).value.map((t: any) => t.subject)).toEqual(['Task 1 in batch', 'Task 2 in batch', 'Task 3 in batch']);
    expect(results[3].headers['content-type']).toBe('application/json; odata.metadata=minimal; odata.streaming=true');
  });

  test('Content-IDs decide, not the order of the parts', () => {
    const response = docsResponse('batch_changeset_response.http');
    const ops = [...tasks(3, 'tasks').reverse(), { method: 'GET', path: 'x' } as BatchOperation];
    const results = mapBatchResponse(ops, planBatch(ops), response);
    expect(results.map((r) => [r.contentId, r.entityId?.slice(0, 2)])).toEqual([['3', 'e9'], ['2', 'e8'], ['1', 'e7'], [undefined, undefined]]);
  });

  test('batch_contentid_refs_response: account, contact and the $ref between them', () => {
    const ops: BatchOperation[] = [
      { method: 'POST', path: 'accounts', body: { name: 'Account Name' }, contentId: '1', changeSet: 'a' },
      { method: 'POST', path: 'contacts', body: { firstname: 'Contact first name' }, contentId: '2', changeSet: 'a' },
      { method: 'PUT', path: '$1/primarycontactid/$ref', body: { '@odata.id': '$2' }, contentId: '3', changeSet: 'a' },
    ];
    const results = mapBatchResponse(ops, planBatch(ops), docsResponse('batch_contentid_refs_response.http'));
    expect(results.map((r) => [r.outcome, r.status, r.entityId])).toEqual([
      ['succeeded', 204, '3dcf8c02-8c75-e911-a97a-000d3a34a1bd'],
      ['succeeded', 204, '43cf8c02-8c75-e911-a97a-000d3a34a1bd'],
      ['succeeded', 204, undefined],
    ]);
    expect(results[0].entityUrl).toBe(`${ORG}/api/data/v9.2/accounts(3dcf8c02-8c75-e911-a97a-000d3a34a1bd)`);
  });

  test('batch_continue_on_error_response: the failed operation carries status, code, message, REQ_ID and its index', () => {
    const ops = tasks(3);
    const results = mapBatchResponse(ops, planBatch(ops), docsResponse('batch_continue_on_error_response.http'));
    expect(outcomes(results)).toEqual(['failed', 'succeeded', 'succeeded']);
    const error = results[0].error!;
    expect(error).toBeInstanceOf(D365Error);
    expect(error).toMatchObject({ status: 400, code: '0x80044331', requestId: 'de4c5227-4a28-4ebd-8ced-3392ece1697b', batchIndex: 0 });
    expect(error.message).toContain("The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.");
    expect(results[2].entityId).toBe('b181a991-3c94-ed11-aad1-000d3a9933c9');
  });

  test('batch_error_no_continue_response (400, only the failing part): exact for one operation, honest when it cannot be', () => {
    const response = docsResponse('batch_error_no_continue_response.http');
    const one = tasks(1);
    const [result] = mapBatchResponse(one, planBatch(one), response);
    expect(result).toMatchObject({ outcome: 'failed', status: 400, error: { code: '0x80044331', requestId: '5ecd1cb3-1730-4ffc-909c-d44c22270026', batchIndex: 0 } });

    // Three independent parts without Content-IDs: the answer does not say which one stopped the batch.
    const three = tasks(3).map(({ contentId: _c, ...op }) => op);
    const results = mapBatchResponse(three, planBatch(three), response);
    expect(outcomes(results)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(results[1].error!.message).toMatch(/does not say which.*0x80044331|does not say which/);
    expect(results[1].error!).toMatchObject({ status: 400, code: '0x80044331', batchIndex: 1 });
  });

  test('LF-only answers and a quoted boundary parameter are read the same', () => {
    const raw = fs.readFileSync(path.join(DOCS, 'batch_changeset_response.http'), 'utf8');
    const body = raw.slice(raw.indexOf('\n\n') + 2);
    const items = parseBatchResponse(body, 'multipart/mixed; boundary="batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f"');
    expect(items.map((i) => i.kind)).toEqual(['changeset', 'operation']);
    expect(items[0].kind === 'changeset' && items[0].responses.map((r) => [r.contentId, r.status])).toEqual([['1', 204], ['2', 204], ['3', 204]]);
  });
});

describe('DynamicsWebApi recorded batch answers (responses/peer/dynamicswebapi-tests-stubs.ts)', () => {
  // Loaded at run time: the stub file is someone else's TypeScript, not part of this project's type check.
  const stubs = require(STUBS);
  const stub = (name: string) => stubs.responses[name] as { status: number; responseText: string; responseHeaders?: Record<string, string> };
  const stubAnswer = (name: string) => answer(stub(name).status, stub(name).responseText, stub(name).responseHeaders?.['content-type']);

  test('every batch stub parses (status line `HTTP/ 1.1`, no blank line after part headers, glued Content-ID, unclosed change set)', () => {
    const names = Object.keys(stubs.responses).filter((n) => n.startsWith('batch'));
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const name of names) {
      const items = parseBatchResponse(stub(name).responseText, 'text/plain');
      expect(items.length).toBeGreaterThan(0);
    }
    const single = parseBatchResponse(stub('batch').responseText, undefined);
    expect(single).toEqual([{ kind: 'operation', response: expect.objectContaining({ status: 200, body: stubs.data.multiple }) }]);
  });

  test('GET, change set, GET: JSON bodies and the created id map back', () => {
    const ops: BatchOperation[] = [
      { method: 'GET', path: 'tests' },
      { method: 'POST', path: 'tests', body: { firstname: 'Test', lastname: 'Batch!' }, contentId: '100001', changeSet: 'c' },
      { method: 'GET', path: 'morerecords' },
    ];
    const results = mapBatchResponse(ops, planBatch(ops), stubAnswer('batchRetrieveMultipleCreateRetrieveMultiple'));
    expect(outcomes(results)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(results[0].body).toEqual(stubs.data.multiple);
    expect(results[1]).toMatchObject({ status: 204, contentId: '100001', entityId: '00000000-0000-0000-0000-000000000001' });
    expect(results[2].body).toEqual(stubs.data.multiple2);
  });

  test('batchError (400, a change set holding only its failing part): failed, rolled back, not executed', () => {
    const ops: BatchOperation[] = [
      { method: 'POST', path: 'tests', body: {}, contentId: '100001', changeSet: 'c' },
      { method: 'POST', path: 'tests', body: {}, contentId: '100002', changeSet: 'c' },
      { method: 'GET', path: 'tests' },
    ];
    const results = mapBatchResponse(ops, planBatch(ops), stubAnswer('batchError'));
    expect(outcomes(results)).toEqual(['failed', 'rolledBack', 'notExecuted']);
    expect(results[0].error).toMatchObject({ status: 400, code: '0x0', requestId: '5fe339e5-c75e-4dad-9597-b257ebce666b', batchIndex: 0 });
    expect(results[1].error!.message).toMatch(/rolled back: operation #0 of the same change set failed/);
    expect(results[1].error!.batchIndex).toBe(1);
    expect(results[2].error!.message).toMatch(/not executed: the batch stopped at operation #0/);
  });

  test('upserts by alternate key keep the entity URL (no GUID); a text/plain $count part stays text', () => {
    const upserts: BatchOperation[] = ['100001', '100002', '100003'].map((id, i) => ({ method: 'PATCH', path: `tests(key='key${i + 1}')`, body: {}, contentId: id, changeSet: 'u' }));
    const results = mapBatchResponse(upserts, planBatch(upserts), stubAnswer('batchUpsertUpsertUpsertWithAlternateKeys'));
    expect(results.map((r) => [r.outcome, r.entityId, r.entityUrl])).toEqual([1, 2, 3].map((n) => ['succeeded', undefined, `https://url.com/api/data/v8.2/tests(key='key${n}')`]));

    const reads: BatchOperation[] = [{ method: 'GET', path: 'tests' }, { method: 'GET', path: 'tests/$count' }, { method: 'GET', path: 'morerecords' }];
    const counted = mapBatchResponse(reads, planBatch(reads), stubAnswer('batchRetrieveMultipleCountRetrieveMultiple'));
    expect(counted.map((r) => r.body)).toEqual([stubs.data.multiple, '5', stubs.data.multiple2]);
  });
});

describe('requests compared with the docs request samples', () => {
  /** What matters in a batch request: grouping, Content-IDs, methods, URLs, JSON bodies. */
  function shape(items: BatchRequestItem[]) {
    const op = (o: Extract<BatchRequestItem, { kind: 'operation' }>) => ({
      method: o.method,
      url: o.url,
      contentId: o.contentId,
      body: o.body.length ? JSON.parse(o.body.toString('utf8')) : undefined,
    });
    return items.map((item) => (item.kind === 'changeset' ? { changeset: item.operations.map(op) } : op(item)));
  }
  const parseOurs = (built: { body: Buffer; headers: Record<string, string> }) =>
    parseBatchRequest(built.body, built.headers['content-type'], { baseUrl: `${ORG}/api/data/v9.2/` });
  const parseDocs = (name: string) => {
    const message = httpMessage(docsSample(name));
    return parseBatchRequest(message.body, message.headers['content-type'], { baseUrl: `${ORG}/api/data/v9.2/` });
  };

  test('batch_changeset_request: same structure, CRLF only, batch_/changeset_ UUID boundaries', () => {
    const ops: BatchOperation[] = tasks(3, 'tasks').map((t) => ({ ...t, body: { ...(t.body as object), 'regardingobjectid_account_task@odata.bind': 'accounts(00000000-0000-0000-0000-000000000001)' } }));
    ops.push({ method: 'GET', path: 'accounts(00000000-0000-0000-0000-000000000001)/Account_Tasks?$select=subject' });
    const built = buildBatchRequest(ops, planBatch(ops), TARGET);
    expect(shape(parseOurs(built))).toEqual(shape(parseDocs('batch_changeset_request.http')));

    const text = built.body.toString('utf8');
    expect(text).not.toMatch(/[^\r]\n/);
    expect(text.endsWith('--\r\n')).toBe(true);
    expect(built.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batch_[0-9a-f-]{36}$/);
    expect(text).toMatch(/\r\nContent-Type: multipart\/mixed; boundary=changeset_[0-9a-f-]{36}\r\n/);
    expect(text).toContain('\r\nPOST /api/data/v9.2/tasks HTTP/1.1\r\n');
    expect(text).toContain('\r\nGET /api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)/Account_Tasks?$select=subject HTTP/1.1\r\n');
    expect(built.url).toBe(`${ORG}/api/data/v9.2/$batch`);
    expect(built.headers.prefer).toBeUndefined();
  });

  test('batch_contentid_refs_request: $1 as the URL and $2 in @odata.id, as written', () => {
    const ops: BatchOperation[] = [
      { method: 'POST', path: 'accounts', body: { name: 'Account Name' }, contentId: '1', changeSet: 'a' },
      { method: 'POST', path: 'contacts', body: { firstname: 'Contact first name' }, contentId: '2', changeSet: 'a' },
      { method: 'PUT', path: '$1/primarycontactid/$ref', body: { '@odata.id': '$2' }, contentId: '3', changeSet: 'a' },
    ];
    const built = buildBatchRequest(ops, planBatch(ops), { ...TARGET, apiVersion: 'v9.2' }, { continueOnError: true });
    expect(shape(parseOurs(built))).toEqual(shape(parseDocs('batch_contentid_refs_request.http')));
    expect(built.body.toString('utf8')).toContain('\r\nPUT $1/primarycontactid/$ref HTTP/1.1\r\n');
    expect(built.headers.prefer).toBe('odata.continue-on-error');
  });

  test('change-set parts without a contentId get numbers no caller ID uses; independent parts get none', () => {
    const ops: BatchOperation[] = [
      { method: 'POST', path: 'accounts', body: {}, changeSet: 'a' },
      { method: 'POST', path: 'accounts', body: {}, contentId: '2', changeSet: 'a' },
      { method: 'POST', path: 'accounts', body: {}, changeSet: 'a' },
      { method: 'GET', path: 'accounts?$filter=name eq \'A B\'' },
    ];
    const built = buildBatchRequest(ops, planBatch(ops), TARGET);
    const items = parseOurs(built);
    expect(items[0].kind === 'changeset' && items[0].operations.map((o) => o.contentId)).toEqual(['1', '2', '3']);
    expect(built.body.toString('utf8')).toContain("\r\nGET /api/data/v9.2/accounts?$filter=name%20eq%20'A%20B' HTTP/1.1\r\n");
    expect((items[1] as any).contentId).toBeUndefined();
  });

  test('non-ASCII in a path is percent-encoded UTF-8; a boundary that a body quotes is drawn again', () => {
    const ids = ['quoted', 'fresh', 'cs'];
    const ops: BatchOperation[] = [{ method: 'GET', path: "accounts?$filter=name eq 'Müller'" }, { method: 'POST', path: 'notes', body: { text: 'see --batch_quoted' } }];
    const built = buildBatchRequest(ops, planBatch(ops), TARGET, { newId: () => ids.shift()! });
    expect(built.boundary).toBe('batch_fresh');
    const text = built.body.toString('utf8');
    expect(text).toContain("GET /api/data/v9.2/accounts?$filter=name%20eq%20'M%C3%BCller' HTTP/1.1\r\n");
    expect(parseBatchRequest(built.body, built.headers['content-type'], { baseUrl: `${ORG}/api/data/v9.2/` })).toHaveLength(2);
  });
});

describe('hostile and malformed answers: fast, clear D365Error, never a crash', () => {
  const ops = tasks(2);
  const groups = planBatch(ops);
  const part = (status: string) => `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\nOData-Version: 4.0\r\n\r\n`;
  const CT = 'multipart/mixed; boundary=b';

  function expectMalformed(body: string | Buffer, contentType: string | undefined, message: RegExp): void {
    const started = Date.now();
    expect(() => parseBatchResponse(body, contentType)).toThrow(message);
    try {
      parseBatchResponse(body, contentType);
    } catch (e) {
      expect(e).toBeInstanceOf(D365Error);
      expect((e as D365Error).code).toBe('MalformedBatchResponse');
    }
    const results = mapBatchResponse(ops, groups, answer(200, body, contentType));
    expect(outcomes(results)).toEqual(['unknown', 'unknown']);
    expect(results[0].error!.message).toMatch(message);
    expect(Date.now() - started).toBeLessThan(CATASTROPHIC_MS);
  }

  test('no closing boundary (a cut answer)', () => {
    expectMalformed(`--b\r\n${part('204 No Content')}\r\n--b\r\n${part('204 No Content')}`, CT, /ends without its closing delimiter '--b--'/);
  });

  test('binary garbage, 4 MB', () => {
    let seed = 7;
    const garbage = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    expectMalformed(garbage, CT, /does not contain its boundary delimiter '--b'/);
  });

  test('a 4 MB header line, in the part headers and in the embedded response', () => {
    const huge = 'x'.repeat(4 * 1024 * 1024);
    expectMalformed(`--b\r\nContent-Type: application/http\r\nX-Huge: ${huge}\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--b--\r\n`, CT, /header block larger than 65536 bytes/);
    expectMalformed(`--b\r\n${part('204 No Content').replace('OData-Version: 4.0', `X-Huge: ${huge}`)}\r\n--b--\r\n`, CT, /header block larger than 65536 bytes/);
  });

  test('a flood of parts, and a million near-delimiters', () => {
    expectMalformed(`--b\r\n${part('204 No Content')}\r\n`.repeat(5000) + '--b--', CT, /more than (2|1000) parts/);
    expectMalformed(`--b\r\n${'x--b'.repeat(1_000_000)}`, CT, /closing delimiter/);
  });

  test('long blank runs in a header value and in a body stay linear (no regex backtracking)', () => {
    const started = Date.now();
    const blanks = `--b\r\n${part('204 No Content').replace('OData-Version: 4.0', `X-Blank: a${' '.repeat(60000)}b`)}\r\n--b\r\n${part('200 OK')}${'\r\n'.repeat(1_000_000)}x\r\n--b--`;
    const results = mapBatchResponse(ops, groups, answer(200, blanks, CT));
    expect(outcomes(results)).toEqual(['succeeded', 'succeeded']);
    expect(results[0].headers['x-blank']).toMatch(/^a +b$/);
    expect(results[1].body).toMatch(/x$/);
    expect(Date.now() - started).toBeLessThan(CATASTROPHIC_MS);
  });

  test('no status line, an impossible status, a nested change set in a change set', () => {
    expectMalformed(`--b\r\nContent-Type: application/http\r\n\r\nhello\r\n--b--`, CT, /does not start with an HTTP status line \(found "hello"\)/);
    expectMalformed(`--b\r\n${part('999 What')}\r\n--b--`, CT, /impossible status 999/);
    const nested = `--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: multipart/mixed; boundary=d\r\n\r\n--d--\r\n--c--\r\n--b--`;
    expectMalformed(nested, CT, /contains another multipart/);
  });

  test('more answers than requests, or fewer without a failure', () => {
    const three = `--b\r\n${part('204 No Content')}\r\n`.repeat(3) + '--b--';
    expect(outcomes(mapBatchResponse(ops, groups, answer(200, three, CT)))).toEqual(['unknown', 'unknown']);
    const one = `--b\r\n${part('204 No Content')}\r\n--b--`;
    const results = mapBatchResponse(ops, groups, answer(200, one, CT));
    expect(results[0].error!.message).toMatch(/answers 1 of 2 requests without reporting a failure/);
  });

  test('a whole request refused with JSON (4xx: not executed) or a gateway page (5xx: unknown)', () => {
    const refused = mapBatchResponse(ops, groups, answer(400, '{"error":{"code":"0x80048d19","message":"Stream was not readable."}}', 'application/json'));
    expect(outcomes(refused)).toEqual(['notExecuted', 'notExecuted']);
    expect(refused[1].error).toMatchObject({ status: 400, code: '0x80048d19', batchIndex: 1 });
    expect(refused[1].error!.message).toContain('Stream was not readable.');
    const gateway = mapBatchResponse(ops, groups, answer(502, '<html><title>Bad gateway</title></html>', 'text/html'));
    expect(outcomes(gateway)).toEqual(['unknown', 'unknown']);
    expect(gateway[0].error!.retryable).toBe(true);
  });
});

describe('checks before sending', () => {
  const neverSend = jest.fn(async (): Promise<HttpResponse> => {
    throw new Error('must not be sent');
  });
  afterEach(() => expect(neverSend).not.toHaveBeenCalled());
  const rejects = (ops: BatchOperation[], message: RegExp, options = {}) => expect(executeBatch(neverSend, TARGET, ops, options)).rejects.toThrow(message);

  test('Content-ID references: unknown, later, outside the change set, from an independent operation', async () => {
    const a = (extra: Partial<BatchOperation>): BatchOperation => ({ method: 'POST', path: 'accounts', body: { name: 'A' }, changeSet: 'x', ...extra });
    await rejects([a({ contentId: '1' }), a({ path: '$9/primarycontactid/$ref', method: 'PUT' })], /#1 \(PUT \$9\/primarycontactid\/\$ref\): refers to '\$9', but no operation has contentId '9'/);
    await rejects([a({ body: { 'parentaccountid@odata.bind': '$2' } }), a({ contentId: '2' })], /#0 .*refers to '\$2' \(operation #1\), which does not come before it/);
    await rejects([a({ contentId: '1' }), a({ changeSet: 'y', body: { 'parentaccountid@odata.bind': ['$1'] } })], /#1 .*not in the same change set/);
    await rejects([a({ contentId: '1' }), { method: 'PATCH', path: '$1', body: {} }], /#1 \(PATCH \$1\).*not in the same change set/);
    await rejects([a({ contentId: '1' }), a({ body: '{"nested":{"x@odata.bind":"$7"}}' })], /refers to '\$7'/);
  });

  test('grouping and operation mistakes', async () => {
    await rejects([{ method: 'GET', path: 'accounts', changeSet: 'x' }], /GET is not allowed in a change set/);
    const cs = (label: string): BatchOperation => ({ method: 'DELETE', path: 'accounts(1)', changeSet: label });
    await rejects([cs('a'), cs('b'), cs('a')], /#2 .*change set 'a' is interrupted by other operations/);
    await rejects([cs('a'), { method: 'GET', path: 'x' }, cs('a')], /change set 'a' is interrupted/);
    await rejects([{ method: 'GET', path: 'x', contentId: 'k' }, { method: 'GET', path: 'y', contentId: 'k' }], /contentId 'k' is already used by operation #0/);
    await rejects([{ method: 'GET', path: 'x', contentId: 'a b' }], /contentId must be/);
    await rejects([{ method: 'GET', path: 'accounts\r\nX-Evil: 1' }], /control character or line break/);
    await rejects([{ method: 'GET', path: 'x', headers: { 'x-a': 'v\r\nX-Evil: 1' } }], /must be a one-line string/);
    await rejects([{ method: 'GET', path: 'x', headers: { 'Content-ID': '5' } }], /use contentId/);
    await rejects([{ method: 'GET', path: 'https://elsewhere.example/api/data/v9.2/x' }], /not on the environment/);
    await rejects([{ method: 'COPY' as any, path: 'x' }], /method must be one of/);
    const cyclic: any = { name: 'x' };
    cyclic.self = cyclic;
    await rejects([{ method: 'POST', path: 'accounts', body: cyclic }], /body cannot be written as JSON/);
    const shared: any = { 'a@odata.bind': '$1' };
    for (let i = 0; i < 80; i++) shared.next = { left: shared, right: shared };
    await rejects([{ method: 'POST', path: 'accounts', body: shared }], /refers to '\$1'/);
  });

  test('split limits: a change set over 1,000 operations, a batch size outside 1–1,000, a bad concurrency', async () => {
    const big = Array.from({ length: 1001 }, (): BatchOperation => ({ method: 'POST', path: 'accounts', body: {}, changeSet: 'big' }));
    await rejects(big, /change set starting at operation #0 has 1001 operations; Dataverse allows at most 1000/);
    await rejects([{ method: 'GET', path: 'x' }], /maxOperationsPerBatch must be an integer from 1 to 1000/, { maxOperationsPerBatch: 1001 });
    await rejects([{ method: 'GET', path: 'x' }], /maxOperationsPerBatch/, { maxOperationsPerBatch: 0 });
    await rejects([{ method: 'GET', path: 'x' }], /concurrency must be a positive integer/, { concurrency: 0 });
  });
});

describe('split rules', () => {
  const independent = (n: number): BatchOperation[] => Array.from({ length: n }, () => ({ method: 'POST', path: 'accounts', body: {} }));
  const changeSet = (n: number, label: string): BatchOperation[] => Array.from({ length: n }, () => ({ method: 'POST', path: 'accounts', body: {}, changeSet: label }));
  const sizes = (ops: BatchOperation[], max?: number) => splitBatch(planBatch(ops), max).map((chunk) => chunk.reduce((n, g) => n + g.operations.length, 0));

  test('at most the chosen size (default 100, Dataverse maximum 1,000), in input order', () => {
    expect(sizes(independent(2500), 1000)).toEqual([1000, 1000, 500]);
    expect(sizes(independent(250))).toEqual([100, 100, 50]);
    const chunks = splitBatch(planBatch(independent(5)), 2);
    expect(chunks.map((c) => c.map((g) => g.operations[0].index))).toEqual([[0, 1], [2, 3], [4]]);
  });

  test('a change set is never cut; one larger than the chosen size goes alone', () => {
    expect(sizes([...independent(60), ...changeSet(50, 'a'), ...independent(10)], 100)).toEqual([60, 60]);
    expect(sizes([...independent(10), ...changeSet(300, 'a'), ...independent(10)], 100)).toEqual([10, 300, 10]);
    expect(sizes(changeSet(1000, 'a'), 100)).toEqual([1000]);
    // A Content-ID chain lives in one change set, so it stays in one request.
    const chain: BatchOperation[] = [...independent(99), { method: 'POST', path: 'accounts', body: {}, contentId: 'a', changeSet: 'c' }, { method: 'PATCH', path: '$a', body: {}, changeSet: 'c' }];
    expect(sizes(chain, 100)).toEqual([99, 2]);
  });

  test('runChunks: never more than `concurrency` in flight, starts in order, stops starting after a stop', async () => {
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    await runChunks([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      order.push(n);
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    }, () => false);
    expect(peak).toBe(3);
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7]);
    let stop = false;
    const started = await runChunks([1, 2, 3, 4], 1, async (n) => {
      if (n === 2) stop = true;
    }, () => stop);
    expect(started).toEqual([true, true, false, false]);
  });
});

describe('executeBatch with a scripted transport', () => {
  /** Answers each request: every part 204, except parts whose body says fail, which get 400 (no continue: stop). */
  function scripted(sent: HttpRequest[]) {
    return async (request: HttpRequest): Promise<HttpResponse> => {
      sent.push(request);
      const items = parseBatchRequest(request.body as Buffer, request.headers['content-type'], { baseUrl: `${ORG}/api/data/v9.2/` });
      const continueOnError = request.headers.prefer === 'odata.continue-on-error';
      let text = '';
      let status = 200;
      const reply = (o: any) => {
        const fail = o.body.toString().includes('fail');
        const id = o.contentId ? `Content-ID: ${o.contentId}\r\n` : '';
        const head = fail ? 'HTTP/1.1 400 Bad Request\r\nREQ_ID: r-1\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"0x1","message":"nope"}}' : `HTTP/1.1 204 No Content\r\nOData-EntityId: ${ORG}/api/data/v9.2/accounts(00000000-0000-0000-0000-${String(sent.length).padStart(12, '0')})\r\n\r\n`;
        return { fail, text: `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${id}\r\n${head}\r\n` };
      };
      for (const item of items) {
        const ops = item.kind === 'changeset' ? item.operations : [item];
        const replies = ops.map(reply);
        const failed = replies.find((r) => r.fail);
        if (failed && !continueOnError) {
          text = `--resp\r\n${failed.text}`;
          status = 400;
          break;
        }
        text += `--resp\r\n${replies.map((r) => r.text).join('')}`;
      }
      return { status, headers: { 'content-type': 'multipart/mixed; boundary=resp' }, body: Buffer.from(`${text}--resp--\r\n`), request };
    };
  }
  const create = (name: string, extra: Partial<BatchOperation> = {}): BatchOperation => ({ method: 'POST', path: 'accounts', body: { name }, ...extra });

  test('without continueOnError a failed request stops the rest: its later parts and later requests are not executed', async () => {
    const sent: HttpRequest[] = [];
    const ops = [create('a'), create('b'), create('fail', { contentId: 'f' }), create('c'), create('d'), create('e')];
    const results = await executeBatch(scripted(sent), TARGET, ops, { maxOperationsPerBatch: 4 });
    expect(sent).toHaveLength(1);
    expect(outcomes(results)).toEqual(['succeeded', 'succeeded', 'failed', 'notExecuted', 'notExecuted', 'notExecuted']);
    expect(results[0].status).toBe(0); // applied, but a stopped batch leaves its answer out
    expect(results[4].error!.message).toMatch(/earlier \$batch request stopped at operation #2/);
    expect(sent[0].idempotent).toBe(false);
    expect(sent[0].body).toBeInstanceOf(Buffer);
  });

  test('with continueOnError every request is sent, concurrently if asked, and results stay in input order', async () => {
    const sent: HttpRequest[] = [];
    const ops = [create('a'), create('fail'), create('c'), create('d'), create('e')];
    const results = await executeBatch(scripted(sent), TARGET, ops, { maxOperationsPerBatch: 2, concurrency: 3, continueOnError: true });
    expect(sent).toHaveLength(3);
    expect(sent.every((r) => r.headers.prefer === 'odata.continue-on-error')).toBe(true);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes(results)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded', 'succeeded']);
    expect(results[1].error).toMatchObject({ status: 400, code: '0x1', requestId: 'r-1', batchIndex: 1 });
    expect(results.every((r) => r.outcome !== 'succeeded' || GUID.test(r.entityId!))).toBe(true);
  });

  test('idempotent only when every operation is; a thrown send becomes per-operation results', async () => {
    const sent: HttpRequest[] = [];
    await executeBatch(scripted(sent), TARGET, [{ method: 'GET', path: 'a' }, { method: 'DELETE', path: 'accounts(1)' }, { method: 'PATCH', path: 'accounts(1)', body: {}, headers: { 'If-Match': '*' } }]);
    expect(sent[0].idempotent).toBe(true);
    await executeBatch(scripted(sent), TARGET, [{ method: 'GET', path: 'a' }, { method: 'PATCH', path: 'accounts(1)', body: {} }]);
    expect(sent[1].idempotent).toBe(false);

    const throttled = await executeBatch(async () => {
      throw new D365Error('throttled', { status: 429, retryable: true });
    }, TARGET, [create('a'), create('b')], { maxOperationsPerBatch: 1 });
    expect(outcomes(throttled)).toEqual(['notExecuted', 'notExecuted']);
    const reset = await executeBatch(async () => {
      throw new Error('socket hang up');
    }, TARGET, [create('a'), create('b')], { maxOperationsPerBatch: 1 });
    expect(outcomes(reset)).toEqual(['unknown', 'notExecuted']);
    expect(reset[0].error!.message).toMatch(/socket hang up.*may or may not have been applied/);
  });

  test('no operations: no request', async () => {
    const sent: HttpRequest[] = [];
    expect(await executeBatch(scripted(sent), TARGET, [])).toEqual([]);
    expect(sent).toHaveLength(0);
  });
});
