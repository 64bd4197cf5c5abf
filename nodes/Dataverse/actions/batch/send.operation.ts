/**
 * Every input item becomes one operation (create, update, upsert, delete or get, on any table) of `$batch`
 * requests, and every answer goes back to its item. "All or nothing" puts the writes in one change set, which
 * Dataverse applies entirely or not at all; the other modes send batches of up to 1,000 operations.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { toBatchOperation, writeResultOfBatch } from '../../../../client/dataverse/batch-requests';
import type { BatchResult } from '../../../../client/dataverse/batch-types';
import type { RequestSpec } from '../../../../client/dataverse/context';
import { createRequest, deleteRequest, retrieveRequest, updateRequest, upsertRequest } from '../../../../client/dataverse/crud';
import { InputError } from '../../helpers/errors';
import { jsonObjectInput } from '../../helpers/json-input';
import { buildBody, writableFields } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';
import { callHeaders, outputRow, rowIdParameter, tableParameter } from '../helpers';
import { optionsCollection, rowLocator, tableLocator } from '../common.descriptions';
import type { ItemResult } from '../operation';
import { MAX_BATCH_SIZE } from '../row/batched-writes';

const show = { show: { resource: ['batch'], operation: ['send'] } };
const WRITES = ['create', 'update', 'upsert'];
const WITH_ROW = ['update', 'upsert', 'delete', 'get'];

export const description: INodeProperties[] = [
  {
    displayName: 'Mode',
    name: 'mode',
    type: 'options',
    noDataExpression: true,
    default: 'continueOnError',
    options: [
      {
        name: 'All or Nothing (Change Set)',
        value: 'atomic',
        description: 'If any write fails, none of them is kept (up to 1,000 writes; no Get)',
      },
      { name: 'Continue on Error', value: 'continueOnError', description: 'Every operation runs; failures are reported on their items' },
      { name: 'Stop at First Error', value: 'stopOnError', description: 'Operations after a failed one are not run' },
    ],
    displayOptions: show,
  },
  {
    displayName: 'Request Type',
    name: 'requestType',
    type: 'options',
    default: 'create',
    description: 'What each item does; an expression can choose per item (create, update, upsert, delete, get)',
    options: [
      { name: 'Create', value: 'create' },
      { name: 'Delete', value: 'delete' },
      { name: 'Get', value: 'get' },
      { name: 'Update', value: 'update' },
      { name: 'Upsert', value: 'upsert' },
    ],
    displayOptions: show,
  },
  { ...tableLocator, displayOptions: show },
  { ...rowLocator(), required: false, description: 'The row (for update, upsert, delete and get)', displayOptions: { show: { ...show.show, requestType: WITH_ROW } } },
  {
    displayName: 'Column Values (JSON)',
    name: 'data',
    type: 'json',
    default: '{}',
    description: 'The columns to write, by logical name (a lookup as <table>:<id> or <entityset>(<id>)); values are typed from the table metadata',
    displayOptions: { show: { ...show.show, requestType: WRITES } },
  },
  optionsCollection(
    'send',
    ['returnRepresentation', 'formattedValues', 'callerObjectId', 'bypassCustomPluginExecution', 'suppressDuplicateDetection'],
    [
      {
        displayName: 'Operations per Request',
        name: 'batchSize',
        type: 'number',
        typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
        default: 100,
        description: 'How many operations go in one $batch request (up to 1,000). All or Nothing always sends one.',
      },
    ],
    'batch',
  ),
];

interface Planned {
  item: number;
  requestType: string;
  set: string;
  id?: string;
  spec: RequestSpec;
}

function columnValues(ctx: IExecuteFunctions, i: number): Record<string, unknown> {
  return jsonObjectInput(ctx.getNodeParameter('data', i, '{}'), 'Column Values', 'InvalidJson', 'column names and values');
}

async function plan(ctx: IExecuteFunctions, conn: Connection, i: number, atomic: boolean): Promise<Planned> {
  const requestType = String(ctx.getNodeParameter('requestType', i, 'create'));
  if (![...WRITES, 'delete', 'get'].includes(requestType)) {
    throw new InputError(`The request type '${requestType}' is not one of create, update, upsert, delete, get.`, 'InvalidRequestType');
  }
  if (atomic && requestType === 'get') throw new InputError('A Get cannot be part of an All or Nothing batch (a change set holds only writes).', 'ReadInChangeSet');
  const table = await tableParameter(ctx, conn, i);
  const set = table.entitySetName;
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  const friendly = options.formattedValues === true;
  const base = { extraHeaders: callHeaders(options), annotations: friendly ? (true as const) : undefined };
  const represent = { ...base, returnRepresentation: options.returnRepresentation !== false };
  const id = WITH_ROW.includes(requestType) ? rowIdParameter(ctx, i) : undefined;
  const body = WRITES.includes(requestType)
    ? buildBody(table, await writableFields(conn, table, requestType === 'update' ? 'update' : 'create'), columnValues(ctx, i), requestType === 'create' ? 'create' : 'update')
    : {};
  const spec =
    requestType === 'create' ? createRequest(set, body, represent)
    : requestType === 'update' ? updateRequest(set, id as string, body, represent)
    : requestType === 'upsert' ? upsertRequest(set, id as string, body, represent)
    : requestType === 'delete' ? deleteRequest(set, id as string, base)
    : retrieveRequest(set, id as string, base);
  return { item: i, requestType, set, id, spec };
}

function output(p: Planned, answer: BatchResult, friendly: boolean): IDataObject[] {
  // A batch that stopped at a failure leaves the answers of the operations before it out; they were applied.
  if (answer.status === 0) return [{ applied: true, id: p.id ?? null, note: 'Applied; Dataverse left its answer out of the stopped batch.' }];
  if (p.requestType === 'delete') return [{ id: p.id ?? null, deleted: true }];
  if (p.requestType === 'get') return [outputRow((answer.body ?? {}) as Record<string, unknown>, friendly)];
  const result = writeResultOfBatch(p.set, answer);
  return result.row ? [outputRow(result.row, friendly)] : [{ id: result.id ?? p.id ?? null, entityUrl: result.entityUrl ?? null }];
}

export async function executeAll(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]> {
  const mode = this.getNodeParameter('mode', 0, 'continueOnError') as string;
  const atomic = mode === 'atomic';
  if (atomic && itemCount > MAX_BATCH_SIZE) {
    const error = new InputError(
      `All or Nothing holds at most ${MAX_BATCH_SIZE} operations (Dataverse's change set limit), and this run has ${itemCount} items. Split the input (Loop Over Items) or choose Continue on Error.`,
      'ChangeSetTooLarge',
    );
    return Array.from({ length: itemCount }, (_, item) => ({ item, error }));
  }
  const results: ItemResult[] = [];
  const planned: Planned[] = [];
  for (let i = 0; i < itemCount; i++) {
    try {
      planned.push(await plan(this, conn, i, atomic));
    } catch (error) {
      results.push({ item: i, error });
    }
  }
  // All or nothing means nothing is sent when any item cannot even be turned into a request.
  if (results.length > 0 && (atomic || !this.continueOnFail())) {
    const reason = new InputError(`Not sent: item ${results[0].item} is invalid, and ${atomic ? 'All or Nothing' : 'without Continue On Fail the node'} sends nothing then.`, 'NotSent');
    return [...results, ...planned.map((p) => ({ item: p.item, error: reason }))].sort((a, b) => a.item - b.item);
  }
  const options = this.getNodeParameter('options', 0, {}) as IDataObject;
  const answers = await conn.dv.executeBatch(
    // Content-IDs let a stopped batch say exactly which operation failed and which never ran.
    planned.map((p, n) => toBatchOperation(p.spec, { contentId: String(n + 1), ...(atomic ? { changeSet: 'all' } : {}) })),
    {
      continueOnError: mode === 'continueOnError',
      maxOperationsPerBatch: atomic ? MAX_BATCH_SIZE : Math.min(MAX_BATCH_SIZE, Math.max(1, Number(options.batchSize ?? 100))),
    },
  );
  for (const answer of answers) {
    const p = planned[answer.index];
    if (answer.outcome === 'succeeded') results.push({ item: p.item, json: output(p, answer, options.formattedValues === true) });
    else results.push({ item: p.item, error: answer.error ?? new Error(`The batch gave no answer for item ${p.item} (${answer.outcome}).`) });
  }
  return results.sort((a, b) => a.item - b.item);
}
