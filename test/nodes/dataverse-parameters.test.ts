/** Parameters without expressions are read once per run; anything holding an expression is read for every item. */
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { itemParameter } from '../../nodes/shared/parameters';

function context(parameters: INode['parameters'], perItem: (name: string, i: number) => unknown) {
  const calls: string[] = [];
  const ctx = {
    getNode: () => ({ parameters }),
    getNodeParameter: (name: string, i: number) => {
      calls.push(`${name}@${i}`);
      return perItem(name, i);
    },
  } as unknown as IExecuteFunctions;
  return { ctx, calls };
}

test('a constant parameter is asked for once; its value is reused for every item', () => {
  const { ctx, calls } = context({ options: { batchSize: 10 }, table: { __rl: true, mode: 'id', value: 'accounts' } }, (name) => (name === 'options' ? { batchSize: 10 } : 'accounts'));
  for (let i = 0; i < 5; i++) {
    expect(itemParameter(ctx, 'options', i, {})).toEqual({ batchSize: 10 });
    expect(itemParameter(ctx, 'table', i, '', { extractValue: true })).toBe('accounts');
  }
  expect(calls).toEqual(['options@0', 'table@0']);
});

test('an expression anywhere inside a parameter, or a parameter left at its default, is read per item', () => {
  const { ctx, calls } = context({ table: { __rl: true, mode: 'id', value: '={{ $json.table }}' }, columns: { value: { name: '={{ $json.name }}' } } }, (name, i) => `${name}-${i}`);
  expect([0, 1, 2].map((i) => itemParameter(ctx, 'table', i, ''))).toEqual(['table-0', 'table-1', 'table-2']);
  expect([0, 1].map((i) => itemParameter(ctx, 'columns', i, {}))).toEqual(['columns-0', 'columns-1']);
  expect([0, 1].map((i) => itemParameter(ctx, 'options', i, {}))).toEqual(['options-0', 'options-1']);
  expect(calls).toHaveLength(7);
});
