import type { INodeProperties } from 'n8n-workflow';
import { listMode, listPicker, optionsFor, resourceMapperField, showFor } from '../../shared/descriptions';

const GUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const tableLocator: INodeProperties = {
  displayName: 'Table',
  name: 'table',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  required: true,
  description: 'The Dataverse table (entity set) to work on',
  modes: [
    listMode('Select a table...', 'searchTables'),
    {
      displayName: 'By URL',
      name: 'url',
      type: 'string',
      placeholder: 'https://contoso.crm.dynamics.com/api/data/v9.2/accounts',
      extractValue: { type: 'regex', regex: '/api/data/v[0-9.]+/([A-Za-z_][A-Za-z0-9_]*)' },
      validation: [
        {
          type: 'regex',
          properties: { regex: '.*/api/data/v[0-9.]+/[A-Za-z_][A-Za-z0-9_]*.*', errorMessage: 'Not a Dataverse Web API table URL' },
        },
      ],
    },
    {
      displayName: 'By Name',
      name: 'id',
      type: 'string',
      placeholder: 'accounts',
      hint: 'Entity set name (accounts) or logical name (account)',
    },
  ],
};

export function rowLocator(name = 'rowId', displayName = 'Row'): INodeProperties {
  return {
    displayName,
    name,
    type: 'resourceLocator',
    default: { mode: 'list', value: '' },
    required: true,
    modes: [
      listMode('Select a row...', 'searchRows'),
      {
        displayName: 'By URL',
        name: 'url',
        type: 'string',
        placeholder: 'https://contoso.crm.dynamics.com/main.aspx?etn=account&id=…',
        extractValue: { type: 'regex', regex: `(?:[?&]id=|\\()(${GUID_PATTERN})` },
        validation: [
          { type: 'regex', properties: { regex: `.*(?:[?&]id=|\\()${GUID_PATTERN}.*`, errorMessage: 'Not a URL of a Dataverse row' } },
        ],
      },
      {
        displayName: 'By ID',
        name: 'id',
        type: 'string',
        placeholder: '00000000-0000-0000-0000-000000000000',
        validation: [{ type: 'regex', properties: { regex: GUID_PATTERN, errorMessage: 'Not a GUID' } }],
      },
    ],
  };
}

export function columnsMapper(operations: string[]): INodeProperties {
  return resourceMapperField({
    displayName: 'Columns',
    name: 'columns',
    method: 'getColumns',
    dependsOn: ['table.value', 'operation'],
    words: { singular: 'column', plural: 'columns' },
    addAllFields: false,
    supportAutoMap: true,
    required: true,
    displayOptions: { show: { operation: operations } },
  });
}

type OptionName = 'batchSize' | 'formattedValues' | 'returnRepresentation' | 'callerObjectId' | 'bypassCustomPluginExecution' | 'suppressDuplicateDetection';

const OPTION_DEFINITIONS: Record<OptionName, INodeProperties> = {
  batchSize: {
    displayName: 'Batch Size',
    name: 'batchSize',
    type: 'number',
    typeOptions: { minValue: 1, maxValue: 1000 },
    default: 1,
    description:
      'How many items to send per $batch request (1 sends one request per item; up to 1,000). 100 suits bulk loads. Without Continue On Fail a failed item stops its batch, but batches already sent in parallel still complete.',
  },
  formattedValues: {
    displayName: 'Friendly Rows (Formatted Values)',
    name: 'formattedValues',
    type: 'boolean',
    default: false,
    description: 'Whether to return rows as { fields, formatted, lookups, related } with choice labels and lookup names',
  },
  returnRepresentation: {
    displayName: 'Return Row',
    name: 'returnRepresentation',
    type: 'boolean',
    default: true,
    description: 'Whether to return the written row (one request) instead of only its ID',
  },
  callerObjectId: {
    displayName: 'Impersonate User (Entra Object ID)',
    name: 'callerObjectId',
    type: 'string',
    default: '',
    description: 'Run as this user (CallerObjectId header); the application user needs the Act on Behalf of Another User privilege',
  },
  bypassCustomPluginExecution: {
    displayName: 'Bypass Custom Plug-Ins',
    name: 'bypassCustomPluginExecution',
    type: 'boolean',
    default: false,
    description: 'Whether to skip custom synchronous plug-ins (MSCRM.BypassCustomPluginExecution)',
  },
  suppressDuplicateDetection: {
    displayName: 'Suppress Duplicate Detection',
    name: 'suppressDuplicateDetection',
    type: 'boolean',
    default: false,
    description: 'Whether to skip duplicate detection rules (MSCRM.SuppressDuplicateDetection)',
  },
};

/** Shown for one operation of one resource: several resources share operation names (get, delete). */
export function optionsCollection(operation: string, names: OptionName[], extra: INodeProperties[] = [], resource = 'row'): INodeProperties {
  const options = [...names.map((n) => OPTION_DEFINITIONS[n]), ...extra].sort((a, b) => a.displayName.localeCompare(b.displayName));
  return optionsFor(showFor(resource, [operation]), options);
}

/** A column of the chosen table, listed from its metadata (alternate-key parts, filter conditions). */
export function columnPicker(loadOptionsMethod = 'getColumns'): INodeProperties {
  return listPicker('Column Name or ID', 'column', loadOptionsMethod, ['table.value']);
}
