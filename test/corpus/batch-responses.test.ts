/**
 * Malformed $batch answers from test/corpus/batch-responses, played in place of the emulator's real answer after
 * the emulator ran the batch: the client reports every operation as `unknown` (never succeeded) with a
 * MalformedBatchResponse error naming the problem, does not send the writes again, and the emulator holds each
 * row exactly once. Each answer is tried on two independent creates and on a change set of two. A clean batch right
 * after succeeds.
 */
import { D365Error } from '../../client/http/errors';
import type { HttpResponse } from '../../client/http/types';
import type { BatchOperation } from '../../client/dataverse/batch-types';
import type { RunningEmulator } from '../../emulator';
import { CANARY_SECRET, caseName, corpusCases, corpusFile, corpusFiles, everythingShown, expectNoSecret, type CorpusCase } from './corpus-kit';
import { corpusClient, startCorpusEmulator, type CorpusClient } from './corpus-emulator';

const FOLDER = 'batch-responses';
const cases = corpusCases(FOLDER);

let emulator: RunningEmulator;
let dv: CorpusClient;
/** The answer the next $batch gets instead of the emulator's. */
let replacement: { body: Buffer; contentType: string } | undefined;

function tamper(response: HttpResponse): HttpResponse {
  if (!replacement || !response.request.url.endsWith('/$batch')) return response;
  const { body, contentType } = replacement;
  replacement = undefined;
  return { ...response, status: 200, headers: { ...response.headers, 'content-type': contentType }, body };
}

beforeAll(async () => {
  emulator = await startCorpusEmulator();
  dv = corpusClient(emulator, { tamper });
});
afterAll(async () => {
  dv?.close();
  await emulator?.stop();
});

function generated(name: string): Buffer {
  if (name === 'garbage-8mb') {
    let seed = 11;
    const bytes = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16;
    return bytes;
  }
  if (name === 'header-line-4mb') {
    const part = `Content-Type: application/http\r\nX-Huge: ${'x'.repeat(4 * 1024 * 1024)}\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n`;
    return Buffer.from(`--batchresponse_corpus\r\n${part}\r\n--batchresponse_corpus--\r\n`);
  }
  throw new Error(`no generator named ${name}`);
}

const subjects = (label: string) => [`corpus batch ${label} #1`, `corpus batch ${label} #2`];
function storedSubjects(label: string): string[] {
  const prefix = `corpus batch ${label} #`;
  return [...emulator.service.store.rows('task').values()].map((r) => String(r.subject)).filter((s) => s.startsWith(prefix)).sort();
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.filter((c) => c.file).map((c) => c.file).sort());
});

const shapes = [
  ['independent operations', undefined],
  ['one change set', 'corpus'],
] as const;
const matrix = cases.flatMap((c, i) => shapes.map(([shape, changeSet]) => [caseName(c), shape, c, `case${i}-${changeSet ?? 'independent'}`, changeSet] as const));

test.each(matrix)('%s, %s', async (_name, _shape, c: CorpusCase, label, changeSet) => {
  const ops: BatchOperation[] = subjects(label).map((subject) => ({ method: 'POST', path: 'tasks', body: { subject }, ...(changeSet ? { changeSet } : {}) }));
  replacement = { body: c.file ? corpusFile(FOLDER, c.file) : generated(c.generate!), contentType: String(c.expect.contentType) };
  const batchesBefore = dv.requests.filter((r) => r.url.endsWith('/$batch')).length;

  const results = await dv.client.executeBatch(ops, { continueOnError: true });

  expect(replacement).toBeUndefined();
  expect(results.map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
  for (const result of results) {
    expect(result.error).toBeInstanceOf(D365Error);
    expect(result.error!.code).toBe('MalformedBatchResponse');
    expect(result.error!.message).toContain(String((changeSet && c.expect.changeSetMessage) || c.expect.message));
    expect(result.error!.message.length).toBeLessThan(2000);
  }
  // Sent once: an answer that cannot be read is no reason to write again.
  expect(dv.requests.filter((r) => r.url.endsWith('/$batch')).length - batchesBefore).toBe(1);
  // The emulator ran both creates: the rows exist, once each, and the client said "unknown", not "failed".
  expect(storedSubjects(label)).toEqual(subjects(label));
  expectNoSecret(everythingShown(...results.map((r) => r.error), dv.events), [CANARY_SECRET]);

  const [healthy] = await dv.client.executeBatch([{ method: 'POST', path: 'tasks', body: { subject: `corpus batch ${label} #3` } }]);
  expect(healthy.outcome).toBe('succeeded');
  expect(storedSubjects(label)).toEqual([...subjects(label), `corpus batch ${label} #3`]);
});
