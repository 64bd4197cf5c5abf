import {
  NodeConnectionTypes,
  type IHookFunctions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
} from 'n8n-workflow';
import { tableLocator } from '../Dataverse/actions/common.descriptions';
import { authenticationProperty, savedAuthentication } from '../shared/authentication';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from '../Dataverse/methods/credentialTest';
import { searchTables } from '../Dataverse/methods/listSearch';
import { getColumns } from '../Dataverse/methods/loadOptions';
import { withConnection, type Connection } from '../Dataverse/transport/connection';
import { handleSafely, includeRawOptions, postWebhook } from '../shared/webhook-trigger';
import { handleDelivery } from './delivery';
import { createRegistration, deleteRegistration, registrationExists } from './registration';

function withHookConnection<T>(ctx: IHookFunctions, work: (conn: Connection) => Promise<T>): Promise<T> {
  return withConnection(ctx, savedAuthentication(ctx), work);
}

/**
 * Starts the workflow when Dataverse posts a row change: activation registers a webhook (service endpoint + steps)
 * pointing at this node's production URL with a new secret, deactivation removes it (registration.ts); each POST
 * is checked, parsed and de-duplicated before it becomes an item (delivery.ts).
 */
export class DataverseTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Dynamics 365 Dataverse Trigger',
    name: 'dataverseTrigger',
    icon: { light: 'file:dataverse.svg', dark: 'file:dataverse.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{"Changes of " + $parameter["table"].value}}',
    // n8n's node creator folds `<name>Trigger` into the node `<name>` and shows the trigger's description for the
    // one entry both share ("Dynamics 365 Dataverse"), so it describes the node's actions as well as the trigger.
    description: 'Create, read, update, upsert, delete and relate rows in Microsoft Dataverse (Dynamics 365), or start a workflow when rows of a table are created, updated or deleted',
    defaults: { name: 'Dynamics 365 Dataverse Trigger' },
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
    webhooks: postWebhook(),
    properties: [
      authenticationProperty,
      {
        displayName:
          'Activating the workflow registers a webhook in Dataverse (a service endpoint and one step per event, which needs the System Administrator or System Customizer role); deactivating removes it. Dataverse must be able to reach this n8n instance.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      { ...tableLocator, description: 'The table whose rows start the workflow' },
      {
        displayName: 'Events',
        name: 'events',
        type: 'multiOptions',
        required: true,
        default: ['created', 'updated', 'deleted'],
        description: 'Which changes start the workflow; each delivery becomes one item',
        options: [
          { name: 'Row Created', value: 'created' },
          { name: 'Row Updated', value: 'updated' },
          { name: 'Row Deleted', value: 'deleted' },
        ],
      },
      {
        displayName: 'Filtering Column Names or IDs',
        name: 'filteringColumns',
        type: 'multiOptions',
        typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table.value'] },
        default: [],
        description:
          'Updates start the workflow only when one of these columns is in the update; empty means every update. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Images',
        name: 'images',
        type: 'options',
        default: 'none',
        description: 'Row snapshots Dataverse adds to each delivery',
        options: [
          { name: 'None', value: 'none' },
          { name: 'Before the Change', value: 'pre', description: 'Pre image, on updates and deletes' },
          { name: 'After the Change', value: 'post', description: 'Post image, on creates and updates' },
          { name: 'Both', value: 'both' },
        ],
      },
      includeRawOptions('Whether to add the RemoteExecutionContext as Dataverse sent it (under raw) to the item'),
    ],
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    listSearch: { searchTables },
    loadOptions: { getColumns },
  };

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        return withHookConnection(this, (conn) => registrationExists(this, conn));
      },
      async create(this: IHookFunctions): Promise<boolean> {
        const id = await withHookConnection(this, (conn) => createRegistration(this, conn));
        this.logger.info(`Dataverse Trigger "${this.getNode().name}": registered webhook endpoint ${id}`, { workflowId: this.getWorkflow().id });
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        try {
          const removed = await withHookConnection(this, (conn) => deleteRegistration(this, conn));
          this.logger.info(`Dataverse Trigger "${this.getNode().name}": removed ${removed} webhook endpoint(s)`, { workflowId: this.getWorkflow().id });
          return true;
        } catch (error) {
          // The static data is kept, so the next deactivation (or activation) can still find and remove it.
          this.logger.error(`Dataverse Trigger "${this.getNode().name}": could not remove the webhook registration: ${(error as Error).message}`, {
            workflowId: this.getWorkflow().id,
          });
          return false;
        }
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    return handleSafely(this, 'Dataverse Trigger', { failed: 'a delivery', answer: 'The delivery could not be handled.' }, handleDelivery);
  }
}
