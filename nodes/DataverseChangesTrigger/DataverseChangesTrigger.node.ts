import {
  NodeConnectionTypes,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
  type IPollFunctions,
} from 'n8n-workflow';
import { changeOptions } from '../Dataverse/actions/changes/get.operation';
import { tableLocator } from '../Dataverse/actions/common.descriptions';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from '../Dataverse/methods/credentialTest';
import { getColumns } from '../Dataverse/methods/loadOptions';
import { withConnection } from '../Dataverse/transport/connection';
import { searchTrackedTables } from './listSearch';
import { pollChanges } from './poll';
import { authenticationProperty, savedAuthentication } from '../shared/authentication';
import { optionsFor } from '../shared/descriptions';

/**
 * Polls a Dataverse table with change tracking (delta tokens) for users who cannot register webhooks.
 * The behaviour (state, when the token is saved, first run, expired tokens, manual mode) is described in poll.ts.
 */
export class DataverseChangesTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Dynamics 365 Dataverse Changes Trigger',
    name: 'dataverseChangesTrigger',
    icon: { light: 'file:dataverse.svg', dark: 'file:dataverse.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{"Changes of " + $parameter["table"].value}}',
    description: 'Starts the workflow when rows of a Dataverse table are created, updated or deleted (polling with change tracking)',
    defaults: { name: 'Dynamics 365 Dataverse Changes Trigger' },
    polling: true,
    inputs: [],
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
        displayName:
          'Polls with Dataverse change tracking, which must be enabled on the table. The first poll only remembers where the table stands; later polls emit one item per row created, updated or deleted since the previous poll.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      {
        ...tableLocator,
        description: 'The table to watch; only tables with change tracking enabled are listed',
        modes: tableLocator.modes?.map((mode) =>
          mode.name === 'list' ? { ...mode, typeOptions: { searchListMethod: 'searchTrackedTables', searchable: true } } : mode,
        ),
      },
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        required: true,
        default: ['newOrUpdated', 'deleted'],
        description:
          'Which changes start the workflow. Dataverse change tracking reports a created row and an updated row the same way (the row as it is now), so they cannot be told apart here: compare createdon with modifiedon downstream if needed. A row changed several times between two polls is reported once.',
        options: [
          { name: 'New or Updated', value: 'newOrUpdated', description: 'A row was created or changed; the item carries the row' },
          { name: 'Deleted', value: 'deleted', description: 'A row was deleted; the item carries only its ID' },
        ],
      },
      {
        displayName: 'Columns to Return',
        name: 'returnColumns',
        type: 'multiOptions',
        typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table.value'] },
        default: [],
        description:
          'Only these columns of new and updated rows ($select); empty returns all. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      optionsFor(undefined, [
        {
          displayName: 'Emit Existing Rows on First Run',
          name: 'emitExistingRows',
          type: 'boolean',
          default: false,
          description:
            'Whether the first poll (and the new full sync after an expired token) emits every current row as a New or Updated event; by default it emits nothing and only later changes are emitted',
        },
        ...changeOptions,
      ]),
    ],
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    listSearch: { searchTrackedTables },
    loadOptions: { getColumns },
  };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    return withConnection(this, savedAuthentication(this), (conn) => pollChanges(this, conn));
  }
}
