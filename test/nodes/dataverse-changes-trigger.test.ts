/** The Dataverse Changes Trigger's poll() against the emulator, with the static data n8n would keep between polls. */
import { NodeApiError, NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { DataverseChangesTrigger } from '../../nodes/DataverseChangesTrigger/DataverseChangesTrigger.node';
import { connectFromCredentials, type Connection } from '../../nodes/Dataverse/transport/connection';
import { loadOptionsContext, pollContext, rl, useNodeEmulator, type Params } from '../helpers/n8n-context';

const env = useNodeEmulator();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let conn: Connection;
beforeAll(() => {
  conn = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
});
afterAll(() => conn?.dv.close());
afterEach(() => env.emulator.faults.clear());

const params = (table: string, more: Params = {}): Params => ({
  authentication: 'appRegistration',
  table: rl(table),
  events: ['newOrUpdated', 'deleted'],
  returnColumns: [],
  options: {},
  ...more,
});

function poll(p: Params, staticData: IDataObject, mode: 'manual' | 'trigger' = 'trigger', node = new DataverseChangesTrigger()) {
  return node.poll.call(pollContext(node, p, env.credentials, staticData, mode));
}

const events = (out: INodeExecutionData[][] | null) => (out ? out[0].map((o) => [o.json.changeType, o.json.id]) : null);
const sorted = (list: unknown[][] | null) => (list ?? []).map((e) => e.join(' ')).sort();

describe('polling', () => {
  test('the first poll stores a token and emits nothing; changes since are emitted exactly once; then null', async () => {
    const state: IDataObject = {};
    const p = params('contacts', { returnColumns: ['lastname'] });
    expect(await poll(p, state)).toBeNull();
    expect(state).toEqual({ deltaLink: expect.stringContaining('$deltatoken='), table: 'contacts', environment: expect.stringMatching(/^https:/) });
    const first = state.deltaLink;

    const existing = (await conn.dv.retrieveMultiple('contacts', { select: ['contactid'], top: 2 })).rows.map((r) => String(r.contactid));
    const { id: created } = await conn.dv.create('contacts', { lastname: 'Trigger New' });
    await conn.dv.update('contacts', existing[0], { lastname: 'Trigger Renamed' });
    await conn.dv.delete('contacts', existing[1]);

    const out = await poll(p, state);
    expect(sorted(events(out))).toEqual(sorted([['newOrUpdated', created], ['newOrUpdated', existing[0]], ['deleted', existing[1]]]));
    const renamed = out![0].find((o) => o.json.id === existing[0])!.json;
    expect(renamed).toEqual({ changeType: 'newOrUpdated', id: existing[0], row: expect.objectContaining({ lastname: 'Trigger Renamed' }) });
    expect(out![0].find((o) => o.json.changeType === 'deleted')!.json).toEqual({ changeType: 'deleted', id: existing[1] });
    expect(state.deltaLink).not.toBe(first);

    expect(await poll(p, state)).toBeNull();
  });

  test('the event filter: only deletes, or only new-or-updated', async () => {
    const onlyDeleted: IDataObject = {};
    const onlyUpserts: IDataObject = {};
    await poll(params('leads', { events: ['deleted'] }), onlyDeleted);
    await poll(params('leads', { events: ['newOrUpdated'] }), onlyUpserts);
    const { id: a } = await conn.dv.create('leads', { lastname: 'Filter A', subject: 'A' });
    const { id: b } = await conn.dv.create('leads', { lastname: 'Filter B', subject: 'B' });
    await conn.dv.delete('leads', b);
    expect(events(await poll(params('leads', { events: ['deleted'] }), onlyDeleted))).toEqual([['deleted', b]]);
    expect(events(await poll(params('leads', { events: ['newOrUpdated'] }), onlyUpserts))).toEqual([['newOrUpdated', a]]);
  });

  test('Emit Existing Rows on First Run emits every current row once, paged', async () => {
    const state: IDataObject = {};
    const total = await conn.dv.count('accounts');
    const out = await poll(params('accounts', { returnColumns: ['name'], options: { emitExistingRows: true, pageSize: 2 } }), state);
    expect(out![0]).toHaveLength(total);
    for (const { json } of out![0]) expect(json).toMatchObject({ changeType: 'newOrUpdated', id: expect.stringMatching(GUID), row: { name: expect.any(String) } });
    expect(await poll(params('accounts'), state)).toBeNull();
  });

  test('a restart (a new node instance with the same static data) continues from the token: no repeats, no losses', async () => {
    const state: IDataObject = {};
    const p = params('contacts', { returnColumns: ['lastname'] });
    await poll(p, state);
    const { id: one } = await conn.dv.create('contacts', { lastname: 'Before Restart' });
    expect(events(await poll(p, state))).toEqual([['newOrUpdated', one]]);
    const { id: two } = await conn.dv.create('contacts', { lastname: 'During Restart' });
    const restored = JSON.parse(JSON.stringify(state)) as IDataObject;
    expect(events(await poll(p, restored, 'trigger', new DataverseChangesTrigger()))).toEqual([['newOrUpdated', two]]);
    expect(await poll(p, restored, 'trigger', new DataverseChangesTrigger())).toBeNull();
  });

  test('friendly rows carry formatted values', async () => {
    const state: IDataObject = {};
    const p = params('accounts', { returnColumns: ['name', 'industrycode'], options: { formattedValues: true } });
    await poll(p, state);
    const { id } = await conn.dv.create('accounts', { name: 'Friendly Trigger', industrycode: 1 });
    const out = await poll(p, state);
    expect(out![0][0].json).toMatchObject({ changeType: 'newOrUpdated', id, row: { fields: { name: 'Friendly Trigger' }, formatted: { industrycode: expect.any(String) } } });
  });
});

describe('failures never lose changes', () => {
  test('a poll that fails keeps the old token; the next poll delivers everything', async () => {
    const state: IDataObject = {};
    const p = params('contacts', { returnColumns: ['lastname'] });
    await poll(p, state);
    const before = { ...state };
    const { id: a } = await conn.dv.create('contacts', { lastname: 'Fault A' });
    const { id: b } = await conn.dv.create('contacts', { lastname: 'Fault B' });
    // The delta request is refused twice (the client retries a 401 once with a fresh token), so the poll fails.
    env.emulator.faults.script([{ kind: '401-revoked' }, { kind: '401-revoked' }], { paths: ['/api/data/v9.2/contacts'] });
    await expect(poll(p, state)).rejects.toBeInstanceOf(NodeApiError);
    expect(state).toEqual(before);
    expect(sorted(events(await poll(p, state)))).toEqual(sorted([['newOrUpdated', a], ['newOrUpdated', b]]));
    expect(await poll(p, state)).toBeNull();
  });

  test('a failure on the second page of a paged read stores nothing; the retry reads every page', async () => {
    const state: IDataObject = {};
    const p = params('accounts', { returnColumns: ['name'], options: { emitExistingRows: true, pageSize: 2 } });
    const total = await conn.dv.count('accounts');
    expect(total).toBeGreaterThan(2);
    // First page answered normally (a 1 ms delay), the second page refused twice.
    env.emulator.faults.script([{ kind: 'slow', delayMs: 1 }, { kind: '401-revoked' }, { kind: '401-revoked' }], { paths: ['/api/data/v9.2/accounts'] });
    await expect(poll(p, state)).rejects.toBeInstanceOf(NodeApiError);
    expect(env.emulator.faults.stats().scriptPending).toBe(0);
    expect(state).toEqual({});
    const out = await poll(p, state);
    expect(out![0]).toHaveLength(total);
    expect(typeof state.deltaLink).toBe('string');
  });

  test('an expired or refused token: one warning item, a new full sync, and polling goes on from there', async () => {
    const state: IDataObject = {};
    const p = params('contacts');
    await poll(p, state);
    state.deltaLink = String(state.deltaLink).replace(/\$deltatoken=[^&]+/, '$deltatoken=garbled');
    const out = await poll(p, state);
    expect(out![0]).toHaveLength(1);
    expect(out![0][0].json).toMatchObject({ changeType: 'tokenExpired', table: 'contacts', message: expect.stringMatching(/may be missing.*new full sync/) });
    expect(state.deltaLink).not.toMatch(/garbled/);
    expect(await poll(p, state)).toBeNull();
    const { id } = await conn.dv.create('contacts', { lastname: 'After Resync' });
    expect(events(await poll(p, state))).toEqual([['newOrUpdated', id]]);
  });

  test('a token stored for another table starts over as a first run', async () => {
    const state: IDataObject = {};
    await poll(params('contacts'), state);
    expect(await poll(params('leads'), state)).toBeNull();
    expect(state.table).toBe('leads');
  });
});

describe('manual mode (Fetch Test Event)', () => {
  test('returns the changes since the stored token without touching it', async () => {
    const state: IDataObject = {};
    const p = params('contacts', { returnColumns: ['lastname'] });
    await poll(p, state);
    const saved = JSON.stringify(state);
    const { id } = await conn.dv.create('contacts', { lastname: 'Manual Sample' });
    expect(events(await poll(p, state, 'manual'))).toEqual([['newOrUpdated', id]]);
    expect(JSON.stringify(state)).toBe(saved);
    // The active poll still gets the change.
    expect(events(await poll(p, state))).toEqual([['newOrUpdated', id]]);
  });

  test('without a token (or with no changes) it shows the most recently modified rows and stores nothing', async () => {
    const state: IDataObject = {};
    const out = await poll(params('accounts', { returnColumns: ['name'] }), state, 'manual');
    expect(out![0].length).toBeGreaterThan(0);
    expect(out![0].length).toBeLessThanOrEqual(5);
    for (const { json } of out![0]) expect(json).toMatchObject({ changeType: 'newOrUpdated', id: expect.stringMatching(GUID), row: { name: expect.any(String) } });
    expect(state).toEqual({});
    expect(await poll(params('accounts', { events: ['deleted'] }), state, 'manual')).toBeNull();
  });
});

describe('configuration errors', () => {
  test('a table without change tracking gives a clear error and stores nothing', async () => {
    const state: IDataObject = {};
    const error = await poll(params('businessunits'), state).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/Change tracking is not enabled on the table 'businessunit'.*Track changes/);
    expect(state).toEqual({});
  });

  test('no event chosen', async () => {
    const error = await poll(params('contacts', { events: [] }), {}).catch((e) => e);
    expect(error.message).toMatch(/No event is chosen/);
  });

  test('the table picker lists only tables with change tracking', async () => {
    const node = new DataverseChangesTrigger();
    const ctx = loadOptionsContext(node, { authentication: 'appRegistration' }, env.credentials);
    const { results } = await node.methods.listSearch.searchTrackedTables.call(ctx);
    const values = results.map((r) => r.value);
    expect(values).toEqual(expect.arrayContaining(['accounts', 'contacts', 'leads']));
    expect(values).not.toContain('businessunits');
    const filtered = await node.methods.listSearch.searchTrackedTables.call(ctx, 'contact');
    expect(filtered.results.map((r) => r.value)).toContain('contacts');
  });

  test('the description follows the trigger conventions', () => {
    const { description } = new DataverseChangesTrigger();
    expect(description).toMatchObject({ name: 'dataverseChangesTrigger', polling: true, inputs: [], group: ['trigger'] });
    expect(description.credentials!.map((c) => [c.name, c.testedBy])).toEqual([
      ['dynamics365AppRegistrationApi', 'dynamics365AppRegistrationApiTest'],
      ['dynamics365OAuth2Api', 'dynamics365OAuth2ApiTest'],
    ]);
  });
});
