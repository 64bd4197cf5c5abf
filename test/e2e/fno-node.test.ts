/**
 * The Finance & Operations node with the shared App Registration credential in a REAL n8n 2.41.1 against the
 * emulator's F&O environment: the credential test through n8n's REST API (F&O and Dataverse credentials side by
 * side), the OAuth2 credential's scope per service, entity CRUD in executed workflows, a custom-service call, a
 * Data management import of items exported back to the same items, a broken binary package, and the node's
 * dynamic parameters through n8n's own endpoints. One n8n instance and one emulator for the file.
 */
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { DataManagementExtension } from '../../emulator/fno/dmf';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { emulatorCredentialData, emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { PACKAGE_NAME, RunningN8n, startN8n } from '../../scripts/n8n/harness';

jest.setTimeout(15 * 60_000);

const NODE_TYPE = `${PACKAGE_NAME}.financeOperations`;
const CRED_TYPE = 'dynamics365AppRegistrationApi';
const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });
const mapped = (value: Record<string, unknown>) => ({ mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] });

describe('Finance & Operations node in real n8n 2.41.1 against the emulator', () => {
  let emulator: RunningEmulator;
  let n8n: RunningN8n;
  let cred: { id: string; name: string; type: string };

  const fnoNode = (name: string, parameters: Record<string, unknown>) => ({
    id: `fo-${name.replace(/\W/g, '')}`,
    name,
    type: NODE_TYPE,
    typeVersion: 1,
    position: [400, 0],
    parameters: { authentication: 'appRegistration', ...parameters },
    credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
  });

  /** Start → (optional middle nodes) → the F&O node (named `FO`), run on the live server. */
  const execute = async (parameters: Record<string, unknown>, opts: { before?: any[]; input?: unknown } = {}) => {
    const before = opts.before ?? [];
    const chain = ['Start', ...before.map((n) => n.name), 'FO'];
    const connections: Record<string, any> = {};
    for (let i = 0; i < chain.length - 1; i++) connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
    return n8n.api.executeWorkflow(
      { nodes: [{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, ...before, fnoNode('FO', parameters)], connections },
      opts.input ?? {},
    );
  };
  const runFo = async (parameters: Record<string, unknown>, opts: { before?: any[]; input?: unknown } = {}) => {
    const run = await execute(parameters, opts);
    if (run.error || run.status !== 'success') throw new Error(`execution ${run.status}: ${JSON.stringify(run.error ?? {}).slice(0, 2000)}`);
    const items: any[] = run.runData.FO[run.runData.FO.length - 1].data.main[0];
    return { items, json: items.map((i) => i.json) };
  };
  const splitItems = {
    id: 'split',
    name: 'Split',
    type: 'n8n-nodes-base.splitOut',
    typeVersion: 1,
    position: [200, 0],
    parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
  };

  const dynamicReq = (methodName: string, currentNodeParameters: Record<string, unknown>, path: string, extra: Record<string, unknown> = {}) => ({
    nodeType: NODE_TYPE,
    typeVersion: 1,
    methodName,
    path,
    currentNodeParameters: { authentication: 'appRegistration', ...currentNodeParameters },
    credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
    ...extra,
  });

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
    emulator = await startEmulator({ limits: 'off' });
    n8n = await startN8n({ extraCaFile: emulator.caCertFile });
    cred = await n8n.api.createCredential(CRED_TYPE, emulatorFnoCredentialData(emulator), 'F&O emulator');
  }, 15 * 60_000);

  afterAll(async () => {
    await n8n?.stop();
    await emulator?.stop();
  }, 60_000);

  describe('credentials', () => {
    it('the credential test reports the F&O user and default company; a Dataverse credential is still tested with WhoAmI', async () => {
      const fno = await n8n.api.rest('POST', '/credentials/test', { credentials: { id: cred.id, name: cred.name, type: CRED_TYPE, data: emulatorFnoCredentialData(emulator) } });
      expect(fno).toEqual({ status: 'OK', message: 'Connected to Finance & Operations as user Admin; default company USMF' });
      const dv = await n8n.api.createCredential(CRED_TYPE, emulatorCredentialData(emulator), 'Dataverse emulator');
      const dataverse = await n8n.api.rest('POST', '/credentials/test', { credentials: { id: dv.id, name: dv.name, type: CRED_TYPE, data: emulatorCredentialData(emulator) } });
      expect(dataverse).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected as user [0-9a-f-]{36} in organization [0-9a-f-]{36}$/) });
    });

    it('a wrong secret on an F&O credential names the reason', async () => {
      const data = emulatorFnoCredentialData(emulator, { clientSecret: 'not-the-secret' });
      const bad = await n8n.api.createCredential(CRED_TYPE, data, 'F&O wrong secret');
      const result = await n8n.api.rest('POST', '/credentials/test', { credentials: { id: bad.id, name: bad.name, type: CRED_TYPE, data } });
      expect(result.status).toBe('Error');
      expect(result.message).toMatch(/^Wrong or expired client secret \(AADSTS7000215\)/);
    });

    it('the OAuth2 credential asks F&O for <url>/.default and Dataverse for <url>/user_impersonation, as before', async () => {
      const scopeOf = async (environmentUrl: string) => {
        const c = await n8n.api.createCredential('dynamics365OAuth2Api', {
            environmentUrl,
            tenantId: 'contoso.onmicrosoft.com',
            clientId: 'client-1',
            clientSecret: 'secret-1',
            authUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
            accessTokenUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
          }, `OAuth2 ${environmentUrl}`);
        const uri = String(await n8n.api.rest('GET', `/oauth2-credential/auth?id=${encodeURIComponent(c.id)}`));
        return new URL(uri).searchParams.get('scope');
      };
      expect(await scopeOf('https://contoso.operations.dynamics.com')).toBe('https://contoso.operations.dynamics.com/.default offline_access');
      expect(await scopeOf('https://contoso.crm.dynamics.com/')).toBe('https://contoso.crm.dynamics.com/user_impersonation offline_access');
    });
  });

  describe('workflows', () => {
    it('entity create, get, get many (one company and cross-company), update and delete', async () => {
      const created = await runFo({ resource: 'entity', operation: 'create', entitySet: rl('CustomerGroups'), company: rl('ussu'), fields: mapped({ CustomerGroupId: 'E2E-1', Description: "E2E O'Brien", IsSalesTaxIncludedInPrice: 'Yes' }) });
      expect(created.json).toEqual([expect.objectContaining({ dataAreaId: 'ussu', CustomerGroupId: 'E2E-1', Description: "E2E O'Brien" })]);
      expect(emulator.fno!.service.store.get('CustomerGroups', { dataAreaId: 'ussu', CustomerGroupId: 'E2E-1' })?.row).toMatchObject({ IsSalesTaxIncludedInPrice: 'Yes' });

      const got = await runFo({ resource: 'entity', operation: 'get', entitySet: rl('CustomerGroups', 'id'), company: rl('ussu'), key: mapped({ CustomerGroupId: 'E2E-1' }), options: {} });
      expect(got.json[0]).toMatchObject({ CustomerGroupId: 'E2E-1', Description: "E2E O'Brien" });

      const oneCompany = await runFo({ resource: 'entity', operation: 'getMany', entitySet: rl('CustomersV3'), company: rl('demf'), returnAll: true, options: { select: ['dataAreaId', 'CustomerAccount'] } });
      expect(new Set(oneCompany.json.map((r) => r.dataAreaId))).toEqual(new Set(['demf']));
      const cross = await runFo({ resource: 'entity', operation: 'getMany', entitySet: rl('CustomersV3'), crossCompany: true, returnAll: false, limit: 100, options: { select: ['dataAreaId', 'CustomerAccount'] } });
      expect(new Set(cross.json.map((r) => r.dataAreaId))).toEqual(new Set(['usmf', 'ussu', 'demf']));
      expect(cross.json).toHaveLength(emulator.fno!.service.store.list('CustomersV3', { crossCompany: true }).length);

      const updated = await runFo({ resource: 'entity', operation: 'update', entitySet: rl('CustomerGroups'), company: rl('ussu'), key: mapped({ CustomerGroupId: 'E2E-1' }), fields: mapped({ Description: 'E2E updated' }), options: {} });
      expect(updated.json[0]).toMatchObject({ CustomerGroupId: 'E2E-1', Description: 'E2E updated' });

      const deleted = await runFo({ resource: 'entity', operation: 'delete', entitySet: rl('CustomerGroups'), company: rl('ussu'), key: mapped({ CustomerGroupId: 'E2E-1' }) });
      expect(deleted.json).toEqual([{ key: { CustomerGroupId: 'E2E-1' }, deleted: true }]);
      expect(emulator.fno!.service.store.get('CustomerGroups', { dataAreaId: 'ussu', CustomerGroupId: 'E2E-1' })).toBeUndefined();
    });

    it('a custom-service call', async () => {
      const { json } = await runFo({
        resource: 'customService',
        operation: 'call',
        serviceGroup: 'ContosoIntegrationServices',
        service: 'CustomerCreditService',
        serviceOperation: 'GetCreditInfo',
        serviceParameters: '{"_dataAreaId": "usmf", "_customerAccount": "US-001"}',
      });
      expect(json).toEqual([expect.objectContaining({ CustomerAccount: 'US-001', Company: 'usmf', CreditLimit: expect.any(Number) })]);
    });

    it('a Data management import of input items, exported back to the same items', async () => {
      const rows = Array.from({ length: 12 }, (_, i) => ({
        CustomerGroupId: `E2E-DM-${String(i).padStart(2, '0')}`,
        Description: i % 4 === 0 ? `Group ${i}, "quoted"; Müller` : `Group ${i}`,
        PaymentTermId: i % 2 ? 'Net30' : '',
        IsSalesTaxIncludedInPrice: i % 3 ? 'No' : 'Yes',
      }));
      const imported = await runFo(
        { resource: 'dataManagement', operation: 'import', source: 'items', dataProject: rl('E2E-Import', 'id'), company: rl('demf'), dmfEntity: 'CustomerGroups', options: { timeBudgetSeconds: 120 } },
        { before: [splitItems], input: { items: rows } },
      );
      expect(imported.json).toEqual([expect.objectContaining({ status: 'Succeeded', succeeded: true, errors: [], rows: 12, company: 'demf' })]);
      expect(imported.items[0].pairedItem).toEqual(rows.map((_, item) => ({ item })));

      const dm = (emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime;
      dm.defineDataProject('E2E-Export', 'Export', ['CustomerGroups']);
      const exported = await runFo({ resource: 'dataManagement', operation: 'export', dataProject: rl('E2E-Export'), company: rl('demf'), output: 'items', options: { timeBudgetSeconds: 120 } });
      const back = exported.json
        .filter((r) => String(r.CustomerGroupId).startsWith('E2E-DM-'))
        .map((r) => ({ CustomerGroupId: r.CustomerGroupId, Description: r.Description, PaymentTermId: r.PaymentTermId, IsSalesTaxIncludedInPrice: r.IsSalesTaxIncludedInPrice }));
      expect(back).toEqual(rows);
    });

    it('a broken binary package fails the run with a clear NodeOperationError', async () => {
      const toFile = {
        id: 'tofile',
        name: 'To File',
        type: 'n8n-nodes-base.convertToFile',
        typeVersion: 1.1,
        position: [200, 0],
        parameters: { operation: 'toBinary', sourceProperty: 'body.b64', binaryPropertyName: 'data', options: { fileName: 'broken.zip', mimeType: 'application/zip' } },
      };
      const run = await execute(
        { resource: 'dataManagement', operation: 'import', source: 'binary', dataProject: rl('E2E-Import', 'id'), binaryPropertyName: 'data', options: {} },
        { before: [toFile], input: { b64: Buffer.from('PK this is not really a zip').toString('base64') } },
      );
      expect(run.status).toBe('error');
      const error = run.runData.FO?.[0]?.error ?? run.error;
      expect(error).toMatchObject({ name: 'NodeOperationError', message: expect.stringMatching(/^The package is not a valid ZIP archive/) });
      expect(JSON.stringify(error)).not.toMatch(/Bearer|eyJ/);
    });
  });

  describe("n8n's dynamic-parameter endpoints", () => {
    it('listSearch: entities and companies', async () => {
      const entities = await n8n.api.listSearch({ ...dynamicReq('searchEntitySets', { resource: 'entity', operation: 'get' }, 'parameters.entitySet'), filter: 'customersv3' });
      expect(entities.results).toEqual([{ name: 'CustomersV3 (CustomerV3)', value: 'CustomersV3', url: `${emulator.fnoUrl}data/CustomersV3` }]);
      const companies = await n8n.api.listSearch(dynamicReq('searchCompanies', { resource: 'entity', operation: 'get' }, 'parameters.company'));
      expect(companies.results[0]).toEqual({ name: 'Default Company', value: '' });
      expect(companies.results.slice(1).map((r) => r.value).sort()).toEqual(['demf', 'usmf', 'ussu']);
    });

    it('loadOptions: custom service group → service → operation, and entity actions', async () => {
      const params = { resource: 'customService', operation: 'call', serviceGroup: 'ContosoIntegrationServices', service: 'CustomerCreditService' };
      const groups = await n8n.api.loadOptions(dynamicReq('getServiceGroups', params, 'parameters.serviceGroup'));
      expect(groups.map((g) => g.value)).toEqual(['ContosoIntegrationServices', 'UserSessionService']);
      const services = await n8n.api.loadOptions(dynamicReq('getServices', params, 'parameters.service'));
      expect(services.map((s) => s.value)).toEqual(['CustomerCreditService']);
      const operations = await n8n.api.loadOptions(dynamicReq('getServiceOperations', params, 'parameters.serviceOperation'));
      expect(operations).toContainEqual({ name: 'GetCreditInfo', value: 'GetCreditInfo', description: 'Parameters: {"_dataAreaId":"","_customerAccount":""}; returns ContosoCustomerCreditContract' });
      const actions = await n8n.api.loadOptions(dynamicReq('getEntityActions', { resource: 'action', operation: 'run', entitySet: rl('CustomersV3') }, 'parameters.entityAction'));
      expect(actions.map((a) => a.value)).toEqual(['SetOnHoldStatus']);
    });

    it('resourceMapper: key fields and create fields with enum options', async () => {
      const key = await n8n.api.resourceMapperFields(dynamicReq('getKeyFields', { resource: 'entity', operation: 'get', entitySet: rl('CustomersV3') }, 'parameters.key'));
      expect(key.fields.map((f) => [f.id, f.required])).toEqual([['dataAreaId', false], ['CustomerAccount', true]]);
      const fields = await n8n.api.resourceMapperFields(dynamicReq('getEntityFields', { resource: 'entity', operation: 'create', entitySet: rl('CustomersV3') }, 'parameters.fields'));
      expect(fields.fields.find((f) => f.id === 'CustomerAccount')).toMatchObject({ required: true, type: 'string' });
      expect(fields.fields.find((f) => f.id === 'OnHoldStatus')).toMatchObject({ type: 'options', options: expect.arrayContaining([{ name: 'All', value: 'All' }]) });
    });
  });
});
