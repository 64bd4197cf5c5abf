/** The trigger's parameters: setup mode with its notice, the event, the legal entity, the secret and options. */
import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty } from '../shared/authentication';
import { includeRawOptions } from '../shared/webhook-trigger';

const MANUAL_STEPS =
  'Manual setup, the documented way (F&O publishes no API to create endpoints): ' +
  '1. Fill in Shared Secret below with a long random value (e.g. openssl rand -hex 32). ' +
  '2. In Azure Key Vault create a secret whose value is the Production URL shown under Webhook URLs, followed by ?secret= and the Shared Secret. ' +
  '3. In F&O open System administration > Setup > Business events > Business events catalog > Endpoints, add an HTTPS endpoint and enter the app registration (client ID and secret) allowed to read that Key Vault, the Key Vault DNS name and the Key Vault secret name. ' +
  '4. In the catalog select the business event, choose Activate, pick the legal entity (blank for all) and the endpoint. ' +
  '5. Activate this workflow. F&O posts every event to that URL (n8n must be reachable from F&O over HTTPS); requests without the secret get 401 and start nothing. No credential is needed.';

const AUTOMATIC_STEPS =
  'Automatic setup (credential with Service = Finance & Operations): activating the workflow creates an HTTPS endpoint in F&O whose URL is this node\'s Production URL with a new secret, ' +
  'and activates the business event for the legal entity on it; deactivating removes both. It uses the BusinessEventsEndpoints and ' +
  'BusinessEventsConfigurations entities, which the local Dynamics 365 sandbox emulator serves but Microsoft does not document: ' +
  'on a real environment that lacks them, activation fails with their error; use Manual setup there. ' +
  'Listen for Test Event makes a separate endpoint for the test URL and removes it afterwards.';

export const triggerProperties: INodeProperties[] = [
  {
    displayName: 'Setup',
    name: 'setup',
    type: 'options',
    default: 'manual',
    options: [
      { name: 'Manual (Endpoint Configured in F&O)', value: 'manual', description: 'An administrator sets up the endpoint and activation in F&O; no credential needed' },
      { name: 'Automatic (Sandbox Emulator OData Entities)', value: 'automatic', description: 'The node creates and removes the endpoint and activation through OData' },
    ],
  },
  { ...authenticationProperty, displayOptions: { show: { setup: ['automatic'] } } },
  { displayName: MANUAL_STEPS, name: 'manualNotice', type: 'notice', default: '', displayOptions: { show: { setup: ['manual'] } } },
  { displayName: AUTOMATIC_STEPS, name: 'automaticNotice', type: 'notice', default: '', displayOptions: { show: { setup: ['automatic'] } } },
  {
    displayName: 'Business Event Name or ID',
    name: 'businessEvent',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getBusinessEvents' },
    required: true,
    default: '',
    displayOptions: { show: { setup: ['automatic'] } },
    description: 'The event that starts the workflow, from the F&O catalog. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
  },
  {
    displayName: 'Business Event ID',
    name: 'businessEventId',
    type: 'string',
    required: true,
    default: '',
    placeholder: 'PurchaseOrderConfirmedBusinessEvent',
    displayOptions: { show: { setup: ['manual'] } },
    description: 'The Business event ID column of the F&O catalog (the class name); events with another ID are answered and ignored',
  },
  {
    displayName: 'Legal Entity',
    name: 'legalEntity',
    type: 'string',
    default: '',
    placeholder: 'USMF',
    description: 'The dataAreaId whose events start the workflow; empty for every legal entity',
  },
  {
    displayName: 'Shared Secret',
    name: 'sharedSecret',
    type: 'string',
    typeOptions: { password: true },
    required: true,
    default: '',
    displayOptions: { show: { setup: ['manual'] } },
    description: 'The value after ?secret= in the endpoint URL kept in Key Vault; at least 24 letters, digits or . _ ~ -',
  },
  includeRawOptions('Whether to add the payload as F&O sent it (under raw) to the item', 'Include Raw Event'),
];
