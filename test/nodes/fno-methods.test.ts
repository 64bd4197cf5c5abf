/**
 * The Finance & Operations node's pickers against the emulator (entity and company lists, data projects, entity
 * actions, custom service discovery, key and field mappers from `$metadata`) and the shared credential test, which
 * now answers for F&O credentials while Dataverse credentials are tested as before.
 */
import type { ICredentialDataDecryptedObject, INodeListSearchResult, INodePropertyOptions, ResourceMapperFields } from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { FinanceOperations } from '../../nodes/FinanceOperations/FinanceOperations.node';
import { credentialService } from '../../nodes/FinanceOperations/transport/service';
import { emulatorCredentialData, emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { appToken } from '../helpers/emulator';
import { credentialTestContext, loadOptionsContext, rl, type Params } from '../helpers/n8n-context';

const node = new FinanceOperations();
let emulator: RunningEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  credentials = { dynamics365AppRegistrationApi: emulatorFnoCredentialData(emulator) as ICredentialDataDecryptedObject };
});
afterAll(async () => {
  await emulator?.stop();
});

const ctx = (params: Params) => loadOptionsContext(node, params, credentials);

describe('list searches', () => {
  test('entity sets come from $metadata, searchable by set or entity name, with their URL', async () => {
    const all = (await node.methods.listSearch.searchEntitySets.call(ctx({}))) as INodeListSearchResult;
    expect(all.results.map((r) => r.value)).toEqual(expect.arrayContaining(['CustomersV3', 'VendorsV2', 'SalesOrderHeadersV2', 'LegalEntities']));
    const found = (await node.methods.listSearch.searchEntitySets.call(ctx({}), 'customerv3')) as INodeListSearchResult;
    expect(found.results).toEqual([{ name: 'CustomersV3 (CustomerV3)', value: 'CustomersV3', url: `${emulator.fnoUrl}data/CustomersV3` }]);
  });

  test('companies are the legal entities, with the default company as an empty value first', async () => {
    const all = (await node.methods.listSearch.searchCompanies.call(ctx({}))) as INodeListSearchResult;
    expect(all.results[0]).toEqual({ name: 'Default Company', value: '' });
    expect(all.results.slice(1).map((r) => r.value).sort()).toEqual(['demf', 'usmf', 'ussu']);
    const germany = (await node.methods.listSearch.searchCompanies.call(ctx({}), 'germany')) as INodeListSearchResult;
    expect(germany.results).toEqual([{ name: 'DEMF – Contoso Entertainment System Germany', value: 'demf' }]);
  });

  test('data projects list their id and operation', async () => {
    const found = (await node.methods.listSearch.searchDataProjects.call(ctx({}), 'customer')) as INodeListSearchResult;
    expect(found.results).toEqual([
      { name: 'CustomerExport (Export: Customers V3 export)', value: 'CustomerExport' },
      { name: 'CustomerImport (Import: Customers V3 import)', value: 'CustomerImport' },
    ]);
  });
});

describe('dropdowns', () => {
  test('entity actions of the chosen entity, with a parameter sample and what they are bound to', async () => {
    const options = (await node.methods.loadOptions.getEntityActions.call(ctx({ entitySet: rl('SalesOrderHeadersV2') }))) as INodePropertyOptions[];
    expect(options.map((o) => o.value)).toEqual(['CalculateTotalAmount', 'CancelSalesOrder']);
    expect(options[1].description).toBe('bound to a row; parameters: {"Reason":""}; returns Edm.String');
    const customer = (await node.methods.loadOptions.getEntityActions.call(ctx({ entitySet: rl('CustomersV3') }))) as INodePropertyOptions[];
    expect(customer).toEqual([{ name: 'SetOnHoldStatus', value: 'SetOnHoldStatus', description: 'bound to a row; parameters: {"OnHoldStatus":"No"}; returns Edm.Boolean' }]);
    const dmf = (await node.methods.loadOptions.getEntityActions.call(ctx({ entitySet: rl('DataManagementDefinitionGroups') }))) as INodePropertyOptions[];
    expect(dmf.find((o) => o.value === 'GetExecutionSummaryStatus')?.description).toMatch(/^bound to the entity; parameters: \{"executionId":""\}/);
  });

  test('custom services: group → service → operation, each operation with its parameter sample', async () => {
    const groups = (await node.methods.loadOptions.getServiceGroups.call(ctx({}))) as INodePropertyOptions[];
    expect(groups.map((g) => g.value)).toEqual(['ContosoIntegrationServices', 'UserSessionService']);
    const services = (await node.methods.loadOptions.getServices.call(ctx({ serviceGroup: 'ContosoIntegrationServices' }))) as INodePropertyOptions[];
    expect(services).toEqual([{ name: 'CustomerCreditService', value: 'CustomerCreditService' }]);
    const operations = (await node.methods.loadOptions.getServiceOperations.call(ctx({ serviceGroup: 'ContosoIntegrationServices', service: 'CustomerCreditService' }))) as INodePropertyOptions[];
    expect(operations).toEqual([
      { name: 'GetCreditInfo', value: 'GetCreditInfo', description: 'Parameters: {"_dataAreaId":"","_customerAccount":""}; returns ContosoCustomerCreditContract' },
      { name: 'GetOpenSalesOrders', value: 'GetOpenSalesOrders', description: 'Parameters: {"_dataAreaId":"","_customerAccount":""}; returns str[]' },
    ]);
  });

  test('field names for select', async () => {
    const fields = (await node.methods.loadOptions.getFieldNames.call(ctx({ entitySet: rl('CustomerGroups') }))) as INodePropertyOptions[];
    expect(fields.map((f) => f.value)).toEqual(['CustomerGroupId', 'dataAreaId', 'Description', 'IsSalesTaxIncludedInPrice', 'PaymentTermId']);
  });
});

describe('mappers', () => {
  test('the key mapper lists every key part, dataAreaId optional (the company fills it)', async () => {
    const key = (await node.methods.resourceMapping.getKeyFields.call(ctx({ entitySet: rl('CustomersV3') }))) as ResourceMapperFields;
    expect(key.fields.map((f) => [f.id, f.required, f.type])).toEqual([
      ['dataAreaId', false, 'string'],
      ['CustomerAccount', true, 'string'],
    ]);
    const none = (await node.methods.resourceMapping.getKeyFields.call(ctx({ entitySet: rl('') }))) as ResourceMapperFields;
    expect(none.fields).toEqual([]);
  });

  test('create fields carry types, mandatory flags and enum members as options; update leaves the key out', async () => {
    const create = (await node.methods.resourceMapping.getEntityFields.call(ctx({ entitySet: rl('CustomersV3'), operation: 'create' }))) as ResourceMapperFields;
    const byId = new Map(create.fields.map((f) => [f.id, f]));
    expect(byId.get('CustomerAccount')).toMatchObject({ required: true, type: 'string' });
    expect(byId.get('CustomerGroupId')).toMatchObject({ required: true });
    expect(byId.get('dataAreaId')).toMatchObject({ required: false });
    expect(byId.get('CreditLimit')).toMatchObject({ required: false, type: 'number' });
    expect(byId.get('OnHoldStatus')).toMatchObject({ type: 'options', options: ['No', 'Invoice', 'All', 'Payment', 'Requisition', 'Never'].map((m) => ({ name: m, value: m })) });
    const update = (await node.methods.resourceMapping.getEntityFields.call(ctx({ entitySet: rl('CustomersV3'), operation: 'update' }))) as ResourceMapperFields;
    expect(update.fields.map((f) => f.id)).not.toContain('CustomerAccount');
    expect(update.fields.every((f) => !f.required)).toBe(true);
  });
});

describe('credentials', () => {
  test('the service is detected from the URL unless named; saved Dataverse credentials stay Dataverse', () => {
    expect(credentialService({ environmentUrl: 'https://contoso.crm.dynamics.com' })).toBe('dataverse');
    expect(credentialService({ environmentUrl: 'https://contoso.operations.dynamics.com' })).toBe('financeOperations');
    expect(credentialService({ environmentUrl: 'https://contoso.sandbox.operations.dynamics.com/', service: 'auto' })).toBe('financeOperations');
    expect(credentialService({ environmentUrl: 'https://devaos.cloudax.dynamics.com' })).toBe('financeOperations');
    expect(credentialService({ environmentUrl: 'https://usncax1aos.cloud.onebox.dynamics.com' })).toBe('financeOperations');
    expect(credentialService({ environmentUrl: 'https://127.0.0.1:8444/' })).toBe('dataverse');
    expect(credentialService({ environmentUrl: 'https://127.0.0.1:8444/', service: 'financeOperations' })).toBe('financeOperations');
    expect(credentialService({ environmentUrl: 'https://contoso.operations.dynamics.com', service: 'dataverse' })).toBe('dataverse');
  });

  test('the shared credential test reports the F&O user and default company', async () => {
    const result = await node.methods.credentialTest.dynamics365AppRegistrationApiTest.call(credentialTestContext(), {
      id: '1',
      name: 'F&O',
      type: 'dynamics365AppRegistrationApi',
      data: emulatorFnoCredentialData(emulator) as ICredentialDataDecryptedObject,
    });
    expect(result).toEqual({ status: 'OK', message: 'Connected to Finance & Operations as user Admin; default company USMF' });
  });

  test('a wrong secret is named; the Dataverse test of a Dataverse credential is unchanged', async () => {
    const bad = await node.methods.credentialTest.dynamics365AppRegistrationApiTest.call(credentialTestContext(), {
      id: '1',
      name: 'F&O',
      type: 'dynamics365AppRegistrationApi',
      data: emulatorFnoCredentialData(emulator, { clientSecret: 'not-the-secret' }) as ICredentialDataDecryptedObject,
    });
    expect(bad.status).toBe('Error');
    expect(bad.message).toMatch(/^Wrong or expired client secret \(AADSTS7000215\)/);
    expect(bad.message).not.toContain('not-the-secret');
    const dataverse = await new Dataverse().methods.credentialTest.dynamics365AppRegistrationApiTest.call(credentialTestContext(), {
      id: '2',
      name: 'Dataverse',
      type: 'dynamics365AppRegistrationApi',
      data: emulatorCredentialData(emulator) as ICredentialDataDecryptedObject,
    });
    expect(dataverse).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected as user [0-9a-f-]{36} in organization [0-9a-f-]{36}$/) });
  });

  test('an OAuth2 credential for F&O is tested with the token n8n holds; none held says to reconnect', async () => {
    const data = (oauthTokenData: Record<string, unknown>) => ({
      environmentUrl: emulator.fnoUrl,
      service: 'financeOperations',
      caCertificatePem: emulator.caCertPem,
      oauthTokenData,
    });
    const ok = await node.methods.credentialTest.dynamics365OAuth2ApiTest.call(credentialTestContext(), {
      id: '3',
      name: 'Delegated F&O',
      type: 'dynamics365OAuth2Api',
      data: data({ access_token: await appToken(emulator, emulator.fnoUrl) }) as ICredentialDataDecryptedObject,
    });
    expect(ok).toEqual({ status: 'OK', message: 'Connected to Finance & Operations as user Admin; default company USMF' });
    const none = await node.methods.credentialTest.dynamics365OAuth2ApiTest.call(credentialTestContext(), { id: '3', name: 'Delegated F&O', type: 'dynamics365OAuth2Api', data: data({}) as ICredentialDataDecryptedObject });
    expect(none.status).toBe('Error');
    expect(none.message).toContain('reconnect the credential');
  });
});
