import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * App-only access to a Dataverse or Finance & Operations environment through an Entra ID app registration (client
 * secret or certificate). `service` says which one the Environment URL is; credentials saved before it existed read
 * as 'auto', which keeps every Dataverse URL a Dataverse credential. Tested through the nodes' `testedBy`: WhoAmI for
 * Dataverse, the user session service for Finance & Operations, with the reason named when it fails.
 */
export class Dynamics365AppRegistrationApi implements ICredentialType {
  name = 'dynamics365AppRegistrationApi';

  displayName = 'Dynamics 365 App Registration API';

  icon: Icon = { light: 'file:dynamics365.svg', dark: 'file:dynamics365.dark.svg' };

  documentationUrl = 'https://learn.microsoft.com/power-apps/developer/data-platform/authenticate-oauth';

  properties: INodeProperties[] = [
    {
      displayName: 'Environment URL',
      name: 'environmentUrl',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'https://contoso.crm.dynamics.com',
      description: 'Address of the Dataverse or Finance & Operations environment (the token audience)',
    },
    {
      displayName: 'Service',
      name: 'service',
      type: 'options',
      default: 'auto',
      options: [
        { name: 'Detect From URL', value: 'auto' },
        { name: 'Dataverse', value: 'dataverse' },
        { name: 'Finance & Operations', value: 'financeOperations' },
      ],
      description:
        'Which Dynamics 365 service the Environment URL is. Detect From URL treats *.operations.dynamics.com, *.cloudax.dynamics.com and *.cloud.onebox.dynamics.com as Finance & Operations and any other URL as Dataverse; pick Finance & Operations for other F&O addresses (on-premises, a local sandbox).',
    },
    {
      displayName: 'Cloud',
      name: 'cloud',
      type: 'options',
      default: 'public',
      options: [
        { name: 'Public (Commercial)', value: 'public' },
        { name: 'US Government GCC', value: 'usgov' },
        { name: 'US Government GCC High', value: 'usgovhigh' },
        { name: 'US Government DoD', value: 'dod' },
        { name: 'China (21Vianet)', value: 'china' },
      ],
      description: 'National cloud of the tenant; it selects the Entra ID sign-in host',
    },
    {
      displayName: 'Tenant ID',
      name: 'tenantId',
      type: 'string',
      default: '',
      required: true,
      description: 'Directory (tenant) ID or verified domain of the Entra ID tenant',
    },
    {
      displayName: 'Client ID',
      name: 'clientId',
      type: 'string',
      default: '',
      required: true,
      description: 'Application (client) ID of the app registration',
    },
    {
      displayName: 'Authentication Method',
      name: 'authMethod',
      type: 'options',
      default: 'secret',
      options: [
        { name: 'Client Secret', value: 'secret' },
        { name: 'Certificate', value: 'certificate' },
      ],
    },
    {
      displayName: 'Client Secret',
      name: 'clientSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      displayOptions: { show: { authMethod: ['secret'] } },
      description: "The secret's Value (not its Secret ID) from Certificates & secrets",
    },
    {
      displayName: 'Certificate Private Key (PEM)',
      name: 'privateKeyPem',
      type: 'string',
      typeOptions: { password: true, rows: 5 },
      default: '',
      displayOptions: { show: { authMethod: ['certificate'] } },
      placeholder: '-----BEGIN PRIVATE KEY-----',
    },
    {
      displayName: 'Certificate (PEM)',
      name: 'certificatePem',
      type: 'string',
      typeOptions: { password: true, rows: 5 },
      default: '',
      displayOptions: { show: { authMethod: ['certificate'] } },
      placeholder: '-----BEGIN CERTIFICATE-----',
      description: 'The public certificate uploaded to the app registration',
    },
    {
      displayName: 'Authority URL Override',
      name: 'authorityUrl',
      type: 'string',
      default: '',
      placeholder: 'https://127.0.0.1:8443/<tenant>',
      description: 'Advanced: full Entra ID authority, e.g. the local sandbox emulator. Leave empty for Microsoft.',
    },
    {
      displayName: 'Trusted CA Certificate (PEM)',
      name: 'caCertificatePem',
      type: 'string',
      typeOptions: { password: true, rows: 5 },
      default: '',
      description: 'Advanced: extra certificate authority to trust, e.g. the local sandbox emulator\'s CA',
    },
  ];
}
