/**
 * executeBatch against the real emulator over HTTPS: a large split run, Content-ID references, atomic change sets
 * that roll back, continue-on-error and GETs inside a batch. Every claim in a result is checked with a GET.
 */
import * as https from 'node:https';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { executeBatch } from '../../client/dataverse/batch';
import type { BatchOperation, BatchResult, BatchTarget } from '../../client/dataverse/batch-types';
import { RunningEmulator, startEmulator } from '../../emulator';
import { appToken, flatHeaders } from '../helpers/emulator';

let emulator: RunningEmulator;
let token: string;
let target: BatchTarget;
const sent: HttpRequest[] = [];

function httpsSend(request: HttpRequest): Promise<HttpResponse> {
  sent.push(request);
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = https.request(request.url, { method: request.method, headers, ca: emulator.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks), request }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

async function get(path: string): Promise<{ status: number; json: any }> {
  const res = await httpsSend({ method: 'GET', url: `${emulator.dataverseUrl}api/data/v9.2/${path}`, headers: { accept: 'application/json' } });
  return { status: res.status, json: res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined };
}

async function accountNamed(name: string): Promise<any[]> {
  const res = await get(`accounts?$select=name&$filter=name eq '${name}'`.replace(/ /g, '%20'));
  expect(res.status).toBe(200);
  return res.json.value;
}

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  token = await appToken(emulator);
  target = { environmentUrl: emulator.dataverseUrl, apiVersion: '9.2' };
});
afterAll(() => emulator.stop());
beforeEach(() => {
  sent.length = 0;
});

const outcomes = (results: BatchResult[]) => results.map((r) => r.outcome);
const create = (name: string, extra: Partial<BatchOperation> = {}): BatchOperation => ({ method: 'POST', path: 'accounts', body: { name }, ...extra });
const TOO_LONG = 'x'.repeat(161); // account.name allows 160

test('2,500 creates split into batches of 1,000: all succeed, map back, and every id is distinct and readable', async () => {
  const ops = Array.from({ length: 2500 }, (_v, i) => create(`Bulk ${i}`));
  const results = await executeBatch(httpsSend, target, ops, { maxOperationsPerBatch: 1000 });
  expect(sent).toHaveLength(3);
  expect(sent.map((r) => (r.body as Buffer).toString('utf8').match(/^POST /gm)!.length)).toEqual([1000, 1000, 500]);
  expect(sent.every((r) => r.idempotent === false)).toBe(true);
  expect(results).toHaveLength(2500);
  expect(results.every((r, i) => r.index === i && r.outcome === 'succeeded' && r.status === 204 && !r.error)).toBe(true);
  expect(new Set(results.map((r) => r.entityId)).size).toBe(2500);

  // Read every one back in batches of GETs, two requests at a time: each id has the name of its own input.
  sent.length = 0;
  const reads = results.map((r): BatchOperation => ({ method: 'GET', path: `accounts(${r.entityId})?$select=name` }));
  const read = await executeBatch(httpsSend, target, reads, { maxOperationsPerBatch: 1000, concurrency: 2 });
  expect(sent).toHaveLength(3);
  expect(sent.every((r) => r.idempotent === true)).toBe(true);
  expect(read.map((r) => (r.body as any)?.name)).toEqual(ops.map((op) => (op.body as any).name));
  expect(read.every((r, i) => (r.body as any).accountid === results[i].entityId)).toBe(true);
}, 120_000);

test('a change set with Content-ID references: account, then contact bound to $1, then $ref back to the contact', async () => {
  const results = await executeBatch(httpsSend, target, [
    create('Referenced Account', { contentId: 'acct', changeSet: 'refs' }),
    { method: 'POST', path: 'contacts', body: { lastname: 'Bound', 'parentcustomerid_account@odata.bind': '$acct' }, contentId: 'ct', changeSet: 'refs' },
    { method: 'PUT', path: '$acct/primarycontactid/$ref', body: { '@odata.id': '$ct' }, changeSet: 'refs' },
    { method: 'PATCH', path: '$acct', body: { telephone1: '555 0100' }, changeSet: 'refs' },
  ]);
  expect(outcomes(results)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(results.map((r) => r.contentId)).toEqual(['acct', 'ct', undefined, undefined]);
  const [account, contact] = results;
  expect((await get(`contacts(${contact.entityId})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(account.entityId);
  expect((await get(`accounts(${account.entityId})?$select=_primarycontactid_value,telephone1`)).json).toMatchObject({
    _primarycontactid_value: contact.entityId,
    telephone1: '555 0100',
  });
});

test('a failing change set rolls back; the results say which operation failed, which were rolled back, which never ran', async () => {
  const results = await executeBatch(httpsSend, target, [
    create('Applied Before'),
    create('Rolled Back One', { changeSet: 'atomic' }),
    create('Rolled Back Two', { changeSet: 'atomic' }),
    create(TOO_LONG, { changeSet: 'atomic' }),
    create('Never Sent To Run'),
  ]);
  expect(sent).toHaveLength(1);
  expect(outcomes(results)).toEqual(['succeeded', 'rolledBack', 'rolledBack', 'failed', 'notExecuted']);
  expect(results[3].error).toMatchObject({ status: 400, batchIndex: 3 });
  expect(results[3].error!.message).toMatch(/Batch operation #3 \(POST accounts\) failed: .*name/);
  expect(results[3].error!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(results[1].error!.message).toMatch(/rolled back: operation #3 of the same change set failed/);
  expect(results[4].error!.message).toMatch(/not executed: the batch stopped at operation #3/);
  // Dataverse leaves the answers of parts before a stop out, but they did run.
  expect(results[0].status).toBe(0);

  expect(await accountNamed('Applied Before')).toHaveLength(1);
  expect(await accountNamed('Rolled Back One')).toHaveLength(0);
  expect(await accountNamed('Rolled Back Two')).toHaveLength(0);
  expect(await accountNamed('Never Sent To Run')).toHaveLength(0);
});

test('continue-on-error: every operation runs and each failure comes with its index', async () => {
  const missing = '00000000-0000-0000-0000-00000000dead';
  const results = await executeBatch(
    httpsSend,
    target,
    [
      create('Continued One'),
      create(TOO_LONG),
      { method: 'PATCH', path: `accounts(${missing})`, body: { name: 'x' }, headers: { 'If-Match': '*' } },
      create('Rolled Back Despite Continue', { changeSet: 'bad' }),
      { method: 'POST', path: 'accounts', body: { nme: 'unknown column' }, changeSet: 'bad' },
      create('Continued Two'),
      { method: 'GET', path: `accounts(${missing})` },
    ],
    { continueOnError: true, maxOperationsPerBatch: 4 },
  );
  expect(sent).toHaveLength(2);
  expect(sent.every((r) => r.headers.prefer === 'odata.continue-on-error')).toBe(true);
  expect(outcomes(results)).toEqual(['succeeded', 'failed', 'failed', 'rolledBack', 'failed', 'succeeded', 'failed']);
  expect(results.map((r) => r.error?.batchIndex)).toEqual([undefined, 1, 2, 3, 4, undefined, 6]);
  expect(results.map((r) => r.error?.status)).toEqual([undefined, 400, 404, 400, 400, undefined, 404]);
  expect(results[6].error!.code).toBe('0x80040217');
  expect(await accountNamed('Continued One')).toHaveLength(1);
  expect(await accountNamed('Continued Two')).toHaveLength(1);
  expect(await accountNamed('Rolled Back Despite Continue')).toHaveLength(0);
});

test('independent GETs inside a batch return their JSON bodies, next to a change set', async () => {
  const seeded = (await get('accounts?$select=name&$top=1')).json.value[0];
  const results = await executeBatch(httpsSend, target, [
    { method: 'GET', path: 'accounts?$select=name&$top=2' },
    create('Between Reads', { changeSet: 'w' }),
    { method: 'GET', path: `accounts(${seeded.accountid})?$select=name` },
    { method: 'GET', path: 'WhoAmI' },
    { method: 'GET', path: `accounts?$select=name&$filter=name eq 'Between Reads'` },
  ]);
  expect(outcomes(results)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect((results[0].body as any).value).toHaveLength(2);
  expect(results[0].headers['content-type']).toMatch(/^application\/json/);
  expect(results[2].body).toMatchObject({ accountid: seeded.accountid, name: seeded.name });
  expect(results[3].body).toMatchObject({ UserId: expect.any(String), OrganizationId: expect.any(String) });
  expect((results[4].body as any).value.map((a: any) => a.accountid)).toEqual([results[1].entityId]);
});

test('a reference to an unknown Content-ID is refused before anything is sent', async () => {
  await expect(
    executeBatch(httpsSend, target, [create('Never Sent', { changeSet: 'c' }), { method: 'PATCH', path: '$9', body: { name: 'x' }, changeSet: 'c' }]),
  ).rejects.toThrow(/refers to '\$9', but no operation has contentId '9'/);
  expect(sent).toHaveLength(0);
  expect(await accountNamed('Never Sent')).toHaveLength(0);
});
