/**
 * Links to foreign origins from test/corpus/foreign-links, handed back by a tampered answer of the emulator as a
 * page's @odata.nextLink and as the Location of a file upload session: the client refuses each before any request
 * exists (so the bearer token never leaves the environment), with a D365Error naming the origin; a tampered page is
 * refused whole. As the OData-EntityId of a create the link is never followed: the create says it was done
 * but named no row id, and the row exists once. The same client then pages and uploads normally.
 */
import { D365Error } from '../../client/http/errors';
import type { HttpResponse } from '../../client/http/types';
import type { RunningEmulator } from '../../emulator';
import { CANARY_SECRET, corpusCases, corpusFile, corpusFiles, everythingShown, expectNoSecret, failureOf, fill } from './corpus-kit';
import { corpusClient, startCorpusEmulator, type CorpusClient } from './corpus-emulator';

const FOLDER = 'foreign-links';
const cases = corpusCases(FOLDER);
const expected = cases[0].expect;
const links = JSON.parse(corpusFile(FOLDER, 'links.json').toString('utf8')) as { link: string; trick: string; resolvesTo?: 'environment' }[];

let emulator: RunningEmulator;
let dv: CorpusClient;
let origin: string;
/** The link the next tampered answer carries. */
let hostile: string | undefined;

function tamper(response: HttpResponse): HttpResponse {
  if (!hostile) return response;
  const { method, url } = response.request;
  if (method === 'GET' && /\/accounts\?/.test(url)) {
    const body = JSON.parse(response.body.toString('utf8'));
    if (!body['@odata.nextLink']) return response;
    body['@odata.nextLink'] = hostile;
    hostile = undefined;
    return { ...response, body: Buffer.from(JSON.stringify(body)) };
  }
  if (method === 'POST' && response.headers['odata-entityid']) {
    const entityId = hostile;
    hostile = undefined;
    return { ...response, headers: { ...response.headers, 'odata-entityid': entityId } };
  }
  if (method === 'PATCH' && response.headers.location) {
    const location = hostile;
    hostile = undefined;
    return { ...response, headers: { ...response.headers, location } };
  }
  return response;
}

beforeAll(async () => {
  emulator = await startCorpusEmulator();
  origin = new URL(emulator.dataverseUrl).origin;
  dv = corpusClient(emulator, { tamper });
});
afterAll(async () => {
  dv?.close();
  await emulator?.stop();
});

const port = () => new URL(emulator.dataverseUrl).port;
const linkOf = (template: string) => fill(template, { PORT: port(), OTHER_PORT: Number(port()) === 65535 ? 1 : Number(port()) + 1 });

function expectRefused(error: Error, requestsBefore: number, resolvesTo?: 'environment'): void {
  expect(error).toBeInstanceOf(D365Error);
  if (resolvesTo === 'environment') {
    // Not foreign after all: the request went to the environment, which does not know the path.
    expect((error as D365Error).status).toBe(404);
    expect(dv.requests.slice(requestsBefore).every((r) => new URL(r.url).origin === origin)).toBe(true);
    return;
  }
  expect(['OriginMismatch', 'InvalidLink']).toContain((error as D365Error).code);
  if ((error as D365Error).code === 'OriginMismatch') expect(error.message).toContain(String(expected.message));
  expect((error as D365Error).retryable).toBeFalsy();
  const elsewhere = dv.requests.slice(requestsBefore).filter((r) => new URL(r.url).origin !== origin);
  expect(elsewhere.length).toBe(expected.requestsElsewhere);
  expectNoSecret(everythingShown(error, dv.events), [CANARY_SECRET]);
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.map((c) => c.file).sort());
});

describe.each(links.map((l) => [l.trick, l.link, l.resolvesTo] as const))('%s', (_trick, template, resolvesTo) => {
  test('as @odata.nextLink: the tampered page is refused whole, before any request follows it', async () => {
    const before = dv.requests.length;
    const seen: unknown[] = [];
    hostile = linkOf(template);
    const error = await failureOf(async () => {
      for await (const row of dv.client.iterateRows('accounts', { select: ['name'] }, { pageSize: 2 })) seen.push(row.name);
    });
    expect(hostile).toBeUndefined();
    expectRefused(error, before, resolvesTo);
    if (resolvesTo) return;
    expect(seen).toHaveLength(0);
    expect(dv.requests.length - before).toBe(1);
  });

  test('as the Location of an upload session: refused before any chunk is sent', async () => {
    const { id } = await dv.client.create('sample_documents', { sample_name: 'corpus upload' });
    const before = dv.requests.length;
    hostile = linkOf(template);
    const error = await failureOf(() => dv.client.uploadFile('sample_documents', id, 'sample_file', Buffer.from('payload'), { fileName: 'a.txt', chunked: true }));
    expect(hostile).toBeUndefined();
    expectRefused(error, before, resolvesTo);
    if (resolvesTo) return;
    expect(dv.requests.slice(before).map((r) => r.method)).toEqual(['PATCH']);
  });
});

let created = 0;
describe.each(links.map((l) => [l.trick, l.link] as const))('%s as the OData-EntityId of a create', (_trick, template) => {
  test('never followed; the create is reported as done without an id, the row exists once, nothing is sent again', async () => {
    const name = `corpus entity id ${++created}`;
    const before = dv.requests.length;
    hostile = linkOf(template);
    const error = await failureOf(() => dv.client.create('accounts', { name }));
    expect(hostile).toBeUndefined();
    expect(error).toBeInstanceOf(D365Error);
    expect((error as D365Error).code).toBe('InvalidResponse');
    expect(error.message).toContain('ends in no row id');
    expect(error.message).toContain('the row exists, do not create it again');
    expect(dv.requests.slice(before).map((r) => `${r.method} ${new URL(r.url).origin}`)).toEqual([`POST ${origin}`]);
    expect([...emulator.service.store.rows('account').values()].filter((r) => r.name === name)).toHaveLength(1);
    expectNoSecret(everythingShown(error, dv.events), [CANARY_SECRET]);
  });
});

test('after every refusal the same client still pages through every row and uploads a file', async () => {
  let rows = 0;
  for await (const _row of dv.client.iterateRows('accounts', { select: ['name'] }, { pageSize: 2 })) rows++;
  expect(rows).toBe(emulator.service.store.rows('account').size);
  const { id } = await dv.client.create('sample_documents', { sample_name: 'corpus upload ok' });
  await dv.client.uploadFile('sample_documents', id, 'sample_file', Buffer.from('payload'), { fileName: 'a.txt', chunked: true });
  const file = await dv.client.downloadFile('sample_documents', id, 'sample_file');
  expect(file.data.toString()).toBe('payload');
});
