/** The Batch resource and the Batch Size option of create/update/upsert, run through execute() against the emulator. */
import type { IDataObject } from 'n8n-workflow';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { rl, runNode, useNodeEmulator, type Params } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params, credentials: env.credentials as never, ...extra });
const items = (n: number) => Array.from({ length: n }, () => ({}));
const columns = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });

/** $batch requests sent while `work` runs. */
async function countBatches<T>(work: () => Promise<T>): Promise<{ result: T; batches: number }> {
  const spy = jest.spyOn(jest.requireActual<typeof import('node:https')>('node:https'), 'request');
  try {
    const result = await work();
    const batches = spy.mock.calls.filter(([url]) => String(url).includes('$batch')).length;
    return { result, batches };
  } finally {
    spy.mockRestore();
  }
}

const accountNames = () => [...env.emulator.service.store.rows('account').values()].map((r) => String(r.name));

describe('Batch Size on create / update / upsert', () => {
  test('25 creates in batches of 10: 3 $batch requests, every output paired with its item in order', async () => {
    const { result: out, batches } = await countBatches(() =>
      run((i) => ({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: `Batched ${i}`, numberofemployees: String(i) }), options: { batchSize: 10 } }), { items: items(25) }),
    );
    expect(batches).toBe(3);
    expect(out).toHaveLength(25);
    out.forEach((o, i) => {
      expect(o.pairedItem).toEqual({ item: i });
      expect(o.json).toMatchObject({ name: `Batched ${i}`, numberofemployees: i });
      expect(o.json.accountid).toMatch(GUID);
    });
    expect(accountNames().filter((n) => n.startsWith('Batched ')).length).toBe(25);
  });

  test('update in batches: a missing row fails its own item with Continue On Fail, the others are updated', async () => {
    const created = await run((i) => ({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: `To update ${i}` }), options: { batchSize: 5, returnRepresentation: false } }), { items: items(3) });
    const ids = created.map((o) => String(o.json.id));
    ids.splice(1, 0, '00000000-0000-0000-0000-0000000000aa');
    const out = await run(
      (i) => ({ resource: 'row', operation: 'update', table: rl('accounts'), rowId: rl(ids[i]), columns: columns({ name: `Updated ${i}` }), options: { batchSize: 4, returnRepresentation: false } }),
      { items: items(4), continueOnFail: true },
    );
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
    expect(out[1].json.error).toMatch(/not found|does not exist/i);
    expect(out[1].json.code).toBeDefined();
    expect([out[0].json, out[2].json, out[3].json]).toEqual([
      { id: ids[0], updated: true },
      { id: ids[2], updated: true },
      { id: ids[3], updated: true },
    ]);
    expect(accountNames()).toEqual(expect.arrayContaining(['Updated 0', 'Updated 2', 'Updated 3']));
  });

  test('an invalid item without Continue On Fail stops the run before anything is written', async () => {
    const before = accountNames().length;
    await expect(
      run((i) => ({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns(i === 2 ? { nosuchcolumn: 1 } : { name: `Never ${i}` }), options: { batchSize: 10 } }), { items: items(4) }),
    ).rejects.toThrow(/nosuchcolumn/);
    expect(accountNames().length).toBe(before);
  });

  test('upsert by id in batches creates then updates the same rows', async () => {
    const ids = ['6a1b0000-0000-4000-8000-000000000001', '6a1b0000-0000-4000-8000-000000000002'];
    const params = (name: string) => (i: number) => ({ resource: 'row', operation: 'upsert', table: rl('accounts'), keyType: 'id', rowId: rl(ids[i]), columns: columns({ name: `${name} ${i}` }), options: { batchSize: 2 } });
    await run(params('Upserted'), { items: items(2) });
    const again = await run(params('Upserted again'), { items: items(2) });
    expect(again.map((o) => o.json.name)).toEqual(['Upserted again 0', 'Upserted again 1']);
    expect(env.emulator.service.store.rows('account').get(ids[1])?.name).toBe('Upserted again 1');
  });
});

describe('Batch resource', () => {
  const batch = (mode: string, perItem: (i: number) => Params, options: IDataObject = {}) => (i: number) => ({
    resource: 'batch',
    operation: 'send',
    mode,
    options,
    ...perItem(i),
  });

  test('continue on error: mixed operations on two tables, each answer on its item, a failure on its own item', async () => {
    const [seed] = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: 'Batch seed' }), options: {} });
    const id = String(seed.json.accountid);
    const plan: Params[] = [
      { requestType: 'create', table: rl('contacts'), data: JSON.stringify({ lastname: 'From batch' }) },
      { requestType: 'update', table: rl('accounts'), rowId: rl(id), data: { name: 'Batch seed renamed' } },
      { requestType: 'get', table: rl('accounts'), rowId: rl('00000000-0000-0000-0000-0000000000bb') },
      { requestType: 'get', table: rl('accounts'), rowId: rl(id) },
      { requestType: 'delete', table: rl('accounts'), rowId: rl(id) },
    ];
    const out = await run(batch('continueOnError', (i) => plan[i], { returnRepresentation: true }), { items: items(plan.length), continueOnFail: true });
    expect(out.map((o) => o.pairedItem)).toEqual(plan.map((_, item) => ({ item })));
    expect(out[0].json).toMatchObject({ lastname: 'From batch' });
    expect(out[1].json).toMatchObject({ name: 'Batch seed renamed' });
    expect(out[2].json.error).toMatch(/not found|does not exist/i);
    expect(out[3].json).toMatchObject({ accountid: id, name: 'Batch seed renamed' });
    expect(out[4].json).toEqual({ id, deleted: true });
    expect(env.emulator.service.store.rows('account').has(id)).toBe(false);
  });

  test('all or nothing: one failing write keeps none of them, and every item says why', async () => {
    const before = accountNames().length;
    const plan: Params[] = [
      { requestType: 'create', table: rl('accounts'), data: { name: 'Atomic 1' } },
      { requestType: 'update', table: rl('accounts'), rowId: rl('00000000-0000-0000-0000-0000000000cc'), data: { name: 'Missing' } },
      { requestType: 'create', table: rl('accounts'), data: { name: 'Atomic 3' } },
    ];
    const out = await run(batch('atomic', (i) => plan[i]), { items: items(3), continueOnFail: true });
    expect(out.every((o) => typeof o.json.error === 'string')).toBe(true);
    expect(out[1].json.error).toMatch(/not found|does not exist/i);
    expect(out[0].json.error).toMatch(/roll/i);
    expect(accountNames().length).toBe(before);
  });

  test('all or nothing succeeds as one change set; a Get in it is refused before anything is sent', async () => {
    const ok = await run(batch('atomic', (i) => ({ requestType: 'create', table: rl('accounts'), data: { name: `Atomic ok ${i}` } }), { returnRepresentation: false }), { items: items(3) });
    expect(ok.every((o) => GUID.test(String(o.json.id)))).toBe(true);
    const before = accountNames().length;
    const out = await run(
      batch('atomic', (i) => (i === 1 ? { requestType: 'get', table: rl('accounts'), rowId: rl(String(ok[0].json.id)) } : { requestType: 'create', table: rl('accounts'), data: { name: 'Not sent' } })),
      { items: items(3), continueOnFail: true },
    );
    expect(out[1].json.code).toBe('ReadInChangeSet');
    expect(out[0].json.code).toBe('NotSent');
    expect(accountNames().length).toBe(before);
  });

  test('stop at first error: operations after the failed one are not run', async () => {
    const plan: Params[] = [
      { requestType: 'create', table: rl('accounts'), data: { name: 'Stop 1' } },
      { requestType: 'delete', table: rl('accounts'), rowId: rl('00000000-0000-0000-0000-0000000000dd') },
      { requestType: 'create', table: rl('accounts'), data: { name: 'Stop 3' } },
    ];
    const out = await run(batch('stopOnError', (i) => plan[i]), { items: items(3), continueOnFail: true });
    // Dataverse leaves the answers before the failure out of a stopped batch; the item still says it was applied.
    expect(out[0].json).toMatchObject({ applied: true });
    expect(out[1].json.error).toMatch(/does not exist/i);
    expect(out[2].json.error).toMatch(/not executed|not run/i);
    expect(accountNames()).toContain('Stop 1');
    expect(accountNames()).not.toContain('Stop 3');
  });

  test('bad input on one item: invalid JSON, wrong column type, unknown request type; the others still run', async () => {
    const plan: Params[] = [
      { requestType: 'create', table: rl('accounts'), data: '{not json' },
      { requestType: 'create', table: rl('accounts'), data: { numberofemployees: 'many' } },
      { requestType: 'merge', table: rl('accounts') },
      { requestType: 'create', table: rl('accounts'), data: { name: 'Survivor' } },
    ];
    const out = await run(batch('continueOnError', (i) => plan[i]), { items: items(4), continueOnFail: true });
    expect(out.map((o) => o.json.code)).toEqual(['InvalidJson', 'InvalidColumnValue', 'InvalidRequestType', undefined]);
    expect(out[3].json).toMatchObject({ name: 'Survivor' });
  });

  test('more than 1,000 items cannot be all or nothing', async () => {
    const out = await run(batch('atomic', () => ({ requestType: 'create', table: rl('accounts'), data: {} })), { items: items(1001), continueOnFail: true });
    expect(out).toHaveLength(1001);
    expect(out[0].json.code).toBe('ChangeSetTooLarge');
  });
});
