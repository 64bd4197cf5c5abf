/**
 * Oversize request bodies from test/corpus/oversize-payloads (generated at run time, never stored), streamed to the
 * emulator: each is answered 413 with the Dataverse error code once the limit is passed (401 from the headers alone
 * when the request has no token), the body is never held in
 * memory (the process's RSS, which includes the in-process emulator, stays well under the 200 MB sent), no row is
 * created, and the emulator answers the next request normally.
 */
import { once } from 'node:events';
import * as https from 'node:https';
import type { RunningEmulator } from '../../emulator';
import { appToken, whoAmI } from '../helpers/emulator';
import { CANARY_SECRET, caseName, corpusCases, corpusFiles, expectNoSecret, type CorpusCase } from './corpus-kit';
import { startCorpusEmulator } from './corpus-emulator';

const FOLDER = 'oversize-payloads';
const cases = corpusCases(FOLDER);
const LIMIT = 8 * 1024 * 1024;
const TOTAL = 200 * 1024 * 1024;

let emulator: RunningEmulator;
let token: string;
beforeAll(async () => {
  emulator = await startCorpusEmulator({ maxBodyBytes: LIMIT });
  token = await appToken(emulator);
});
afterAll(() => emulator?.stop());

interface Sent {
  status: number;
  body: string;
  written: number;
}

/** POSTs up to TOTAL bytes of one JSON string, stopping as soon as the answer arrives. */
async function stream(options: { declared: boolean; withToken: boolean }): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'odata-version': '4.0' };
  if (options.withToken) headers.authorization = `Bearer ${token}`;
  if (options.declared) headers['content-length'] = String(TOTAL);
  const req = https.request(`${emulator.dataverseUrl}api/data/v9.2/accounts`, { method: 'POST', headers, ca: emulator.caCertPem, agent: false });
  let written = 0;
  let done = false;
  const answered = new Promise<Sent>((resolve, reject) => {
    req.on('response', (res) => {
      done = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), written }));
      res.on('error', reject);
    });
    // The server may close the connection while the body is still going out; the answer has arrived by then.
    req.on('error', (e) => (done ? undefined : reject(e)));
  });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  req.write('{"name":"');
  while (!done && written < TOTAL) {
    written += chunk.length;
    if (!req.write(chunk)) await Promise.race([once(req, 'drain'), answered.catch(() => undefined)]);
  }
  const sent = await answered;
  req.destroy();
  return { ...sent, written };
}

test('every case is generated (the folder holds no input file)', () => {
  expect(corpusFiles(FOLDER)).toEqual([]);
});

test.each(cases.map((c) => [caseName(c), c] as const))('%s', async (_name, c: CorpusCase) => {
  const rowsBefore = emulator.service.store.rows('account').size;
  const options = { declared: c.generate === 'declared-200mb-create', withToken: c.generate !== 'chunked-200mb-without-token' };
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  let sent: Sent;
  try {
    sent = await stream(options);
  } finally {
    clearInterval(sampler);
  }
  expect(sent.status).toBe(c.expect.status);
  const body = JSON.parse(sent.body);
  expect(body.error).toEqual({ code: c.expect.code, message: c.expect.message });
  expectNoSecret(sent.body, [CANARY_SECRET, token]);
  // Loose: far below the 200 MB a buffering reader would need, whatever was sent before the answer came.
  expect(Math.max(peak, process.memoryUsage().rss) - before).toBeLessThan(100 * 1024 * 1024);
  expect(sent.written).toBeLessThan(TOTAL);
  expect(emulator.service.store.rows('account').size).toBe(rowsBefore);
  expect((await whoAmI(emulator, token)).status).toBe(200);
});
