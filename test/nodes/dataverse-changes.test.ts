/** The Dataverse node's Changes resource run through execute() against the emulator, as a scheduled sync would. */
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { connectFromCredentials, type Connection } from '../../nodes/Dataverse/transport/connection';
import { rl, runNode, useNodeEmulator, type Params } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let conn: Connection;
beforeAll(() => {
  conn = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
});
afterAll(() => conn?.dv.close());

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params, credentials: env.credentials as never, ...extra });

const changes = (table: string, deltaToken: string, more: Params = {}) =>
  run({ resource: 'changes', operation: 'get', table: rl(table), deltaToken, returnColumns: [], options: {}, ...more });

function lastToken(out: { json: IDataObject }[]): string {
  const token = out[out.length - 1].json.nextDeltaToken;
  expect(typeof token).toBe('string');
  return token as string;
}

/** The `$deltatoken` value of a link, still percent-encoded as it appears in the link. */
const bareToken = (link: string) => /[?&]\$deltatoken=([^&]+)/.exec(link)![1];

describe('sync with a delta token', () => {
  test('first run (no token) returns every row, the same token on every item, paged without a cap', async () => {
    const total = await conn.dv.count('accounts');
    const out = await changes('accounts', '', { returnColumns: ['name'], options: { pageSize: 2 } });
    expect(out).toHaveLength(total);
    const token = lastToken(out);
    expect(token).toContain('$deltatoken=');
    for (const { json, pairedItem } of out) {
      expect(json).toMatchObject({ changeType: 'newOrUpdated', id: expect.stringMatching(GUID), nextDeltaToken: token });
      expect(json.id).toBe((json.row as IDataObject).accountid);
      expect(typeof (json.row as IDataObject).name).toBe('string');
      expect(pairedItem).toEqual({ item: 0 });
    }
  });

  test('the next run with the saved token returns exactly the creates, updates and deletes since; then { changes: 0 }', async () => {
    const initial = await changes('contacts', '');
    const token = lastToken(initial);
    const existing = initial.map((o) => String(o.json.id));
    expect(existing.length).toBeGreaterThanOrEqual(2);

    const { id: created } = await conn.dv.create('contacts', { lastname: 'Tracked New' });
    await conn.dv.update('contacts', existing[0], { lastname: 'Tracked Renamed' });
    await conn.dv.delete('contacts', existing[1]);

    const delta = await changes('contacts', token, { returnColumns: ['lastname'] });
    const next = lastToken(delta);
    expect(next).not.toBe(token);
    const upserts = delta.filter((o) => o.json.changeType === 'newOrUpdated');
    expect(upserts.map((o) => o.json.id).sort()).toEqual([created, existing[0]].sort());
    expect(upserts.find((o) => o.json.id === existing[0])?.json.row).toMatchObject({ lastname: 'Tracked Renamed' });
    expect(delta.filter((o) => o.json.changeType === 'deleted').map((o) => o.json)).toEqual([{ changeType: 'deleted', id: existing[1], nextDeltaToken: next }]);
    expect(delta).toHaveLength(3);
    expect(delta.every((o) => o.json.nextDeltaToken === next)).toBe(true);

    const quiet = await changes('contacts', next);
    expect(quiet).toHaveLength(1);
    expect(quiet[0].json).toEqual({ changes: 0, nextDeltaToken: expect.stringContaining('$deltatoken=') });
    expect(quiet[0].pairedItem).toEqual({ item: 0 });
  });

  test('the bare $deltatoken value works too, encoded as in the link or decoded', async () => {
    const token = lastToken(await changes('leads', ''));
    const { id } = await conn.dv.create('leads', { lastname: 'Bare Token Lead', subject: 'Bare' });
    const encoded = bareToken(token);
    for (const value of [encoded, decodeURIComponent(encoded), `$deltatoken=${encoded}`]) {
      const out = await changes('leads', value, { returnColumns: ['lastname'] });
      expect(out.map((o) => [o.json.changeType, o.json.id])).toEqual([['newOrUpdated', id]]);
      expect(lastToken(out)).toContain('$deltatoken=');
    }
  });

  test('friendly rows carry formatted values; the columns apply even with a token made for other columns', async () => {
    const token = lastToken(await changes('accounts', '', { returnColumns: ['name'] }));
    const { id } = await conn.dv.create('accounts', { name: 'Friendly Change', industrycode: 1 });
    const [out] = await changes('accounts', token, { returnColumns: ['name', 'industrycode'], options: { formattedValues: true } });
    expect(out.json).toMatchObject({ changeType: 'newOrUpdated', id, row: { fields: { name: 'Friendly Change', industrycode: 1 }, formatted: { industrycode: expect.any(String) } } });
  });
});

describe('bad input: a specific error on its own item', () => {
  test('untracked table, garbled token, other host, other table; the good item still syncs with continueOnFail', async () => {
    const good = lastToken(await changes('accounts', ''));
    const host = good.replace(/^https:\/\/[^/]+/, 'https://contoso.crm.dynamics.com');
    const cases: Params[] = [
      { table: rl('businessunits'), deltaToken: '' },
      { table: rl('accounts'), deltaToken: 'not-a-real-token' },
      { table: rl('accounts'), deltaToken: host },
      { table: rl('contacts'), deltaToken: good },
      { table: rl('accounts'), deltaToken: `${good.split('?')[0]}?$select=name` },
      { table: rl('accounts'), deltaToken: good },
    ];
    const out = await run((i) => ({ resource: 'changes', operation: 'get', returnColumns: [], options: {}, ...cases[i] }), {
      items: cases.map(() => ({})),
      continueOnFail: true,
    });
    expect(out.map((o) => [(o.pairedItem as { item: number }).item, o.json.code])).toEqual([
      [0, '0x80072491'],
      [1, '0x0'],
      [2, 'DeltaTokenOriginMismatch'],
      [3, 'DeltaTokenTableMismatch'],
      [4, 'InvalidDeltaToken'],
      [5, undefined],
    ]);
    expect(out[0].json.error).toMatch(/Change tracking must be enabled on the table 'businessunit'/);
    expect(out[1].json.error).toMatch(/refused the Delta Token.*Clear the Delta Token/);
    expect(out[2].json.error).toContain('https://contoso.crm.dynamics.com');
    expect(out[3].json.error).toContain("'accounts'");
    expect(out[5].json).toEqual({ changes: 0, nextDeltaToken: expect.stringContaining('$deltatoken=') });
  });

  test('without continueOnFail the error is thrown for its item', async () => {
    const untracked = await changes('businessunits', '').catch((e) => e);
    expect(untracked).toBeInstanceOf(NodeApiError);
    expect(untracked.message).toMatch(/Change tracking must be enabled/);
    const bad = await changes('accounts', 'https://other.example/api/data/v9.2/accounts?$deltatoken=1').catch((e) => e);
    expect(bad).toBeInstanceOf(NodeOperationError);
    expect(bad.context.itemIndex).toBe(0);
  });
});
