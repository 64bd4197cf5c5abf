import type { INodeProperties } from 'n8n-workflow';
import { listMode, resourceMapperField, showFor } from '../../shared/descriptions';

export { showFor };

export const entitySetLocator: INodeProperties = {
  displayName: 'Entity',
  name: 'entitySet',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  required: true,
  description: 'The data entity (its public collection name, e.g. CustomersV3)',
  modes: [
    listMode('Select an entity...', 'searchEntitySets'),
    {
      displayName: 'By URL',
      name: 'url',
      type: 'string',
      placeholder: 'https://contoso.operations.dynamics.com/data/CustomersV3',
      extractValue: { type: 'regex', regex: '/data/([A-Za-z_][A-Za-z0-9_]*)' },
      validation: [{ type: 'regex', properties: { regex: '.*/data/[A-Za-z_][A-Za-z0-9_]*.*', errorMessage: 'Not an F&O OData entity URL' } }],
    },
    {
      displayName: 'By Name',
      name: 'id',
      type: 'string',
      placeholder: 'CustomersV3',
      hint: 'Public collection name of the entity; case-sensitive',
    },
  ],
};

export const companyLocator: INodeProperties = {
  displayName: 'Company',
  name: 'company',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  description: 'Legal entity (dataAreaId) to work in; leave empty for the default company of the signed-in user or application',
  modes: [
    listMode('Default company', 'searchCompanies'),
    {
      displayName: 'By ID',
      name: 'id',
      type: 'string',
      placeholder: 'usmf',
      validation: [{ type: 'regex', properties: { regex: '^[A-Za-z0-9_-]{0,8}$', errorMessage: 'A dataAreaId has at most 8 letters or digits' } }],
    },
  ],
};

/** Every part of the entity's key, dataAreaId included (filled from Company when left empty). */
export const keyMapper: INodeProperties = resourceMapperField({
  displayName: 'Key',
  name: 'key',
  method: 'getKeyFields',
  dependsOn: ['entitySet.value'],
  words: { singular: 'key field', plural: 'key fields' },
  addAllFields: true,
  supportAutoMap: false,
  required: true,
});

export function fieldsMapper(operations: string[]): INodeProperties {
  return resourceMapperField({
    displayName: 'Fields',
    name: 'fields',
    method: 'getEntityFields',
    dependsOn: ['entitySet.value', 'operation'],
    words: { singular: 'field', plural: 'fields' },
    addAllFields: false,
    supportAutoMap: true,
    required: true,
    displayOptions: showFor('entity', operations),
  });
}

export const dataProjectLocator: INodeProperties = {
  displayName: 'Data Project',
  name: 'dataProject',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  required: true,
  description: 'The Data management project (definition group)',
  modes: [
    listMode('Select a data project...', 'searchDataProjects'),
    { displayName: 'By Name', name: 'id', type: 'string', placeholder: 'CustomerImport' },
  ],
};

export const timeBudgetOption: INodeProperties = {
  displayName: 'Time Budget (Seconds)',
  name: 'timeBudgetSeconds',
  type: 'number',
  typeOptions: { minValue: 1 },
  default: 600,
  description: 'Longest wait for the Data management job to finish; past it the node fails and names the execution ID, which can be read later with Get Job Status',
};

export const binaryPropertyField = (name: string, displayName: string, description: string): INodeProperties => ({
  displayName,
  name,
  type: 'string',
  default: 'data',
  required: true,
  description,
});
