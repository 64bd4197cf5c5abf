import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { router } from './actions/router';
import * as action from './actions/action';
import * as batch from './actions/batch';
import * as changes from './actions/changes';
import * as file from './actions/file';
import * as row from './actions/row';
import * as table from './actions/table';
import { getActionParameters, searchActions } from './methods/actionMethods';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from './methods/credentialTest';
import { searchRows, searchTables } from './methods/listSearch';
import { getFileColumns } from './methods/fileColumns';
import { getChoiceColumns, getColumns, getOptionSetValues, getRelationships } from './methods/loadOptions';
import { getColumns as getMapperColumns } from './methods/resourceMapping';
import { authenticationProperty } from '../shared/authentication';

export class Dataverse implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Dynamics 365 Dataverse',
    name: 'dataverse',
    icon: { light: 'file:dataverse.svg', dark: 'file:dataverse.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
    description: 'Create, read, update, upsert, delete and relate rows in Microsoft Dataverse (Dynamics 365)',
    defaults: { name: 'Dynamics 365 Dataverse' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [
      {
        name: 'dynamics365AppRegistrationApi',
        required: true,
        testedBy: 'dynamics365AppRegistrationApiTest',
        displayOptions: { show: { authentication: ['appRegistration'] } },
      },
      {
        name: 'dynamics365OAuth2Api',
        required: true,
        testedBy: 'dynamics365OAuth2ApiTest',
        displayOptions: { show: { authentication: ['oAuth2'] } },
      },
    ],
    properties: [
      authenticationProperty,
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        default: 'row',
        options: [
          { name: 'Action', value: 'action', description: 'Run a Dataverse action or function' },
          { name: 'Batch', value: 'batch', description: 'Send all input items as one $batch request' },
          { name: 'Change', value: 'changes', description: 'Rows changed since a delta token' },
          { name: 'File', value: 'file', description: 'Upload or download a file or image column' },
          { name: 'Row', value: 'row' },
          { name: 'Table', value: 'table' },
        ],
      },
      ...action.description,
      ...batch.description,
      ...changes.description,
      ...file.description,
      ...row.description,
      ...table.description,
    ],
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    listSearch: { searchTables, searchRows, searchActions },
    loadOptions: { getChoiceColumns, getColumns, getFileColumns, getOptionSetValues, getRelationships },
    resourceMapping: { getColumns: getMapperColumns, getActionParameters },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
