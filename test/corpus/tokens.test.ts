/**
 * Expired, tampered and misdirected access tokens from test/corpus/tokens (each file is a recipe applied to a token
 * the emulator's Entra endpoint really issued): the emulator refuses each with 401 and the specific reason, without
 * quoting the token; the client asks for a fresh token once after the first 401, then fails with a D365Error naming
 * the reason, and no part of the token or the client secret appears in the error or in any event. A genuine token
 * keeps working throughout.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { D365Error } from '../../client/http/errors';
import type { TokenProvider } from '../../client/auth/types';
import type { RunningEmulator } from '../../emulator';
import { appToken, httpsRequest, whoAmI } from '../helpers/emulator';
import { CANARY_SECRET, corpusCases, corpusFile, corpusFiles, everythingShown, expectNoSecret, failureOf, type CorpusCase } from './corpus-kit';
import { corpusClient, startCorpusEmulator } from './corpus-emulator';

const FOLDER = 'tokens';
const cases = corpusCases(FOLDER);

interface Recipe {
  raw?: string;
  mint?: 'dataverse' | 'fno';
  /** Seconds the emulator's clock is ahead when the token is minted, and when it is used. */
  mintAtSeconds?: number;
  useAtSeconds?: number;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  signature?: 'keep' | 'flip' | 'empty' | 'hmac-with-jwks-key';
}

let emulator: RunningEmulator;
let skewMs = 0;

beforeAll(async () => {
  emulator = await startCorpusEmulator({ now: () => Date.now() + skewMs });
  expect(emulator.fnoUrl).toBeDefined();
});
afterAll(() => emulator?.stop());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

async function jwksPublicKeyPem(): Promise<string> {
  const res = await httpsRequest(emulator, 'GET', `${emulator.authorityUrl}/discovery/v2.0/keys`);
  const [key] = res.json.keys;
  return createPublicKey({ key: { kty: key.kty, n: key.n, e: key.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** The hostile token of a recipe, and the genuine one it was made from (whose parts must not leak either). */
async function forge(recipe: Recipe): Promise<{ token: string; genuine?: string }> {
  if (recipe.raw) return { token: recipe.raw };
  skewMs = (recipe.mintAtSeconds ?? 0) * 1000;
  const genuine = await appToken(emulator, recipe.mint === 'fno' ? emulator.fnoUrl : emulator.dataverseUrl);
  skewMs = 0;
  const [h, p, s] = genuine.split('.');
  const header = recipe.header ? b64({ ...json(h), ...recipe.header }) : h;
  const payload = recipe.payload ? b64({ ...json(p), ...recipe.payload }) : p;
  let signature = s;
  if (recipe.signature === 'flip') signature = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  if (recipe.signature === 'empty') signature = '';
  if (recipe.signature === 'hmac-with-jwks-key') signature = createHmac('sha256', await jwksPublicKeyPem()).update(`${header}.${payload}`).digest('base64url');
  return { token: `${header}.${payload}.${signature}`, genuine };
}

/** The token, its parts and the genuine token's parts: none may appear in any output. */
function secretsOf(forged: { token: string; genuine?: string }): string[] {
  const parts = [forged.token, ...forged.token.split('.')];
  if (forged.genuine) parts.push(forged.genuine, ...forged.genuine.split('.'));
  return [CANARY_SECRET, ...parts.filter((p) => p.length >= 16)];
}

async function withClock<T>(recipe: Recipe, run: () => Promise<T>): Promise<T> {
  skewMs = (recipe.useAtSeconds ?? 0) * 1000;
  try {
    return await run();
  } finally {
    skewMs = 0;
  }
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.map((c) => c.file).sort());
});

describe.each(cases.map((c) => [c.file!, c] as const))('%s', (file, c: CorpusCase) => {
  const recipe = JSON.parse(corpusFile(FOLDER, file).toString('utf8')) as Recipe;

  test('the emulator answers 401 with the reason and never quotes the token', async () => {
    const forged = await forge(recipe);
    const res = await withClock(recipe, () => whoAmI(emulator, forged.token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.json.error.message).toContain(String(c.expect.emulator));
    expectNoSecret(res.text + JSON.stringify(res.headers), secretsOf(forged));
    expect((await whoAmI(emulator, await appToken(emulator))).status).toBe(200);
  });

  test('the client refreshes once, then fails with a D365Error naming the reason; nothing secret in it or its events', async () => {
    const forged = await forge(recipe);
    const calls = { getToken: 0, invalidate: 0 };
    const tokens: TokenProvider = {
      getToken: async () => {
        calls.getToken++;
        return { token: forged.token, expiresOnMs: Date.now() + 3_600_000 };
      },
      invalidate: () => void calls.invalidate++,
    };
    const dv = corpusClient(emulator, { tokens });
    try {
      const error = await withClock(recipe, () => failureOf(() => dv.client.whoAmI()));
      expect(error).toBeInstanceOf(D365Error);
      expect((error as D365Error).status).toBe(401);
      expect((error as D365Error).retryable).toBe(false);
      expect(error.message).toContain('refused the access token (HTTP 401) again after a fresh token was fetched');
      expect(error.message).toContain(String(c.expect.emulator));
      expect(calls).toEqual({ getToken: 2, invalidate: 1 });
      expect(dv.requests).toHaveLength(2);
      expectNoSecret(everythingShown(error, dv.events), secretsOf(forged));
    } finally {
      dv.close();
    }
    // The process and the emulator are fine: a client with the real secret gets through.
    const healthy = corpusClient(emulator);
    try {
      expect((await healthy.client.whoAmI()).UserId).toMatch(/^[0-9a-f-]{36}$/);
      expectNoSecret(everythingShown(healthy.events), [CANARY_SECRET]);
    } finally {
      healthy.close();
    }
  });
});

test('a cached token the environment finds expired (its clock ran ahead) is replaced once and the call goes through', async () => {
  const dv = corpusClient(emulator);
  try {
    await dv.client.whoAmI();
    const whoAmIRequests = () => dv.requests.filter((r) => r.url.includes('WhoAmI')).length;
    const before = whoAmIRequests();
    skewMs = 2 * 3600 * 1000;
    const who = await dv.client.whoAmI();
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
    // The first attempt met the 401, the second went out with a token minted on the environment's clock.
    expect(whoAmIRequests() - before).toBe(2);
    expect(dv.events.filter((e) => e.type === 'retry' && /401/.test(String((e as { reason?: string }).reason)))).toHaveLength(1);
    expectNoSecret(everythingShown(dv.events), [CANARY_SECRET]);
  } finally {
    skewMs = 0;
    dv.close();
  }
});
