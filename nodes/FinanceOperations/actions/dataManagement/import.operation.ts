import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { DmfJobResult, ImportOptions } from '../../../../client/fno';
import type { Connection } from '../../transport/connection';
import { InputError } from '../../helpers/errors';
import { itemParameter } from '../../../shared/parameters';
import { binaryPropertyField, companyLocator, dataProjectLocator, showFor, timeBudgetOption } from '../common.descriptions';
import { companyParameter, textParameter, timeBudgetMs } from '../helpers';
import type { ItemResult } from '../operation';

const show = showFor('dataManagement', ['import']);
const showSource = (source: string) => ({ show: { resource: ['dataManagement'], operation: ['import'], source: [source] } });

export const description: INodeProperties[] = [
  {
    displayName: 'Source',
    name: 'source',
    type: 'options',
    default: 'items',
    options: [
      { name: 'Input Items', value: 'items', description: 'Every input item is one row of one entity; all items go in one package and one job' },
      { name: 'Binary Package', value: 'binary', description: 'Each input item carries a data package (ZIP) as binary data; one job per item' },
    ],
    displayOptions: show,
  },
  { ...dataProjectLocator, displayOptions: show, hint: 'A new name creates an import project for the package' },
  { ...companyLocator, displayOptions: show },
  {
    displayName: 'Entity Name',
    name: 'dmfEntity',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'CustomerGroups',
    description: 'The entity the rows belong to, as Data management names it (entity name, label or public collection name)',
    displayOptions: showSource('items'),
  },
  { ...binaryPropertyField('binaryPropertyName', 'Input Binary Field', 'The binary field of each item that holds the data package (ZIP)'), displayOptions: showSource('binary') },
  optionsFor(show, [
    { displayName: 'Execute', name: 'execute', type: 'boolean', default: true, description: 'Whether to import into the target; off only stages and validates the rows' },
    { displayName: 'Overwrite', name: 'overwrite', type: 'boolean', default: false, description: 'Whether to replace the data project\'s entities with the package\'s (must stay off for composite entities)' },
    timeBudgetOption,
    { displayName: 'Wait for Job', name: 'wait', type: 'boolean', default: true, description: 'Whether to wait for the job to finish; off returns the execution ID at once' },
  ]),
];

function jobOptions(ctx: IExecuteFunctions, i: number): ImportOptions {
  const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
  return {
    definitionGroupId: textParameter(ctx, 'dataProject', i, 'Data Project'),
    company: companyParameter(ctx, i),
    execute: options.execute !== false,
    overwrite: options.overwrite === true,
    noWait: options.wait === false,
    timeBudgetMs: timeBudgetMs(options),
    initialDelayMs: 500,
    maxDelayMs: 15_000,
  };
}

export function jobOutput(result: DmfJobResult, project: string, company?: string): IDataObject {
  return {
    executionId: result.executionId,
    status: result.status,
    succeeded: result.succeeded,
    dataProject: project,
    ...(company ? { company } : {}),
    errors: result.errors as unknown as IDataObject[],
  };
}

export function handlesAllItems(this: IExecuteFunctions): boolean {
  return itemParameter<string>(this, 'source', 0, 'items') === 'items';
}

/** Binary source: each item's package is its own job. */
export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const property = textParameter(this, 'binaryPropertyName', i, 'Input Binary Field');
  this.helpers.assertBinaryData(i, property);
  const zip = await this.helpers.getBinaryDataBuffer(i, property);
  const options = jobOptions(this, i);
  return [jobOutput(await conn.fno.importPackage(zip, options), options.definitionGroupId, options.company)];
}

/** Items source: every item is a row; the client writes the package and one job imports it for all items. */
export async function executeAll(this: IExecuteFunctions, conn: Connection, itemCount: number): Promise<ItemResult[]> {
  const items = this.getInputData();
  const all = items.map((_, item) => item);
  const entityName = textParameter(this, 'dmfEntity', 0, 'Entity Name');
  const options = jobOptions(this, 0);
  const rows = items.slice(0, itemCount).map((item) => item.json as Record<string, unknown>);
  if (!rows.some((row) => Object.keys(row).length)) throw new InputError('The input items have no fields: each item must be one row of the entity.', 'EmptyRows');
  const result = await conn.fno.importRows(rows, { ...options, entityName, encoding: 'utf8' });
  return [{ item: 0, pairedItems: all, json: [{ ...jobOutput(result, options.definitionGroupId, options.company), entity: entityName, rows: rows.length }] }];
}
