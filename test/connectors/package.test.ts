/**
 * Connector packages: apiProperties.json (AAD with the per-environment host, the service principal set, the
 * dynamichosturl and updatenextlink policies), settings.json, the generated PNG icon, RUNBOOK.md, and
 * generateConnectors' choices per service and style. The offline validator checks whole packages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import {
  apiPropertiesFor,
  CLIENT_ID_PLACEHOLDER,
  connectorIcon,
  DATAVERSE_RESOURCE,
  folderName,
  generateConnectors,
  GeneratorError,
  inspectPng,
  listOperations,
  settingsFor,
  URL_TEMPLATES,
} from '../../connectors';
import type { ApiProperties, ConnectorPackage } from '../../connectors';
import { crc32 } from '../../connectors/icon';
import { validateConnector } from '../../connectors/validate';

const model = parseCsdl(fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml'), 'utf8'));

const fnoModel = parseCsdl(`<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="CustomerV3"><Key><PropertyRef Name="dataAreaId"/><PropertyRef Name="CustomerAccount"/></Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false" MaxLength="4"/>
        <Property Name="CustomerAccount" Type="Edm.String" Nullable="false" MaxLength="20"/>
        <Property Name="OrganizationName" Type="Edm.String" MaxLength="100"/>
      </EntityType>
      <EntityContainer Name="Resources">
        <EntitySet Name="CustomersV3" EntityType="Microsoft.Dynamics.DataEntities.CustomerV3"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`);

type Props = ApiProperties['properties'];
const policy = (props: Props, id: string) => props.policyTemplateInstances?.find((p) => p.templateId === id);

describe('apiProperties.json', () => {
  const dv = apiPropertiesFor({ service: 'dataverse', operationIds: ['ListRows', 'GetRow'], pageableOperationIds: ['ListRows'], publisher: 'Contoso' }).properties;

  test('AAD sign-in with the disco resource and a visible environment URL; tenant parameter as the schema wants it', () => {
    const params = dv.connectionParameters as Record<string, any>;
    expect(params.token.type).toBe('oauthSetting');
    expect(params.token.oAuthSettings).toMatchObject({
      identityProvider: 'aad',
      clientId: CLIENT_ID_PLACEHOLDER,
      redirectUrl: 'https://global.consent.azure-apim.net/redirect',
      properties: { AzureActiveDirectoryResourceId: DATAVERSE_RESOURCE },
      customParameters: { resourceUri: { value: DATAVERSE_RESOURCE }, tenantId: { value: 'common' }, loginUri: { value: 'https://login.microsoftonline.com' } },
    });
    expect(params['token:resourceUri']).toMatchObject({ type: 'string', uiDefinition: { constraints: { required: 'true', hidden: 'false' } } });
    expect(params['token:TenantId']).toEqual({
      type: 'string',
      metadata: { sourceType: 'AzureActiveDirectoryTenant' },
      uiDefinition: { displayName: 'Tenant', description: 'The tenant ID of for the Azure Active Directory application', constraints: { required: 'false', hidden: 'true' } },
    });
  });

  test('connectionParameterSets: OAuth and a service principal with client credentials', () => {
    const sets = dv.connectionParameterSets as { values: Array<{ name: string; parameters: Record<string, any>; metadata: any }> };
    expect(sets.values.map((v) => v.name)).toEqual(['Oauth', 'ServicePrincipalOauth']);
    const sp = sets.values[1];
    expect(sp.parameters.token.oAuthSettings.identityProvider).toBe('aad');
    expect(sp.parameters.token.oAuthSettings.customParameters.resourceUri).toEqual({ value: DATAVERSE_RESOURCE });
    expect(sp.parameters.token.oAuthSettings.clientId).toBeUndefined();
    expect(sp.parameters['token:clientId'].uiDefinition.constraints.required).toBe('true');
    expect(sp.parameters['token:clientSecret'].type).toBe('securestring');
    // The tenant comes from the connection (sourceType AzureActiveDirectoryTenant), as the schema requires.
    expect(sp.parameters['token:TenantId'].metadata).toEqual({ sourceType: 'AzureActiveDirectoryTenant' });
    expect(sp.parameters['token:resourceUri'].uiDefinition.constraints.hidden).toBe('false');
    expect(sp.parameters['token:grantType'].allowedValues).toEqual([{ value: 'client_credentials' }]);
    expect(sp.metadata.allowSharing).toBe(true);
    expect(sets.values[0].parameters['token:grantType'].allowedValues).toEqual([{ value: 'code' }]);
    // The secret is never in the file.
    expect(JSON.stringify(dv)).not.toMatch(/clientSecret"\s*:\s*"[^"]/);
  });

  test('policies route to the connection environment and fix next links; brand colour and capabilities', () => {
    expect(policy(dv, 'dynamichosturl')!.parameters).toEqual({
      'x-ms-apimTemplate-operationName': ['ListRows', 'GetRow'],
      'x-ms-apimTemplateParameter.urlTemplate': "@connectionParameters('token:resourceUri')/api/data/v9.2",
    });
    expect(policy(dv, 'updatenextlink')!.parameters).toEqual({
      'x-ms-apimTemplate-operationName': ['ListRows'],
      'x-ms-apimTemplateParameter.nextLinkPropertyName': '@odata.nextLink',
    });
    expect(dv.iconBrandColor).toBe('#da3b01');
    expect(dv.capabilities).toEqual(['actions']);
    expect(dv.publisher).toBe('Contoso');
    expect(dv.stackOwner).toBeTruthy();
  });

  test('F&O: /data template, the Dynamics ERP resource, the environment URL as token:resourceUri; no paging policy without pageable operations', () => {
    const fno = apiPropertiesFor({ service: 'fno', operationIds: ['GetX'], pageableOperationIds: [] }).properties;
    expect(policy(fno, 'dynamichosturl')!.parameters['x-ms-apimTemplateParameter.urlTemplate']).toBe("@connectionParameters('token:resourceUri')/data");
    expect(URL_TEMPLATES.fno).toBe("@connectionParameters('token:resourceUri')/data");
    expect(policy(fno, 'updatenextlink')).toBeUndefined();
    const params = fno.connectionParameters as Record<string, any>;
    expect(params['token:resourceUri'].uiDefinition.description).toContain('operations.dynamics.com');
    expect(JSON.stringify(fno)).not.toContain('disco.crm.dynamics.com');
  });
});

describe('settings.json and icon.png', () => {
  test('settings name the files and the Power Apps API, nothing the schema forbids', () => {
    expect(settingsFor()).toEqual({
      apiProperties: 'apiProperties.json',
      apiDefinition: 'apiDefinition.swagger.json',
      icon: 'icon.png',
      powerAppsApiVersion: '2016-11-01',
      powerAppsUrl: 'https://api.powerapps.com',
    });
    expect(settingsFor({ environment: 'e1', connectorId: 'c1' })).toMatchObject({ environment: 'e1', connectorId: 'c1' });
  });

  test('the icon is a valid opaque 230x230 RGB PNG in the brand colour with a white mark', () => {
    const png = connectorIcon();
    expect(inspectPng(png)).toEqual({ width: 230, height: 230, bitDepth: 8, colorType: 2, chunks: ['IHDR', 'IDAT', 'IEND'] });
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const raw = require('node:zlib').inflateSync(png.subarray(png.indexOf('IDAT') + 4, png.length - 16)) as Buffer;
    const pixel = (x: number, y: number) => [...raw.subarray(y * (1 + 230 * 3) + 1 + x * 3, y * (1 + 230 * 3) + 4 + x * 3)];
    expect(pixel(0, 0)).toEqual([0xda, 0x3b, 0x01]);
    expect(pixel(115, 60)).toEqual([255, 255, 255]);
    const corrupt = Buffer.from(png);
    corrupt[40] ^= 0xff;
    expect(() => inspectPng(corrupt)).toThrow(/CRC/);
    expect(() => connectorIcon('#fff')).toThrow();
  });
});

describe('generateConnectors', () => {
  test('dynamic: one package whose policies cover exactly the swagger operations', () => {
    const { connectors } = generateConnectors(model, { service: 'dataverse', style: 'dynamic', publisher: 'Contoso' });
    expect(connectors).toHaveLength(1);
    const pkg = connectors[0];
    expect(pkg.name).toBe(folderName(pkg.swagger.info.title));
    expect(pkg.name).toMatch(/^[a-z0-9-]+$/);
    const ids = listOperations(pkg.swagger).map((o) => o.operationId);
    expect(policy(pkg.apiProperties.properties, 'dynamichosturl')!.parameters['x-ms-apimTemplate-operationName']).toEqual(ids);
    expect(pkg.apiProperties.properties.publisher).toBe('Contoso');
  });

  test('dynamic F&O is the generic /data connector (connectors/fno); an unknown style is refused', () => {
    const { connectors } = generateConnectors(fnoModel, { service: 'fno', style: 'dynamic' });
    expect(connectors).toHaveLength(1);
    expect(Object.keys(connectors[0].swagger.paths)).toContain('/{entityset}');
    expect(() => generateConnectors(model, { service: 'dataverse', style: 'fancy' as never })).toThrow(GeneratorError);
  });

  test('typed F&O: routed to /data with the Dynamics ERP auth', () => {
    const { connectors } = generateConnectors(fnoModel, { service: 'fno', style: 'typed' });
    expect(connectors).toHaveLength(1);
    const props = connectors[0].apiProperties.properties;
    expect(policy(props, 'dynamichosturl')!.parameters['x-ms-apimTemplateParameter.urlTemplate']).toBe(URL_TEMPLATES.fno);
    expect(policy(props, 'updatenextlink')!.parameters['x-ms-apimTemplate-operationName']).toEqual(['ListCustomersV3']);
    expect(connectors[0].runbook).toContain('200 calls per connection per 60 seconds');
    expect(connectors[0].runbook).toContain('Microsoft Entra applications');
  });

  test('typed with split: one package per document, distinct folder names, warnings shared', () => {
    const result = generateConnectors(model, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] });
    expect(result.connectors.length).toBeGreaterThanOrEqual(1);
    expect(new Set(result.connectors.map((c) => c.name)).size).toBe(result.connectors.length);
  });
});

describe('RUNBOOK.md', () => {
  const pkg: ConnectorPackage = generateConnectors(model, { service: 'dataverse', style: 'dynamic' }).connectors[0];
  const runbook = pkg.runbook;

  test('lists every operation with method and path', () => {
    for (const o of listOperations(pkg.swagger)) expect(runbook).toContain(`| \`${o.operationId}\` | ${o.method} | \`${o.path.replace(/\|/g, '\\|')}\``);
    expect(runbook).toContain('| `ListRows` | GET | `/api/data/v9.2/{entityset}` | read (pageable)');
    expect(runbook).toContain('| `UpdateRow` | PATCH | `/api/data/v9.2/{entityset}({id})` | update');
    expect(runbook).toContain('| `UpsertRow` | PATCH | `/api/data/v9.2/{entityset}({keyColumn}={keyValue})` | upsert');
    expect(runbook).toContain('| `RelateRows` | POST | `/api/data/v9.2/{entityset}({id})/{navigation}/$ref` | relate');
    expect(runbook).toContain('| `PerformUnboundAction` | POST | `/api/data/v9.2/{actionName}/` | action');
    expect(runbook).toContain('| `GetTables` | GET | `/api/data/v9.2/EntityDefinitions` | metadata');
    expect(runbook).toMatch(/\| \(each table the flows choose at run time\) \| Read and Write on the row[^|]*\| `PerformBoundAction` \|/);
    expect(runbook).toMatch(/\| \(unbound actions and functions\) \| [^|]+\| `PerformUnboundAction` \|/);
  });

  test('permissions, limits, import, rollback and warnings', () => {
    expect(runbook).toContain('user_impersonation');
    expect(runbook).toContain('application user');
    expect(runbook).toMatch(/Append To/);
    expect(runbook).toContain('6,000 requests');
    expect(runbook).toContain('20 minutes (1,200 s) combined execution time');
    expect(runbook).toContain('52 concurrent requests');
    expect(runbook).toContain('paconn create --settings settings.json');
    expect(runbook).toContain('pac connector create');
    expect(runbook).toContain('paconn update');
    expect(runbook).toContain('stackOwner');
    expect(runbook).toContain('## 6. Generation warnings');
    const withWarnings = generateConnectors(model, { service: 'dataverse', style: 'dynamic', tables: ['accounts'] });
    expect(withWarnings.warnings.length).toBeGreaterThan(0);
    expect(withWarnings.connectors[0].runbook).toContain(withWarnings.warnings[0].message);
  });

  test('typed: least privilege per table', () => {
    const typed = generateConnectors(model, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] }).connectors[0].runbook;
    expect(typed).toMatch(/\| accounts \| Read \|/);
    expect(typed).toMatch(/\| contacts \| Delete \|/);
    expect(typed).toMatch(/\| contacts \| Create and Write/);
  });
});

describe('offline validator', () => {
  const fileIssues = (pkg: ConnectorPackage) =>
    validateConnector({ swagger: pkg.swagger, apiProperties: pkg.apiProperties, settings: pkg.settings, icon: pkg.icon, script: pkg.script ? Buffer.from(pkg.script.text, 'utf8') : undefined });

  test('the dynamic Dataverse package has no errors at all', async () => {
    const report = await fileIssues(generateConnectors(model, { service: 'dataverse', style: 'dynamic' }).connectors[0]);
    expect(report.errors).toEqual([]);
  });

  test.each([
    ['typed Dataverse', () => generateConnectors(model, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] }).connectors[0]],
    ['typed F&O', () => generateConnectors(fnoModel, { service: 'fno', style: 'typed' }).connectors[0]],
  ])('%s: apiProperties.json, settings.json and icon.png have no errors', async (_name, make) => {
    // Only the files this module writes; the typed swagger itself is the typed builder's (tested in typed.test.ts).
    const report = await fileIssues(make());
    expect(report.errors.filter((e) => e.file !== undefined)).toEqual([]);
  });
});
