import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import { authenticationProperty } from '../shared/authentication';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from '../Dataverse/methods/credentialTest';
import * as action from './actions/action';
import * as customService from './actions/customService';
import * as dataManagement from './actions/dataManagement';
import * as entity from './actions/entity';
import * as recurring from './actions/recurring';
import { router } from './actions/router';
import { searchCompanies, searchDataProjects, searchEntitySets } from './methods/listSearch';
import { getEntityActions, getFieldNames, getServiceGroups, getServiceOperations, getServices } from './methods/loadOptions';
import { getEntityFields, getKeyFields } from './methods/resourceMapping';

export class FinanceOperations implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Dynamics 365 Finance & Operations',
    name: 'financeOperations',
    icon: { light: 'file:financeOperations.svg', dark: 'file:financeOperations.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
    description: 'Read and write data entities, run actions and custom services, and move data with Data management in Dynamics 365 Finance & Operations',
    defaults: { name: 'Dynamics 365 Finance & Operations' },
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
        default: 'entity',
        options: [
          { name: 'Action', value: 'action', description: 'Run an action an entity publishes' },
          { name: 'Custom Service', value: 'customService', description: 'Call an operation of a custom JSON service' },
          { name: 'Data Management', value: 'dataManagement', description: 'Import and export data packages through data projects' },
          { name: 'Entity', value: 'entity', description: 'Rows of a data entity' },
          { name: 'Recurring Integration', value: 'recurring', description: 'Enqueue to and dequeue from recurring data jobs' },
        ],
      },
      ...action.description,
      ...customService.description,
      ...dataManagement.description,
      ...entity.description,
      ...recurring.description,
    ],
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    listSearch: { searchCompanies, searchDataProjects, searchEntitySets },
    loadOptions: { getEntityActions, getFieldNames, getServiceGroups, getServiceOperations, getServices },
    resourceMapping: { getEntityFields, getKeyFields },
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
