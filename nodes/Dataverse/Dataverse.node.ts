import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { router } from './actions/router';
import * as row from './actions/row';
import * as table from './actions/table';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from './methods/credentialTest';
import { searchRows, searchTables } from './methods/listSearch';
import { getChoiceColumns, getColumns, getOptionSetValues, getRelationships } from './methods/loadOptions';
import { getColumns as getMapperColumns } from './methods/resourceMapping';

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
      {
        displayName: 'Authentication',
        name: 'authentication',
        type: 'options',
        default: 'appRegistration',
        options: [
          { name: 'App Registration (Client Secret or Certificate)', value: 'appRegistration' },
          { name: 'OAuth2 (Signed-in User)', value: 'oAuth2' },
        ],
      },
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        default: 'row',
        options: [
          { name: 'Row', value: 'row' },
          { name: 'Table', value: 'table' },
        ],
      },
      ...row.description,
      ...table.description,
    ],
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    listSearch: { searchTables, searchRows },
    loadOptions: { getChoiceColumns, getColumns, getOptionSetValues, getRelationships },
    resourceMapping: { getColumns: getMapperColumns },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
