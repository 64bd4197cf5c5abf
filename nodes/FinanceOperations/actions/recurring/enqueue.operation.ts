import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { InputError } from '../../helpers/errors';
import { itemParameter } from '../../../shared/parameters';
import { binaryPropertyField, companyLocator, showFor } from '../common.descriptions';
import { companyParameter, textParameter } from '../helpers';
import type { ItemResult } from '../operation';

const show = showFor('recurring', ['enqueue']);
const showSource = (source: string) => ({ show: { resource: ['recurring'], operation: ['enqueue'], source: [source] } });

export const activityIdField: INodeProperties = {
  displayName: 'Activity ID',
  name: 'activityId',
  type: 'string',
  default: '',
  required: true,
  placeholder: '{6D31E09F-0249-459F-94F0-AAD9C2C47B64}',
  description: 'ID of the recurring data job (Data management > Recurring data jobs)',
};

export const description: INodeProperties[] = [
  { ...activityIdField, displayOptions: show },
  {
    displayName: 'Source',
    name: 'source',
    type: 'options',
    default: 'items',
    options: [
      { name: 'Input Items', value: 'items', description: 'Every input item is one row; all items go as one CSV file of the entity' },
      { name: 'Binary File', value: 'binary', description: 'Each input item carries a data file or package as binary data' },
    ],
    displayOptions: show,
  },
  {
    displayName: 'Entity Name',
    name: 'recurringEntity',
    type: 'string',
    default: '',
    placeholder: 'Customer groups',
    description: 'The entity of a single data file; leave empty when the binary is a data package',
    displayOptions: show,
  },
  { ...companyLocator, displayOptions: show },
  { ...binaryPropertyField('binaryPropertyName', 'Input Binary Field', 'The binary field that holds the file or package'), displayOptions: showSource('binary') },
  optionsFor(show, [{ displayName: 'External ID', name: 'externalId', type: 'string', default: '', description: 'Correlation ID of the calling system (x-ms-dyn-externalidentifier)' }]),
];

function entityOf(ctx: IExecuteFunctions, i: number): string | undefined {
  const value = itemParameter<string>(ctx, 'recurringEntity', i, '');
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function externalId(ctx: IExecuteFunctions, i: number): string | undefined {
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  return typeof options.externalId === 'string' && options.externalId.trim() ? options.externalId.trim() : undefined;
}

export function handlesAllItems(this: IExecuteFunctions): boolean {
  return itemParameter<string>(this, 'source', 0, 'items') === 'items';
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const activityId = textParameter(this, 'activityId', i, 'Activity ID');
  const property = textParameter(this, 'binaryPropertyName', i, 'Input Binary Field');
  this.helpers.assertBinaryData(i, property);
  const content = await this.helpers.getBinaryDataBuffer(i, property);
  const entity = entityOf(this, i);
  const messageId = await conn.fno.enqueue(activityId, content, { entity, company: companyParameter(this, i), externalId: externalId(this, i) });
  return [{ messageId, activityId, ...(entity ? { entity } : {}) }];
}

export async function executeAll(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]> {
  const activityId = textParameter(this, 'activityId', 0, 'Activity ID');
  const entity = entityOf(this, 0);
  if (!entity) throw new InputError('The Entity Name is empty: input items are sent as one data file of that entity.', 'EmptyEntityName');
  const rows = this.getInputData().slice(0, itemCount).map((item) => item.json as Record<string, unknown>);
  const messageId = await conn.fno.enqueueRows(activityId, rows, { entity, company: companyParameter(this, 0), externalId: externalId(this, 0) });
  return [{ item: 0, pairedItems: rows.map((_, n) => n), json: [{ messageId, activityId, entity, rows: rows.length }] }];
}
