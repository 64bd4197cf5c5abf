import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Delegated (signed-in user) access to Dataverse or Finance & Operations: OAuth2 authorization code. n8n holds and
 * refreshes the tokens; the nodes only read the current access token from `oauthTokenData`. `service` (default
 * 'auto': detected from the URL) picks the scope: `<url>/.default` for F&O, `<url>/user_impersonation` for Dataverse.
 */
export class Dynamics365OAuth2Api implements ICredentialType {
  name = 'dynamics365OAuth2Api';

  extends = ['oAuth2Api'];

  displayName = 'Dynamics 365 OAuth2 (Delegated) API';

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
        'Which Dynamics 365 service the Environment URL is. Detect From URL treats *.operations.dynamics.com, *.cloudax.dynamics.com and *.cloud.onebox.dynamics.com as Finance & Operations and any other URL as Dataverse. Finance & Operations asks for the <url>/.default scope, Dataverse for <url>/user_impersonation.',
    },
    {
      displayName: 'Tenant ID',
      name: 'tenantId',
      type: 'string',
      default: 'organizations',
      description: 'Directory (tenant) ID; used in the default sign-in URLs',
    },
    {
      displayName: 'Grant Type',
      name: 'grantType',
      type: 'hidden',
      default: 'authorizationCode',
    },
    {
      displayName: 'Authorization URL',
      name: 'authUrl',
      type: 'string',
      default: '=https://login.microsoftonline.com/{{$self["tenantId"]}}/oauth2/v2.0/authorize',
      required: true,
    },
    {
      displayName: 'Access Token URL',
      name: 'accessTokenUrl',
      type: 'string',
      default: '=https://login.microsoftonline.com/{{$self["tenantId"]}}/oauth2/v2.0/token',
      required: true,
    },
    {
      displayName: 'Scope',
      name: 'scope',
      type: 'hidden',
      default:
        '={{$self["environmentUrl"].replace(/\\/+$/, "") + ($self["service"] === "financeOperations" || ($self["service"] !== "dataverse" && /^https:\\/\\/[^\\/]+\\.(operations|cloudax|cloud\\.onebox)\\.dynamics\\.com$/i.test($self["environmentUrl"].replace(/\\/+$/, ""))) ? "/.default" : "/user_impersonation")}} offline_access',
    },
    {
      displayName: 'Auth URI Query Parameters',
      name: 'authQueryParameters',
      type: 'hidden',
      default: 'prompt=select_account',
    },
    {
      displayName: 'Authentication',
      name: 'authentication',
      type: 'hidden',
      default: 'body',
    },
  ];
}
