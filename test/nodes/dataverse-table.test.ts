/** The Dataverse node's Table resource (list tables, columns, choice values) through execute(). */
import type { IDataObject } from 'n8n-workflow';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { loadOptionsContext, rl, runNode, type Params, useNodeEmulator } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params: typeof params === 'function' ? (i) => ({ resource: 'table', ...params(i) }) : { resource: 'table', ...params }, credentials: env.credentials as never, ...extra });

test('list: every table, a search, custom tables only', async () => {
  const all = await run({ operation: 'list' });
  expect(all.length).toBeGreaterThan(10);
  expect(all.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
  const accounts = await run({ operation: 'list', search: 'account' });
  expect(accounts.map((o) => o.json.entitySetName)).toContain('accounts');
  const custom = await run({ operation: 'list', customOnly: true });
  expect(custom.length).toBeGreaterThan(0);
  expect(custom.every((o) => o.json.isCustomEntity === true)).toBe(true);
});

test('getColumns: one item per column with metadata', async () => {
  const out = await run({ operation: 'getColumns', table: rl('accounts') });
  expect(out.find((o) => o.json.logicalName === 'name')?.json).toMatchObject({ table: 'account', attributeType: 'String', requiredLevel: 'ApplicationRequired' });
});

test('getOptionSet: values with labels; errors per item', async () => {
  const cases: Params[] = [
    { table: rl('accounts'), optionSetColumn: 'industrycode' },
    { table: rl('accounts'), optionSetColumn: 'name' },
    { table: rl('accounts'), optionSetColumn: 'nosuchcolumn' },
    { table: rl('accounts'), optionSetColumn: '' },
  ];
  const out = await run((i) => ({ operation: 'getOptionSet', ...cases[i] }), { items: cases.map(() => ({})), continueOnFail: true });
  const values = out.filter((o) => (o.pairedItem as { item: number }).item === 0);
  expect(values).toHaveLength(12);
  expect(values[0].json).toEqual({ table: 'account', column: 'industrycode', value: expect.any(Number), label: expect.any(String) });
  expect(out.slice(12).map((o) => [o.pairedItem, o.json.code])).toEqual([
    [{ item: 1 }, 'NotAChoiceColumn'],
    [{ item: 2 }, 'UnknownColumn'],
    [{ item: 3 }, 'EmptyColumn'],
  ]);
});

test('getChoiceColumns lists only choice columns', async () => {
  const options = await node.methods.loadOptions.getChoiceColumns.call(loadOptionsContext(node, { table: rl('accounts') }, env.credentials as never));
  expect(options.map((o) => o.value)).toContain('industrycode');
  expect(options.map((o) => o.value)).not.toContain('name');
});
