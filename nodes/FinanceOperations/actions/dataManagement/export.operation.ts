import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { binaryPropertyField, companyLocator, dataProjectLocator, showFor, timeBudgetOption } from '../common.descriptions';
import { companyParameter, textParameter, timeBudgetMs } from '../helpers';

const show = showFor('dataManagement', ['export']);

export const description: INodeProperties[] = [
  { ...dataProjectLocator, displayOptions: show },
  { ...companyLocator, displayOptions: show },
  {
    displayName: 'Output',
    name: 'output',
    type: 'options',
    default: 'items',
    options: [
      { name: 'Rows as Items', value: 'items', description: 'One output item per exported row' },
      { name: 'Binary Package', value: 'binary', description: 'The data package (ZIP) as binary data of one item' },
    ],
    displayOptions: show,
  },
  { ...binaryPropertyField('binaryPropertyName', 'Put Output File in Field', 'The binary field to put the package in'), displayOptions: { show: { resource: ['dataManagement'], operation: ['export'], output: ['binary'] } } },
  optionsFor(show, [timeBudgetOption]),
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[] | { json: IDataObject[]; binary?: IBinaryKeyData[] }> {
  const project = textParameter(this, 'dataProject', i, 'Data Project');
  const company = companyParameter(this, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const job = { definitionGroupId: project, company, timeBudgetMs: timeBudgetMs(options), initialDelayMs: 500, maxDelayMs: 15_000 };
  const summary = (executionId: string, status: string): IDataObject => ({ executionId, status, dataProject: project, ...(company ? { company } : {}) });
  if (this.getNodeParameter('output', i, 'items') === 'binary') {
    const exported = await conn.fno.exportPackage(job);
    const json = { ...summary(exported.executionId, exported.status), errors: exported.errors as unknown as IDataObject[] };
    if (!exported.package) return [json];
    const property = textParameter(this, 'binaryPropertyName', i, 'Output Binary Field');
    const binary = await this.helpers.prepareBinaryData(exported.package, `${project}.zip`, 'application/zip');
    return { json: [json], binary: [{ [property]: binary }] };
  }
  const exported = await conn.fno.exportRows(job);
  const entities = exported.opened.entities;
  const rows: IDataObject[] = [];
  for (const entity of entities) for (const row of entity.rows) rows.push(entities.length > 1 ? { _entity: entity.entityName, ...row } : { ...row });
  // An export with no rows still says how the job ended, so a workflow can tell "nothing" from "not run".
  return rows.length ? rows : [{ ...summary(exported.executionId, exported.status), rows: 0 }];
}
