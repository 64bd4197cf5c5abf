/**
 * apiProperties.json of a generated connector: how a connection authenticates and where its calls go.
 *
 * - Auth: Entra ID (`identityProvider: aad`). Dataverse uses the multi-tenant resource https://disco.crm.dynamics.com
 *   (as the certified Resco Reports connector does); F&O uses the Dynamics ERP application. In both, the visible
 *   `token:resourceUri` sub-parameter holds the environment URL: it is the audience the token is requested for and,
 *   through the `dynamichosturl` policy, the host every call is routed to.
 * - `connectionParameterSets`: the same user sign-in ("OAuth") plus a "Service principal" set (client id, secret,
 *   tenant from the connection's Entra tenant, `token:grantType` = client_credentials) for flows that must not run
 *   as a person.
 * - Policies: `dynamichosturl` with `@connectionParameters('token:resourceUri')/api/data/v9.2` (F&O `/data`), and
 *   `updatenextlink` for the pageable operations so `@odata.nextLink` pages come back through the connector.
 */
import { ICON_BRAND_COLOR } from './icon';
import type { ApiProperties, ServiceKind } from './types';

/** Written where the app registration's client id belongs; RUNBOOK.md says to replace it before import. */
export const CLIENT_ID_PLACEHOLDER = '<<APP-REGISTRATION-CLIENT-ID>>';
export const DATAVERSE_RESOURCE = 'https://disco.crm.dynamics.com';
/** The Microsoft Dynamics ERP application (first-party Fin & Ops connector's resource). */
export const FNO_RESOURCE = '00000015-0000-0000-c000-000000000000';
export const REDIRECT_URL = 'https://global.consent.azure-apim.net/redirect';
export const RESOURCE_URI_PARAMETER = 'token:resourceUri';

export const URL_TEMPLATES = Object.freeze({
  dataverse: `@connectionParameters('${RESOURCE_URI_PARAMETER}')/api/data/v9.2`,
  fno: `@connectionParameters('${RESOURCE_URI_PARAMETER}')/data`,
});

export interface ApiPropertiesInput {
  service: ServiceKind;
  /** Every operationId of the swagger: the operations the dynamichosturl policy routes. */
  operationIds: string[];
  /** The operations with `x-ms-pageable` (updatenextlink). */
  pageableOperationIds: string[];
  publisher?: string;
  clientId?: string;
  /** The operations script.csx handles (`scriptOperations`); absent when the connector has no custom code. */
  scriptOperationIds?: string[];
}

type Json = Record<string, unknown>;

function environmentLabel(service: ServiceKind): { name: string; example: string } {
  return service === 'dataverse'
    ? { name: 'Dataverse environment URL', example: 'https://contoso.crm.dynamics.com' }
    : { name: 'Finance and Operations environment URL', example: 'https://contoso.operations.dynamics.com' };
}

function resourceUriParameter(service: ServiceKind): Json {
  const { name, example } = environmentLabel(service);
  const text = `The environment URL without a trailing slash, e.g. ${example}. Calls are sent to it and the token is requested for it.`;
  return {
    type: 'string',
    uiDefinition: {
      displayName: name,
      description: text,
      tooltip: text,
      constraints: { required: 'true', hidden: 'false' },
    },
  };
}

/**
 * `token:TenantId` exactly as the PowerPlatformConnectors schema requires it: hidden, and filled in by the platform
 * from its `AzureActiveDirectoryTenant` source (the maker's tenant, where the app registration lives).
 */
function tenantParameter(): Json {
  return {
    type: 'string',
    metadata: { sourceType: 'AzureActiveDirectoryTenant' },
    uiDefinition: {
      displayName: 'Tenant',
      description: 'The tenant ID of for the Azure Active Directory application',
      constraints: { required: 'false', hidden: 'true' },
    },
  };
}

function grantTypeParameter(grant: 'code' | 'client_credentials'): Json {
  return {
    type: 'string',
    allowedValues: [{ value: grant }],
    uiDefinition: { constraints: { required: 'false', hidden: 'true', allowedValues: [{ text: grant, value: grant }] } },
  };
}

function oauthToken(service: ServiceKind, clientId: string | undefined, grant: 'code' | 'client_credentials'): Json {
  const resource = service === 'dataverse' ? DATAVERSE_RESOURCE : FNO_RESOURCE;
  // The grant type is the `token:grantType` parameter (as in certified AAD connectors): the schema's `aad`
  // customParameters allow only resourceUri, loginUri and tenantId.
  const customParameters: Json = {
    loginUri: { value: 'https://login.microsoftonline.com' },
    tenantId: { value: 'common' },
    resourceUri: { value: resource },
  };
  const oAuthSettings: Json = {
    identityProvider: 'aad',
    scopes: [],
    redirectMode: 'Global',
    redirectUrl: REDIRECT_URL,
    properties: { IsFirstParty: 'False', AzureActiveDirectoryResourceId: resource },
    customParameters,
  };
  // The client-credentials set takes the client id and secret from the connection (token:clientId/clientSecret).
  if (grant === 'code') oAuthSettings.clientId = clientId ?? CLIENT_ID_PLACEHOLDER;
  return {
    type: 'oauthSetting',
    oAuthSettings,
    uiDefinition: {
      displayName: grant === 'code' ? 'Sign in with Microsoft Entra ID' : 'Service principal',
      description: grant === 'code' ? 'Sign in with a Microsoft Entra ID work account.' : 'An app registration that signs in with its client id and secret.',
      tooltip: grant === 'code' ? 'Sign in with a Microsoft Entra ID work account.' : 'An app registration that signs in with its client id and secret.',
      constraints: { required: 'true' },
    },
  };
}

/** The user sign-in parameters (authorization code). */
function userParameters(service: ServiceKind, clientId?: string): Json {
  return {
    token: oauthToken(service, clientId, 'code'),
    'token:TenantId': tenantParameter(),
    [RESOURCE_URI_PARAMETER]: resourceUriParameter(service),
  };
}

function servicePrincipalParameters(service: ServiceKind): Json {
  return {
    token: oauthToken(service, undefined, 'client_credentials'),
    'token:clientId': {
      type: 'string',
      uiDefinition: {
        displayName: 'Client ID',
        description: 'The application (client) id of the app registration.',
        tooltip: 'The application (client) id of the app registration.',
        constraints: { required: 'true', hidden: 'false' },
      },
    },
    'token:clientSecret': {
      type: 'securestring',
      uiDefinition: {
        displayName: 'Client Secret',
        description: 'A client secret of the app registration.',
        tooltip: 'A client secret of the app registration.',
        constraints: { required: 'true', hidden: 'false' },
      },
    },
    'token:TenantId': tenantParameter(),
    [RESOURCE_URI_PARAMETER]: resourceUriParameter(service),
    'token:grantType': grantTypeParameter('client_credentials'),
  };
}

export function apiPropertiesFor(input: ApiPropertiesInput): ApiProperties {
  const { service } = input;
  const product = service === 'dataverse' ? 'Dataverse' : 'Finance and Operations';
  const policies: NonNullable<ApiProperties['properties']['policyTemplateInstances']> = [];
  if (input.operationIds.length > 0) {
    policies.push({
      templateId: 'dynamichosturl',
      title: `Route to the ${product} OData endpoint of the connection`,
      parameters: {
        'x-ms-apimTemplate-operationName': [...input.operationIds],
        'x-ms-apimTemplateParameter.urlTemplate': URL_TEMPLATES[service],
      },
    });
  }
  if (input.pageableOperationIds.length > 0) {
    policies.push({
      templateId: 'updatenextlink',
      title: 'Update @odata.nextLink to make paging work',
      parameters: {
        'x-ms-apimTemplate-operationName': [...input.pageableOperationIds],
        'x-ms-apimTemplateParameter.nextLinkPropertyName': '@odata.nextLink',
      },
    });
  }
  const publisher = input.publisher ?? 'n8n-nodes-dynamics365';
  const user = userParameters(service, input.clientId);
  return {
    properties: {
      connectionParameters: user,
      connectionParameterSets: {
        uiDefinition: { displayName: 'Authentication type', description: 'How the connection signs in to Microsoft Entra ID.' },
        values: [
          {
            name: 'Oauth',
            uiDefinition: { displayName: 'OAuth', description: 'Sign in with a Microsoft Entra ID work account.' },
            parameters: { ...user, 'token:grantType': grantTypeParameter('code') },
            metadata: { allowSharing: false },
          },
          {
            name: 'ServicePrincipalOauth',
            uiDefinition: { displayName: 'Service principal', description: 'Provide Microsoft Entra ID credentials using a client id and secret.' },
            parameters: servicePrincipalParameters(service),
            metadata: { allowSharing: true },
          },
        ],
      },
      iconBrandColor: ICON_BRAND_COLOR,
      capabilities: ['actions'],
      policyTemplateInstances: policies,
      publisher,
      stackOwner: 'Microsoft Corporation',
      // An empty list would send every operation through the script; only the ones it handles are listed.
      ...(input.scriptOperationIds?.length ? { scriptOperations: [...input.scriptOperationIds] } : {}),
    },
  };
}
