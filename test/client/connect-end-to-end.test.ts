/**
 * The assembled client (auth + pipeline + Web API) against the emulator, through the faults a real environment
 * produces: every 429 kind, 502/503/504, a reset mid-body, a token expiring mid-run and a revoked token.
 */
import { connectDataverse, type ClientEvent, type DataverseConnection } from '../../client';
import { clearSharedTokenCaches } from '../../client/auth';
import { createRequest, upsertRequest } from '../../client/dataverse';
import { toBatchOperation } from '../../client/dataverse/batch-requests';
import { startEmulator, type RunningEmulator } from '../../emulator';

let emulator: RunningEmulator;
let events: ClientEvent[];
let client: DataverseConnection;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off', tokenLifetimeSeconds: 4 });
});
afterAll(() => emulator.stop());

beforeEach(() => {
  clearSharedTokenCaches();
  events = [];
  client = connectDataverse({
    environmentUrl: emulator.dataverseUrl,
    credentials: {
      kind: 'secret', clientSecret: emulator.clientSecret, clientId: emulator.clientId,
      authorityUrl: emulator.authorityUrl, refreshMarginMs: 1500,
    },
    ca: emulator.caCertPem,
    events: (e) => events.push(e),
    retry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 10 },
  });
});
afterEach(() => client.close());

async function allAccountNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const row of client.iterateRows('accounts', { select: ['name'], orderBy: ['name'] }, { pageSize: 5 })) names.push(String(row.name));
  return names;
}

test('reads every page correctly through each injected fault, retrying only what is safe', async () => {
  const expected = await allAccountNames();
  expect(expected.length).toBeGreaterThanOrEqual(24);
  emulator.faults.script([
    { kind: '429-requests', retryAfterSeconds: 1 },
    { kind: '429-time', retryAfterSeconds: 1 },
    { kind: '429-concurrency', retryAfterSeconds: 1 },
    { kind: '503' },
    { kind: '502' },
    { kind: '504' },
    { kind: 'reset', afterBytes: 20 },
  ]);
  events = [];
  const started = Date.now();
  expect(await allAccountNames()).toEqual(expected);
  expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  const throttles = events.filter((e) => e.type === 'throttle').map((e) => (e as { limit: string }).limit);
  expect(throttles).toEqual(['dataverse-requests', 'dataverse-execution-time', 'dataverse-concurrency']);
  const retries = events.filter((e) => e.type === 'retry');
  expect(retries.length).toBeGreaterThanOrEqual(7);
});

test('a create is not repeated after a 503 (its outcome is unknown) and the error says so', async () => {
  emulator.faults.script([{ kind: '503' }], { methods: ['POST'] });
  const before = emulator.service.store.rows('account').size;
  await expect(client.create('accounts', { name: 'Maybe created' })).rejects.toMatchObject({ retryable: false });
  expect(emulator.service.store.rows('account').size).toBe(before);
});

test('a $batch of keyed upserts is resent after a 503 and a reset (repeating it is harmless); one with a create is not', async () => {
  const ids = ['0a0a0a0a-0000-4000-8000-000000000001', '0a0a0a0a-0000-4000-8000-000000000002'];
  const upserts = ids.map((id, n) => toBatchOperation(upsertRequest('accounts', id, { name: `Upserted ${n}` })));
  emulator.faults.script([{ kind: '503' }, { kind: 'reset', afterBytes: 10 }], { methods: ['POST'] });
  const results = await client.executeBatch(upserts);
  expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
  expect(events.filter((e) => e.type === 'retry').length).toBeGreaterThanOrEqual(2);
  for (const [n, id] of ids.entries()) expect(emulator.service.store.get('account', id)).toMatchObject({ name: `Upserted ${n}` });

  const before = emulator.service.store.rows('account').size;
  emulator.faults.script([{ kind: '503' }], { methods: ['POST'] });
  const mixed = await client.executeBatch([upserts[0], toBatchOperation(createRequest('accounts', { name: 'Maybe created in a batch' }))]);
  expect(mixed.map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
  expect(emulator.service.store.rows('account').size).toBe(before);
});

test('a token expiring mid-run is refreshed ahead of time, and a revoked one is replaced once after a 401', async () => {
  await client.whoAmI();
  // Calls keep coming until the token is renewed (4 s lifetime); the first renewal must come before it expires.
  const renewals = () => events.filter((e) => e.type === 'refresh' && (e as { reason: string }).reason !== 'initial');
  for (const deadline = Date.now() + 8000; renewals().length === 0 && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    await client.whoAmI();
  }
  expect(renewals().map((e) => (e as { reason: string }).reason)[0]).toBe('proactive');
  emulator.entra.revokeTokensFor(emulator.identity.applicationUserId);
  events = [];
  const me = await client.whoAmI();
  expect(me.UserId).toBe(emulator.identity.applicationUserId);
  const after = events.filter((e) => e.type === 'refresh').map((e) => (e as { reason: string }).reason);
  expect(after).toEqual(['unauthorized']);
});

test('no token or secret appears in any event or error of a failing flow', async () => {
  emulator.faults.script([{ kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: '503' }]);
  const error = await client.retrieve('accounts', '00000000-0000-0000-0000-000000000001').catch((e) => e);
  const bad = connectDataverse({
    environmentUrl: emulator.dataverseUrl,
    credentials: { kind: 'secret', clientSecret: `${emulator.clientSecret}-wrong`, clientId: emulator.clientId, authorityUrl: emulator.authorityUrl },
    ca: emulator.caCertPem,
    events: (e) => events.push(e),
  });
  const authError = await bad.whoAmI().catch((e) => e);
  bad.close();
  const token = await (await import('../helpers/emulator')).appToken(emulator);
  const captured = JSON.stringify(events) + String(error) + String(error.stack) + JSON.stringify(error) + String(authError) + String(authError.stack) + JSON.stringify(authError);
  expect(authError.code).toBe('AADSTS7000215');
  expect(captured).not.toContain(emulator.clientSecret);
  expect(captured).not.toContain(token.split('.')[2]);
  expect(captured).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
});

test('bad input gets a specific error naming what is wrong', async () => {
  await expect(client.retrieveMultiple('acounts', { select: ['name'] })).rejects.toMatchObject({
    status: 404, code: '0x8006088a', message: expect.stringContaining("Resource not found for the segment 'acounts'"),
  });
  await expect(client.retrieveMultiple('accounts', { select: ['nmae'] })).rejects.toMatchObject({
    status: 400, message: expect.stringContaining("Could not find a property named 'nmae'"),
  });
  await expect(client.create('accounts', { name: 42 })).rejects.toMatchObject({
    status: 400, message: expect.stringContaining("Cannot convert the literal '42' to the expected type 'Edm.String'"),
  });
  await expect(client.retrieveMultiple('accounts', { select: ['name'], filter: "name eq 'x' or 1 eq 1 or name eq '" })).rejects.toMatchObject({ status: 400 });
  await expect(client.retrieveMultiple('accounts', { select: ['name; drop'] })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('name; drop') });
});
