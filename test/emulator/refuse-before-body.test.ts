/**
 * A caller without a valid token is answered 401 from the headers alone: the emulator does not wait for (or keep) a
 * body of up to its 128 MB limit first. Each request below declares 64 MB and sends only its first 64 KB; the answer
 * arrives anyway, and the emulator still serves the next request. With a valid token the same declaration is read
 * in full (the request is held until the body ends), which shows the early answer is the token check's doing.
 */
import * as https from 'node:https';
import { useFnoApi } from '../helpers/emulator';

const f = useFnoApi();
const DECLARED = 64 * 1024 * 1024;
const SENT = Buffer.alloc(64 * 1024, 0x20);

interface Early { status: number; text: string; connection: string | undefined }

/** Sends the headers and the first chunk of a body that never ends, and resolves with the answer (or null once the
 *  request has been held for `holdMs` without one). */
function partialPost(url: string, headers: Record<string, string>, holdMs: number): Promise<Early | null> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'POST',
      ca: f.emulator.caCertPem,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': String(DECLARED), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(held);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), connection: res.headers.connection });
      });
    });
    // The socket is closed by the server after its answer; writes after that are expected to fail.
    req.on('error', (e) => (settled ? undefined : reject(e)));
    let settled = false;
    const held = setTimeout(() => {
      settled = true;
      req.destroy();
      resolve(null);
    }, holdMs);
    req.write(SENT);
  });
}

describe('an unauthenticated request is refused before its body is read', () => {
  test('Dataverse Web API: 401 with the body unsent, connection closed', async () => {
    const answer = await partialPost(`${f.emulator.dataverseUrl}api/data/v9.2/accounts`, {}, 60_000);
    expect(answer).not.toBeNull();
    expect(answer!.status).toBe(401);
    expect(JSON.parse(answer!.text).error.message).toContain('no bearer token');
    expect(answer!.connection).toBe('close');
  });

  test('Dataverse Web API: a tampered token is refused the same way', async () => {
    const answer = await partialPost(`${f.emulator.dataverseUrl}api/data/v9.2/accounts`, { authorization: `Bearer ${f.token}x` }, 60_000);
    expect(answer?.status).toBe(401);
    expect(answer!.text).not.toContain(f.token);
  });

  test('F&O /data: 401 with the body unsent', async () => {
    const answer = await partialPost(`${f.fnoUrl}data/CustomersV3`, {}, 60_000);
    expect(answer?.status).toBe(401);
    expect(answer!.text).toContain('no bearer token');
  });

  test('with a valid token the emulator waits for the declared body instead', async () => {
    const answer = await partialPost(`${f.fnoUrl}data/CustomersV3`, { authorization: `Bearer ${f.token}` }, 1_500);
    expect(answer).toBeNull();
  });

  test('the emulator keeps serving after the refusals', async () => {
    const res = await f.call('GET', 'data/LegalEntities');
    expect(res.status).toBe(200);
  });
});
