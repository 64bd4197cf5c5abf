import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { upsertRequest, type UpsertMode, type UpsertOptions, type WriteResult } from '../../../../client/dataverse/crud';
import { batchedWrites } from './batched-writes';
import { InputError } from '../../helpers/errors';
import { buildBody, coerceValue, writableFields, type ValueKind } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { itemParameter } from '../../../shared/parameters';
import { callHeaders, mappedValues, outputRow, rowIdParameter, tableParameter } from '../helpers';
import { columnsMapper, optionsCollection, rowLocator, tableLocator, columnPicker } from '../common.descriptions';

const show = { show: { resource: ['row'], operation: ['upsert'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  {
    displayName: 'Match By',
    name: 'keyType',
    type: 'options',
    default: 'id',
    options: [
      { name: 'Row ID', value: 'id' },
      { name: 'Alternate Key', value: 'alternateKey', description: 'Values of the columns of an alternate key' },
    ],
    displayOptions: show,
  },
  { ...rowLocator(), displayOptions: { show: { resource: ['row'], operation: ['upsert'], keyType: ['id'] } } },
  {
    displayName: 'Key Columns',
    name: 'keyColumns',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add key column',
    default: {},
    displayOptions: { show: { resource: ['row'], operation: ['upsert'], keyType: ['alternateKey'] } },
    options: [
      {
        displayName: 'Key Column',
        name: 'key',
        values: [
          columnPicker(),
          { displayName: 'Value', name: 'value', type: 'string', default: '' },
        ],
      },
    ],
  },
  { ...columnsMapper(['upsert']), displayOptions: show },
  optionsCollection(
    'upsert',
    ['batchSize', 'returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection'],
    [
      {
        displayName: 'Behavior',
        name: 'mode',
        type: 'options',
        default: 'upsert',
        options: [
          { name: 'Create or Update', value: 'upsert' },
          { name: 'Create Only', value: 'createOnly', description: 'Fail if the row exists (If-None-Match: *)' },
          { name: 'Update Only', value: 'updateOnly', description: 'Fail if the row does not exist (If-Match: *)' },
        ],
      },
    ],
  ),
];

const KEY_KINDS: Record<string, ValueKind> = { Integer: 'integer', BigInt: 'integer', Picklist: 'choice', Decimal: 'number', Double: 'number', Money: 'number', DateTime: 'dateTime', Uniqueidentifier: 'guid' };

async function alternateKey(ctx: IExecuteFunctions, conn: Connection, logicalName: string, i: number): Promise<Record<string, unknown>> {
  const keys = (ctx.getNodeParameter('keyColumns.key', i, []) as Array<{ column?: string; value?: unknown }>) ?? [];
  if (keys.length === 0) throw new InputError('Add at least one key column (the columns of an alternate key of the table).', 'EmptyKey');
  const columns = new Map((await conn.metadata.getColumns(logicalName)).map((c) => [c.logicalName, c]));
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const name = String(k.column ?? '').trim();
    const column = columns.get(name);
    if (!column) throw new InputError(`The key column '${name}' does not exist on table '${logicalName}'.`, 'UnknownColumn');
    if (k.value === undefined || k.value === null || k.value === '') {
      throw new InputError(`The key column '${name}' has an empty value (did an expression resolve to nothing?).`, 'EmptyValue');
    }
    const kind = KEY_KINDS[column.attributeType] ?? 'string';
    key[name] = coerceValue({ id: name, column: name, displayName: name, kind, required: true }, k.value);
  }
  return key;
}

async function prepare(ctx: IExecuteFunctions, conn: Connection, i: number) {
  const table = await tableParameter(ctx, conn, i);
  const keyType = itemParameter<string>(ctx, 'keyType', i, 'id');
  const key = keyType === 'alternateKey' ? await alternateKey(ctx, conn, table.logicalName, i) : rowIdParameter(ctx, i);
  const options = itemParameter<IDataObject>(ctx, 'options', i, {});
  const mode = (options.mode as UpsertMode | undefined) ?? 'upsert';
  // Update-time validity is the common ground: an upsert may do either, and create-only columns are rare.
  const fields = await writableFields(conn, table, mode === 'updateOnly' ? 'update' : 'create');
  const body = buildBody(table, fields, mappedValues(ctx, i), 'update');
  const returnRepresentation = options.returnRepresentation !== false;
  const friendly = options.formattedValues === true;
  const call: UpsertOptions = { mode, returnRepresentation, annotations: friendly ? true : undefined, extraHeaders: callHeaders(options) };
  const output = (result: WriteResult): IDataObject[] =>
    returnRepresentation && result.row
      ? [outputRow(result.row, friendly)]
      : [{ id: result.id ?? (typeof key === 'string' ? key : null), entityUrl: result.entityUrl ?? null }];
  return { set: table.entitySetName, key, body, call, output };
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const { set, key, body, call, output } = await prepare(this, conn, i);
  return output(await conn.dv.upsert(set, key, body, call));
}

export const { executeAll, handlesAllItems } = batchedWrites(async (ctx, conn, i) => {
  const { set, key, body, call, output } = await prepare(ctx, conn, i);
  return { set, spec: upsertRequest(set, key, body, call), output };
});
