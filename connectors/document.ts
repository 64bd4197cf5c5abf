/**
 * The parts every generated Swagger shares, whatever the style: info with contact and connector metadata, a
 * placeholder host (the dynamichosturl policy routes each connection to its own environment), the OData base path,
 * AAD OAuth security, and the internal headers Dataverse and F&O expect.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { connectorTitle, sentence } from './names';
import type { GenerateOptions, GeneratorWarning } from './types';

export const BASE_PATHS = Object.freeze({ dataverse: '/api/data/v9.2', fno: '/data' });

/** Swagger's host cannot be templated; this one is replaced per connection and never called as such. */
export const PLACEHOLDER_HOSTS = Object.freeze({ dataverse: 'contoso.crm.dynamics.com', fno: 'contoso.operations.dynamics.com' });

/** Distinct per style, so both connectors of one environment can live side by side (folder names come from titles). */
const DEFAULT_TITLES = Object.freeze({
  dataverse: { dynamic: 'Dataverse Rows', typed: 'Dataverse Tables' },
  fno: { dynamic: 'Finance and Operations', typed: 'Finance and Operations Data' },
});

export interface BaseDocumentInput {
  options: GenerateOptions;
  /** What this connector covers, for the description (e.g. "accounts, contacts and 3 more tables"). */
  covers: string;
  warnings: GeneratorWarning[];
}

export function baseDocument({ options, covers, warnings }: BaseDocumentInput): OpenAPIV2.Document {
  const service = options.service;
  const title = connectorTitle(options.title ?? DEFAULT_TITLES[service][options.style], warnings);
  const product = service === 'dataverse' ? 'Microsoft Dataverse (Dynamics 365)' : 'Dynamics 365 Finance and Operations';
  const description = sentence(`Reads and writes ${covers} in ${product}, generated from the environment's OData metadata`).slice(0, 500);
  return {
    swagger: '2.0',
    info: {
      title,
      description,
      version: '1.0',
      contact: { name: options.publisher ?? 'n8n-nodes-dynamics365', url: 'https://www.npmjs.com/package/n8n-nodes-dynamics365' },
    },
    host: options.host ?? PLACEHOLDER_HOSTS[service],
    basePath: BASE_PATHS[service],
    schemes: ['https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    paths: {},
    definitions: {},
    parameters: {},
    responses: {},
    securityDefinitions: {
      oauth2_auth: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: 'https://login.windows.net/common/oauth2/authorize',
        tokenUrl: 'https://login.windows.net/common/oauth2/authorize',
        scopes: {},
      },
    },
    security: [{ oauth2_auth: [] }],
    'x-ms-connector-metadata': [
      { propertyName: 'Website', propertyValue: service === 'dataverse' ? 'https://learn.microsoft.com/power-apps/developer/data-platform/webapi/overview' : 'https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/data-entities/odata' },
      { propertyName: 'Privacy policy', propertyValue: 'https://privacy.microsoft.com/privacystatement' },
      { propertyName: 'Categories', propertyValue: 'Business Management;Data' },
    ],
  } as OpenAPIV2.Document;
}

/**
 * Headers every request needs, as internal parameters with defaults (hidden from makers, always sent). Shared through
 * `#/parameters` so each operation refers to them instead of repeating them.
 */
export const ODATA_HEADER_PARAMETERS: Readonly<Record<string, OpenAPIV2.Parameter>> = Object.freeze({
  ODataVersion: {
    name: 'OData-Version',
    in: 'header',
    required: true,
    type: 'string',
    default: '4.0',
    'x-ms-visibility': 'internal',
    'x-ms-summary': 'OData version',
    description: 'OData protocol version of the request.',
  },
  ODataMaxVersion: {
    name: 'OData-MaxVersion',
    in: 'header',
    required: true,
    type: 'string',
    default: '4.0',
    'x-ms-visibility': 'internal',
    'x-ms-summary': 'OData max version',
    description: 'Highest OData protocol version the caller understands.',
  },
});
