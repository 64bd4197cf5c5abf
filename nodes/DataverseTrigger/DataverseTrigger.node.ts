import {
  NodeConnectionTypes,
  type IHookFunctions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
} from 'n8n-workflow';
import { tableLocator } from '../Dataverse/actions/common.descriptions';
import { authenticationProperty } from '../Dataverse/descriptions/authentication';
import { toNodeError } from '../Dataverse/helpers/errors';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from '../Dataverse/methods/credentialTest';
import { searchTables } from '../Dataverse/methods/listSearch';
import { getColumns } from '../Dataverse/methods/loadOptions';
import { getConnection, releaseConnection, type AuthenticationKind, type Connection } from '../Dataverse/transport/connection';
import { handleDelivery } from './delivery';
import { createRegistration, deleteRegistration, registrationExists } from './registration';

async function withConnection<T>(ctx: IHookFunctions, work: (conn: Connection) => Promise<T>): Promise<T> {
  const authentication = ctx.getNodeParameter('authentication', 'appRegistration') as AuthenticationKind;
  try {
    return await work(await getConnection(ctx, authentication));
  } catch (error) {
    throw toNodeError(ctx.getNode(), error, 0);
  } finally {
    await releaseConnection(ctx);
  }
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
    description: 'Starts the workflow when rows of a Dataverse table are created, updated or deleted (webhook)',
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
    webhooks: [
      {
        name: 'default',
        httpMethod: 'POST',
        responseMode: 'onReceived',
        // Dataverse only looks at the status code.
        responseData: 'noData',
        path: 'webhook',
      },
    ],
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
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add option',
        default: {},
        options: [
          {
            displayName: 'Include Raw Context',
            name: 'includeRaw',
            type: 'boolean',
            default: true,
            description: 'Whether to add the RemoteExecutionContext as Dataverse sent it (under raw) to the item',
          },
        ],
      },
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
        return withConnection(this, (conn) => registrationExists(this, conn));
      },
      async create(this: IHookFunctions): Promise<boolean> {
        const id = await withConnection(this, (conn) => createRegistration(this, conn));
        this.logger.info(`Dataverse Trigger "${this.getNode().name}": registered webhook endpoint ${id}`, { workflowId: this.getWorkflow().id });
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        try {
          const removed = await withConnection(this, (conn) => deleteRegistration(this, conn));
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
    try {
      return handleDelivery(this);
    } catch (error) {
      // An unexpected failure still answers (Dataverse records the failed delivery) rather than failing a workflow.
      this.logger.error(`Dataverse Trigger "${this.getNode().name}": could not handle a delivery: ${(error as Error).message}`, { workflowId: this.getWorkflow().id });
      const res = this.getResponseObject();
      if (!res.headersSent) res.status(500).json({ message: 'The delivery could not be handled.' });
      return { noWebhookResponse: true };
    }
  }
}
