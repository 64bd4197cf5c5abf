import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LIMITS } from '../../connectors/types';
import { formatReport, validateConnector, validateConnectorFolder, type ValidationReport } from '../../connectors/validate';
import { SCHEMA_DIR, stripJsonComments } from '../../connectors/validate/json-schemas';

function pngHeader(width = 230, height = 230): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.set([8, 6, 0, 0, 0], 24);
  return b;
}

function minimalConnector(): { swagger: any; apiProperties: any; settings: any; icon: Buffer } {
  return {
    swagger: {
      swagger: '2.0',
      info: {
        title: 'Contoso Tables',
        description: 'Reads and writes the account rows of a Contoso Dataverse environment.',
        version: '1.0',
        contact: { name: 'Contoso', url: 'https://contoso.example', email: 'support@contoso.example' },
      },
      host: 'contoso.crm.dynamics.com',
      basePath: '/api/data/v9.2',
      schemes: ['https'],
      consumes: ['application/json'],
      produces: ['application/json'],
      paths: {
        '/accounts': {
          get: {
            operationId: 'ListAccounts',
            summary: 'List accounts',
            description: 'Lists the accounts of the environment.',
            parameters: [
              { name: '$top', in: 'query', type: 'integer', required: false, 'x-ms-summary': 'Top count', description: 'The number of rows to return.' },
              { name: 'Prefer', in: 'header', type: 'string', required: true, default: 'odata.maxpagesize=100', 'x-ms-visibility': 'internal' },
            ],
            responses: {
              '200': { description: 'The accounts.', schema: { $ref: '#/definitions/AccountList' } },
              default: { description: 'The operation failed.' },
            },
          },
          post: {
            operationId: 'CreateAccount',
            summary: 'Create an account',
            description: 'Creates an account row.',
            parameters: [
              {
                name: 'parentId',
                in: 'query',
                type: 'string',
                required: false,
                'x-ms-summary': 'Parent account',
                description: 'The parent account.',
                'x-ms-dynamic-values': { operationId: 'ListAccounts', 'value-collection': 'value', 'value-path': 'accountid', 'value-title': 'name' },
              },
              { name: 'body', in: 'body', required: true, 'x-ms-summary': 'Account', description: 'The new account.', schema: { $ref: '#/definitions/Account' } },
            ],
            responses: { '201': { description: 'The created account.', schema: { $ref: '#/definitions/Account' } } },
          },
        },
      },
      definitions: {
        Account: {
          type: 'object',
          properties: {
            accountid: { type: 'string', format: 'uuid', 'x-ms-summary': 'Account', description: 'The account id.' },
            name: { type: 'string', 'x-ms-summary': 'Name', description: 'The account name.' },
          },
        },
        AccountList: { type: 'object', properties: { value: { type: 'array', items: { $ref: '#/definitions/Account' } } } },
      },
      'x-ms-connector-metadata': [
        { propertyName: 'Website', propertyValue: 'https://contoso.example' },
        { propertyName: 'Privacy policy', propertyValue: 'https://contoso.example/privacy' },
        { propertyName: 'Categories', propertyValue: 'Data;Business Management' },
      ],
    },
    apiProperties: {
      properties: {
        iconBrandColor: '#da3b01',
        capabilities: [],
        publisher: 'Contoso',
        stackOwner: 'Contoso',
        connectionParameters: {
          token: {
            type: 'oauthSetting',
            oAuthSettings: {
              identityProvider: 'aad',
              clientId: 'client-id',
              scopes: [],
              redirectMode: 'GlobalPerConnector',
              redirectUrl: 'https://global.consent.azure-apim.net/redirect',
              properties: { IsFirstParty: 'False' },
              customParameters: {
                loginUri: { value: 'https://login.microsoftonline.com' },
                tenantId: { value: 'common' },
                resourceUri: { value: 'https://disco.crm.dynamics.com' },
              },
            },
          },
          'token:resourceUri': {
            type: 'string',
            uiDefinition: {
              displayName: 'Environment URL',
              description: 'The Dataverse environment URL.',
              tooltip: 'For example https://contoso.crm.dynamics.com',
              constraints: { required: 'true', hidden: false },
            },
          },
        },
        policyTemplateInstances: [
          {
            templateId: 'dynamichosturl',
            title: 'Route to the environment',
            parameters: {
              'x-ms-apimTemplate-operationName': ['ListAccounts', 'CreateAccount'],
              'x-ms-apimTemplateParameter.urlTemplate': "@connectionParameters('token:resourceUri')/api/data/v9.2",
            },
          },
        ],
        scriptOperations: [],
      },
    },
    settings: {
      apiProperties: 'apiProperties.json',
      apiDefinition: 'apiDefinition.swagger.json',
      icon: 'icon.png',
      script: 'script.csx',
      powerAppsApiVersion: '2016-11-01',
    },
    icon: pngHeader(),
  };
}

type Connector = ReturnType<typeof minimalConnector>;
const accounts = '/paths/~1accounts';
const policy = '/properties/policyTemplateInstances/0/parameters';

async function run(c: Connector & { swaggerBytes?: number }): Promise<ValidationReport> {
  return validateConnector(c);
}

describe('connectors/validate: minimal valid connector', () => {
  it('passes with no errors and no warnings', async () => {
    const report = await run(minimalConnector());
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('ships the PowerPlatformConnectors schemas with their licence next to the code', async () => {
    const files = await fs.readdir(SCHEMA_DIR);
    expect(files).toEqual(
      expect.arrayContaining([
        'apiDefinition.swagger.schema.json',
        'paconn-apiProperties.schema.json',
        'paconn-settings.schema.json',
        'LICENSE-PowerPlatformConnectors.txt',
        'NOTICE-PowerPlatformConnectors.txt',
      ]),
    );
  });

  it('strips JSONC comments but keeps // inside strings', () => {
    const text = '{ "a": "https://x//y", // comment\n "b": [1 /* block */, 2] }';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: 'https://x//y', b: [1, 2] });
  });
});

/** [rule, break the copy, expected JSON pointer]. */
const cases: Array<[string, (c: Connector & { swaggerBytes?: number }) => void, string]> = [
  ['swagger-structure', (c) => (c.swagger.swagger = '3.0'), '/swagger'],
  ['swagger-structure', (c) => (c.swagger.paths['/accounts'].get.responses['200'].schema = { $ref: '#/definitions/Missing' }), ''],
  ['schema-apiDefinition', (c) => (c.swagger['x-ms-unknown-root'] = true), ''],
  ['schema-apiProperties', (c) => (c.apiProperties.properties.connectionParameters.token.oAuthSettings.redirectMode = 'Bogus'), '/properties/connectionParameters/token/oAuthSettings/redirectMode'],
  ['schema-settings', (c) => (c.settings.unknownSetting = 1), ''],
  ['title-length', (c) => (c.swagger.info.title = 'A'.repeat(LIMITS.titleLength + 1)), '/info/title'],
  ['title-restricted-words', (c) => (c.swagger.info.title = 'Contoso API'), '/info/title'],
  ['title-restricted-words', (c) => (c.swagger.info.title = 'Contoso Connector'), '/info/title'],
  ['description-required', (c) => delete c.swagger.info.description, '/info'],
  ['description-length', (c) => (c.swagger.info.description = 'Too short.'), '/info/description'],
  ['description-length', (c) => (c.swagger.info.description = 'x'.repeat(LIMITS.descriptionMax + 1)), '/info/description'],
  ['description-restricted-words', (c) => (c.swagger.info.description += ' Use it from Power Automate.'), '/info/description'],
  ['contact-required', (c) => delete c.swagger.info.contact, '/info'],
  ['connector-metadata-required', (c) => delete c.swagger['x-ms-connector-metadata'], '/x-ms-connector-metadata'],
  ['operation-id-required', (c) => delete c.swagger.paths['/accounts'].post.operationId, `${accounts}/post`],
  ['operation-id-pascal-case', (c) => (c.swagger.paths['/accounts'].post.operationId = 'create_account'), `${accounts}/post/operationId`],
  ['operation-id-unique', (c) => (c.swagger.paths['/accounts'].post.operationId = 'ListAccounts'), `${accounts}/post/operationId`],
  ['summary-required', (c) => delete c.swagger.paths['/accounts'].get.summary, `${accounts}/get`],
  ['summary-length', (c) => (c.swagger.paths['/accounts'].get.summary = `List ${'a'.repeat(LIMITS.summaryLength)}`), `${accounts}/get/summary`],
  ['summary-restricted-characters', (c) => (c.swagger.paths['/accounts'].get.summary = 'List accounts/contacts'), `${accounts}/get/summary`],
  ['summary-trailing-character', (c) => (c.swagger.paths['/accounts'].get.summary = 'List accounts.'), `${accounts}/get/summary`],
  ['summary-equals-operation-id', (c) => (c.swagger.paths['/accounts'].get.summary = 'ListAccounts'), `${accounts}/get/summary`],
  ['operation-description-required', (c) => delete c.swagger.paths['/accounts'].get.description, `${accounts}/get`],
  ['operation-description-equals-summary', (c) => (c.swagger.paths['/accounts'].get.description = 'List accounts.'), `${accounts}/get/description`],
  ['parameter-summary-required', (c) => delete c.swagger.paths['/accounts'].get.parameters[0]['x-ms-summary'], `${accounts}/get/parameters/0`],
  ['parameter-description-required', (c) => delete c.swagger.paths['/accounts'].get.parameters[0].description, `${accounts}/get/parameters/0`],
  ['internal-parameter-default', (c) => delete c.swagger.paths['/accounts'].get.parameters[1].default, `${accounts}/get/parameters/1`],
  ['default-response-schema', (c) => (c.swagger.paths['/accounts'].get.responses.default.schema = { type: 'object' }), `${accounts}/get/responses/default`],
  ['success-response-required', (c) => delete c.swagger.paths['/accounts'].get.responses['200'], `${accounts}/get/responses`],
  ['empty-schema', (c) => (c.swagger.paths['/accounts'].get.responses['200'].schema = {}), `${accounts}/get/responses/200/schema`],
  ['type-array', (c) => (c.swagger.definitions.Account.properties.name.type = ['string', 'null']), '/definitions/Account/properties/name/type'],
  ['schema-type', (c) => (c.swagger.definitions.Account.properties.name = []), '/definitions/Account/properties/name'],
  ['max-schemas', (c) => { for (let i = 0; i <= LIMITS.maxSchemas; i++) c.swagger.definitions[`Extra${i}`] = { type: 'string' }; }, '/definitions'],
  ['swagger-size', (c) => (c.swaggerBytes = LIMITS.maxSwaggerBytes + 1), ''],
  ['host', (c) => (c.swagger.host = '{org}.crm.dynamics.com'), '/host'],
  ['host', (c) => (c.swagger.host = 'contoso.crm.dynamics.com/api'), '/host'],
  ['base-path', (c) => (c.swagger.basePath = 'api/data/v9.2'), '/basePath'],
  ['dynamic-operation-reference', (c) => (c.swagger.paths['/accounts'].post.parameters[0]['x-ms-dynamic-values'].operationId = 'ListParents'), `${accounts}/post/parameters/0/x-ms-dynamic-values/operationId`],
  ['dynamic-operation-reference', (c) => (c.swagger.definitions.Account['x-ms-dynamic-schema'] = { operationId: 'GetSchema', 'value-path': 'schema' }), '/definitions/Account/x-ms-dynamic-schema/operationId'],
  ['icon-brand-color-required', (c) => delete c.apiProperties.properties.iconBrandColor, '/properties'],
  ['icon-brand-color-restricted', (c) => (c.apiProperties.properties.iconBrandColor = '#007EE5'), '/properties/iconBrandColor'],
  ['icon-brand-color-restricted', (c) => (c.apiProperties.properties.iconBrandColor = '#ffffff'), '/properties/iconBrandColor'],
  ['dynamichosturl-parameters', (c) => (c.apiProperties.properties.policyTemplateInstances[0].parameters['x-ms-apimTemplateParameter.urlTemplate'] = "@connectionParameters('orgUrl')/api/data/v9.2"), `${policy}/x-ms-apimTemplateParameter.urlTemplate`],
  ['dynamichosturl-parameters', (c) => delete c.apiProperties.properties.policyTemplateInstances[0].parameters['x-ms-apimTemplateParameter.urlTemplate'], policy],
  ['policy-operation-reference', (c) => c.apiProperties.properties.policyTemplateInstances[0].parameters['x-ms-apimTemplate-operationName'].push('DeleteAccount'), `${policy}/x-ms-apimTemplate-operationName/2`],
  ['icon-png', (c) => (c.icon = Buffer.from('GIF89a not a png at all')), ''],
  ['icon-png', (c) => { c.icon = Buffer.from(c.icon); c.icon.write('IDAT', 12, 'latin1'); }, ''],
];

describe('connectors/validate: one broken copy per rule', () => {
  it.each(cases)('%s', async (rule, breakIt, expectedPath) => {
    const c: Connector & { swaggerBytes?: number } = minimalConnector();
    breakIt(c);
    const report = await run(c);
    const hits = report.errors.filter((e) => e.rule === rule);
    expect(hits.map((e) => e.path)).toContain(expectedPath);
  });

  it('uses the certification messages verbatim', async () => {
    const c = minimalConnector();
    c.swagger.info.title = 'The Contoso Tables Connector API';
    delete c.swagger.info.contact;
    delete c.swagger['x-ms-connector-metadata'];
    c.swagger.paths['/accounts'].get.summary = 'List accounts & contacts';
    c.swagger.paths['/accounts'].get.responses.default.schema = { type: 'object' };
    delete c.swagger.paths['/accounts'].get.parameters[0]['x-ms-summary'];
    const messages = (await run(c)).errors.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        "The 'title' value goes over the character limit '30' ValuePath: /info/title",
        "The value 'title' contains at least one of the restricted words: 'api, connector'. ValuePath: /info/title",
        "The 'contact' property is required. ValuePath: /info",
        "The 'x-ms-connector-metadata' property is required.",
        'Summary string contains any of the restricted characters [/\\<>*%&?] ValuePath: /paths/~1accounts/get/summary',
        "The 'default' response should not have schema definition. Schemas should be defined on expected responses only. ValuePath: /paths/~1accounts/get/responses/default",
        "The 'x-ms-summary' property is required. ValuePath: /paths/~1accounts/get/parameters/0",
      ]),
    );
  });

  it('only warns about unlabelled body parameters and skips the parameters of internal operations', async () => {
    const c = minimalConnector();
    delete c.swagger.paths['/accounts'].post.parameters[1]['x-ms-summary'];
    c.swagger.paths['/accounts'].get['x-ms-visibility'] = 'internal';
    delete c.swagger.paths['/accounts'].get.parameters[0].description;
    const report = await run(c);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([expect.objectContaining({ rule: 'parameter-summary-required', path: `${accounts}/post/parameters/1` })]);
  });

  it('accepts the documented apiProperties shapes the repository schema lacks', async () => {
    const c = minimalConnector();
    const token = c.apiProperties.properties.connectionParameters.token;
    c.apiProperties.properties.connectionParameterSets = {
      uiDefinition: { displayName: 'Authentication type', description: 'Type of authentication to be used.' },
      values: [
        { name: 'Oauth', uiDefinition: { displayName: 'OAuth', description: 'Sign in.' }, parameters: { token, 'token:resourceUri': c.apiProperties.properties.connectionParameters['token:resourceUri'] } },
        {
          name: 'ServicePrincipal',
          uiDefinition: { displayName: 'Service principal', description: 'Client id and secret.' },
          parameters: {
            token,
            'token:clientId': { type: 'string', uiDefinition: { displayName: 'Client ID', constraints: { required: true, hidden: false } } },
            'token:resourceUri': { type: 'string', uiDefinition: { displayName: 'Environment URL', constraints: { required: 'true', hidden: 'false' } } },
          },
          metadata: { allowSharing: true },
        },
      ],
    };
    c.apiProperties.properties.scriptOperations = ['CreateAccount'];
    expect((await run(c)).errors).toEqual([]);
  });

  it('warns about a non-230×230 icon and incomplete connector metadata', async () => {
    const c = minimalConnector();
    c.icon = pngHeader(32, 32);
    c.swagger['x-ms-connector-metadata'].pop();
    const report = await run(c);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.rule).sort()).toEqual(['connector-metadata-entries', 'icon-size']);
  });

  it('formats a report as one line per issue', async () => {
    const c = minimalConnector();
    c.apiProperties.properties.iconBrandColor = '#ffffff';
    const text = formatReport(await run(c));
    expect(text).toMatch(/^error \[icon-brand-color-restricted\] apiProperties\.json#\/properties\/iconBrandColor: /);
  });
});

describe('connectors/validate: folders', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'validate-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function writeFolder(c: Connector, swaggerName = 'apiDefinition.swagger.json'): Promise<void> {
    await fs.writeFile(path.join(dir, swaggerName), JSON.stringify(c.swagger, null, 4));
    await fs.writeFile(path.join(dir, 'apiProperties.json'), JSON.stringify(c.apiProperties, null, 4));
    await fs.writeFile(path.join(dir, 'settings.json'), JSON.stringify(c.settings, null, 4));
    await fs.writeFile(path.join(dir, 'icon.png'), c.icon);
    // settings.json names the custom code file, so the folder has one (an empty scriptOperations list sends every operation through it).
    if (c.settings.script) await fs.writeFile(path.join(dir, c.settings.script), 'public class Script : ScriptBase\n{\n    public override async Task<HttpResponseMessage> ExecuteAsync()\n    {\n        return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);\n    }\n}\n');
  }

  it('passes a valid folder, with the swagger file name in any case', async () => {
    await writeFolder(minimalConnector(), 'APIDEFINITION.swagger.json');
    expect(await validateConnectorFolder(dir)).toEqual({ errors: [], warnings: [] });
  });

  it('reports an icon.png that is not a PNG', async () => {
    const c = minimalConnector();
    await writeFolder(c);
    await fs.writeFile(path.join(dir, 'icon.png'), Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'));
    const report = await validateConnectorFolder(dir);
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'icon-png', file: 'icon.png' })]);
  });

  it('gives a clear error when the swagger file is missing', async () => {
    const c = minimalConnector();
    await fs.writeFile(path.join(dir, 'apiProperties.json'), JSON.stringify(c.apiProperties));
    const report = await validateConnectorFolder(dir);
    expect(report.errors).toEqual([
      expect.objectContaining({ rule: 'file-missing', file: 'apiDefinition.swagger.json', message: expect.stringContaining('has no apiDefinition.swagger.json') }),
    ]);
  });

  it('reports a missing apiProperties.json, invalid JSON and a missing folder', async () => {
    const c = minimalConnector();
    await fs.writeFile(path.join(dir, 'apiDefinition.swagger.json'), JSON.stringify(c.swagger));
    let report = await validateConnectorFolder(dir);
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'file-missing', file: 'apiProperties.json' })]);

    await fs.writeFile(path.join(dir, 'apiProperties.json'), '{ "properties": ');
    report = await validateConnectorFolder(dir);
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'json-parse', file: 'apiProperties.json' })]);

    report = await validateConnectorFolder(path.join(dir, 'nope'));
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'folder', message: expect.stringContaining('does not exist') })]);
  });
});
