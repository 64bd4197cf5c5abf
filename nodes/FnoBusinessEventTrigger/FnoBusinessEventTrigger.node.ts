import {
  NodeConnectionTypes,
  type IHookFunctions,
  type ILoadOptionsFunctions,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
} from 'n8n-workflow';
import { listBusinessEvents } from '../../client/fno/business-events';
import { toNodeError } from '../FinanceOperations/helpers/errors';
import { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest } from '../Dataverse/methods/credentialTest';
import { withFno } from './connection';
import { handleSafely, postWebhook } from '../shared/webhook-trigger';
import { handleDelivery } from './delivery';
import { triggerProperties } from './description';
import { createRegistration, deleteRegistration, registrationExists } from './registration';
import { manualSecret, type SetupMode } from './settings';

function setupOf(ctx: IHookFunctions): SetupMode {
  return ctx.getNodeParameter('setup', 'manual') === 'automatic' ? 'automatic' : 'manual';
}

async function automatic<T>(ctx: IHookFunctions, work: Parameters<typeof withFno<T>>[1]): Promise<T> {
  try {
    return await withFno(ctx, work);
  } catch (error) {
    throw toNodeError(ctx.getNode(), error, 0);
  }
}

/**
 * Starts the workflow when Finance & Operations posts a business event to this node's webhook URL. Manual setup:
 * an administrator creates the HTTPS endpoint and activation in F&O (the documented way); automatic setup: the
 * node creates and removes them through OData entities the sandbox emulator serves (registration.ts). Each POST is
 * checked, read, filtered and de-duplicated before it becomes an item (delivery.ts).
 */
export class FnoBusinessEventTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Dynamics 365 F&O Business Event Trigger',
    name: 'fnoBusinessEventTrigger',
    icon: { light: 'file:fno.svg', dark: 'file:fno.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{$parameter["setup"] === "automatic" ? $parameter["businessEvent"] : $parameter["businessEventId"]}}',
    description: 'Starts the workflow when Finance & Operations sends a business event (HTTPS endpoint)',
    defaults: { name: 'F&O Business Event Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [
      {
        name: 'dynamics365AppRegistrationApi',
        required: true,
        testedBy: 'dynamics365AppRegistrationApiTest',
        displayOptions: { show: { setup: ['automatic'], authentication: ['appRegistration'] } },
      },
      {
        name: 'dynamics365OAuth2Api',
        required: true,
        testedBy: 'dynamics365OAuth2ApiTest',
        displayOptions: { show: { setup: ['automatic'], authentication: ['oAuth2'] } },
      },
    ],
    webhooks: postWebhook(),
    properties: triggerProperties,
  };

  methods = {
    credentialTest: { dynamics365AppRegistrationApiTest, dynamics365OAuth2ApiTest },
    loadOptions: {
      async getBusinessEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        try {
          const events = await withFno(this, (fno) => listBusinessEvents(fno.context));
          return events.map((e) => ({ name: e.name ? `${e.name} (${e.businessEventId})` : e.businessEventId, value: e.businessEventId, description: [e.category, e.description].filter(Boolean).join(': ') }));
        } catch (error) {
          throw toNodeError(this.getNode(), error, 0);
        }
      },
    },
  };

  webhookMethods = {
    default: {
      async checkExists(this: IHookFunctions): Promise<boolean> {
        if (setupOf(this) === 'manual') return false;
        return automatic(this, (fno) => registrationExists(this, fno));
      },
      async create(this: IHookFunctions): Promise<boolean> {
        if (setupOf(this) === 'manual') {
          // Nothing to register: refuse activation now rather than answer every event with 401.
          try {
            manualSecret(this);
          } catch (error) {
            throw toNodeError(this.getNode(), error, 0);
          }
          return true;
        }
        const name = await automatic(this, (fno) => createRegistration(this, fno));
        this.logger.info(`F&O Business Event Trigger "${this.getNode().name}": created endpoint ${name} and its activation`, { workflowId: this.getWorkflow().id });
        return true;
      },
      async delete(this: IHookFunctions): Promise<boolean> {
        if (setupOf(this) === 'manual') return true;
        try {
          const removed = await automatic(this, (fno) => deleteRegistration(this, fno));
          this.logger.info(`F&O Business Event Trigger "${this.getNode().name}": removed ${removed} endpoint and activation row(s)`, { workflowId: this.getWorkflow().id });
          return true;
        } catch (error) {
          // The static data is kept, so the next deactivation (or activation) can still find and remove them.
          this.logger.error(`F&O Business Event Trigger "${this.getNode().name}": could not remove the endpoint: ${(error as Error).message}`, { workflowId: this.getWorkflow().id });
          return false;
        }
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    return handleSafely(this, 'F&O Business Event Trigger', { failed: 'an event', answer: 'The event could not be handled.' }, handleDelivery);
  }
}
