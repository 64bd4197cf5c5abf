/**
 * The Dataverse node and its App Registration credential in a REAL n8n 2.41.1 against the emulator: credential test
 * through n8n's REST API, Row/Table operations in executed workflows, and the dynamic-parameter endpoints
 * (listSearch, loadOptions, resourceMapper). One n8n instance and one emulator for the file.
 */
import { startEmulator, type RunningEmulator } from '../../emulator';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { emulatorCredentialData } from '../../scripts/n8n/emulator-credential';
import { PACKAGE_NAME, RunningN8n, startN8n } from '../../scripts/n8n/harness';

jest.setTimeout(15 * 60_000);

const NODE_TYPE = `${PACKAGE_NAME}.dataverse`;
const CRED_TYPE = 'dynamics365AppRegistrationApi';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const rl = (value: string, mode = 'list') => ({ __rl: true, mode, value });

describe('Dataverse node in real n8n 2.41.1 against the emulator', () => {
  let emulator: RunningEmulator;
  let n8n: RunningN8n;
  let cred: { id: string; name: string; type: string };
  const tag = `E2E ${Date.now()}`;

  const credData = (overrides: Record<string, unknown> = {}) => emulatorCredentialData(emulator, overrides);

  const dataverseNode = (name: string, parameters: Record<string, unknown>) => ({
    id: `dv-${name.replace(/\W/g, '')}`,
    name,
    type: NODE_TYPE,
    typeVersion: 1,
    position: [400, 0],
    parameters: { authentication: 'appRegistration', ...parameters },
    credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
  });

  /** Start → (optional middle nodes) → one Dataverse node, run through n8n; the Dataverse node's name is `Dataverse`. */
  const runDataverse = async (parameters: Record<string, unknown>, opts: { before?: any[]; input?: unknown } = {}) => {
    const before = opts.before ?? [];
    const chain = ['Start', ...before.map((n) => n.name), 'Dataverse'];
    const connections: Record<string, any> = {};
    for (let i = 0; i < chain.length - 1; i++) connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
    const run = await n8n.api.executeWorkflow(
      {
        nodes: [{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, ...before, dataverseNode('Dataverse', parameters)],
        connections,
      },
      opts.input ?? {},
    );
    if (run.error || run.status !== 'success') throw new Error(`execution ${run.status}: ${JSON.stringify(run.error ?? {}).slice(0, 2000)}`);
    const items: any[] = run.runData.Dataverse[run.runData.Dataverse.length - 1].data.main[0];
    return { run, items, json: items.map((i) => i.json) };
  };

  const dynamicReq = (methodName: string, currentNodeParameters: Record<string, unknown>, path?: string) => ({
    nodeType: NODE_TYPE,
    typeVersion: 1,
    methodName,
    path,
    currentNodeParameters: { authentication: 'appRegistration', ...currentNodeParameters },
    credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
  });

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
    emulator = await startEmulator({ limits: 'off' });
    n8n = await startN8n({ extraCaFile: emulator.caCertFile });
    cred = await n8n.api.createCredential(CRED_TYPE, credData(), 'Dataverse emulator');
  }, 15 * 60_000);

  afterAll(async () => {
    await n8n?.stop();
    await emulator?.stop();
  }, 60_000);

  describe('credential test (POST /rest/credentials/test)', () => {
    it('succeeds with the emulator credential', async () => {
      const result = await n8n.api.rest('POST', '/credentials/test', { credentials: { id: cred.id, name: cred.name, type: CRED_TYPE, data: credData() } });
      expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/^Connected as user [0-9a-f-]{36} in organization [0-9a-f-]{36}$/) });
    });

    it('fails with a wrong client secret, naming the reason', async () => {
      const bad = await n8n.api.createCredential(CRED_TYPE, credData({ clientSecret: 'not-the-secret' }), 'Dataverse wrong secret');
      const result = await n8n.api.rest('POST', '/credentials/test', { credentials: { id: bad.id, name: bad.name, type: CRED_TYPE, data: credData({ clientSecret: 'not-the-secret' }) } });
      expect(result.status).toBe('Error');
      expect(result.message).toMatch(/^Wrong or expired client secret \(AADSTS7000215\)/);
    });
  });

  describe('workflows', () => {
    const created: string[] = [];

    it('Row create: two input items make two rows, each paired with its item', async () => {
      const splitOut = {
        id: 'split',
        name: 'Split',
        type: 'n8n-nodes-base.splitOut',
        typeVersion: 1,
        position: [200, 0],
        parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
      };
      const { items, json } = await runDataverse(
        {
          resource: 'row',
          operation: 'create',
          table: rl('accounts'),
          columns: { mappingMode: 'defineBelow', value: { name: '={{ $json.name }}', numberofemployees: '={{ $json.n }}' }, matchingColumns: [], schema: [] },
          options: {},
        },
        { before: [splitOut], input: { items: [{ name: `${tag} A`, n: 10 }, { name: `${tag} B`, n: 20 }] } },
      );
      expect(json).toHaveLength(2);
      expect(json.map((j) => j.name)).toEqual([`${tag} A`, `${tag} B`]);
      for (const j of json) expect(j.accountid).toMatch(GUID);
      expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
      created.push(...json.map((j) => String(j.accountid)));
      for (const [i, id] of created.entries()) expect(emulator.service.store.get('account', id)).toMatchObject({ name: json[i].name, numberofemployees: (i + 1) * 10 });
    });

    it('Row getMany: filter and limit', async () => {
      const all = await runDataverse({
        resource: 'row',
        operation: 'getMany',
        table: rl('accounts'),
        returnAll: true,
        filterType: 'simple',
        combineConditions: 'and',
        conditions: { condition: [{ column: 'name', operator: 'startswith', value: tag }] },
        options: { select: ['name', 'numberofemployees'], orderBy: 'name asc' },
      });
      expect(all.json.map((j) => [j.name, j.numberofemployees])).toEqual([
        [`${tag} A`, 10],
        [`${tag} B`, 20],
      ]);
      const limited = await runDataverse({
        resource: 'row',
        operation: 'getMany',
        table: rl('accounts'),
        returnAll: false,
        limit: 1,
        filterType: 'raw',
        filter: `startswith(name,'${tag}')`,
        options: { select: ['name'], orderBy: 'name desc' },
      });
      expect(limited.json.map((j) => j.name)).toEqual([`${tag} B`]);
      expect(limited.items[0].pairedItem).toEqual({ item: 0 });
    });

    it('Row update', async () => {
      const { json, items } = await runDataverse({
        resource: 'row',
        operation: 'update',
        table: rl('accounts'),
        rowId: rl(created[0], 'id'),
        columns: { mappingMode: 'defineBelow', value: { name: `${tag} A updated`, numberofemployees: 11 }, matchingColumns: [], schema: [] },
        options: {},
      });
      expect(json).toEqual([expect.objectContaining({ accountid: created[0], name: `${tag} A updated`, numberofemployees: 11 })]);
      expect(items[0].pairedItem).toEqual({ item: 0 });
    });

    it('Row delete removes the row', async () => {
      const { json } = await runDataverse({ resource: 'row', operation: 'delete', table: rl('accounts'), rowId: rl(created[1], 'id'), options: {} });
      expect(json).toEqual([{ id: created[1], deleted: true }]);
      expect(emulator.service.store.get('account', created[1])).toBeUndefined();
      const left = await runDataverse({
        resource: 'row',
        operation: 'getMany',
        table: rl('accounts'),
        returnAll: true,
        filterType: 'raw',
        filter: `startswith(name,'${tag}')`,
        options: { select: ['name'] },
      });
      expect(left.json.map((j) => j.accountid)).toEqual([created[0]]);
    });

    it('Table list', async () => {
      const { json, items } = await runDataverse({ resource: 'table', operation: 'list', search: 'account' });
      expect(json.map((j) => j.entitySetName)).toContain('accounts');
      expect(items.every((i) => i.pairedItem?.item === 0)).toBe(true);
    });
  });

  describe('Action, Batch, File and Change resources', () => {
    it('Action: the WhoAmI function answers with the application user', async () => {
      const { json } = await runDataverse({ resource: 'action', operation: 'run', operationName: rl('WhoAmI', 'name'), parametersMode: 'json', parametersJson: '{}', options: {} });
      expect(json).toEqual([expect.objectContaining({ UserId: expect.stringMatching(GUID), OrganizationId: expect.stringMatching(GUID) })]);
    });

    it('Batch: items become one $batch, each answer paired with its item; Row create with Batch Size does the same', async () => {
      const splitOut = {
        id: 'split',
        name: 'Split',
        type: 'n8n-nodes-base.splitOut',
        typeVersion: 1,
        position: [200, 0],
        parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
      };
      const input = { items: [{ name: `${tag} batch 1` }, { name: `${tag} batch 2` }, { name: `${tag} batch 3` }] };
      const batch = await runDataverse(
        { resource: 'batch', operation: 'send', mode: 'atomic', requestType: 'create', table: rl('accounts'), data: '={{ JSON.stringify({ name: $json.name }) }}', options: { returnRepresentation: true } },
        { before: [splitOut], input },
      );
      expect(batch.json.map((j) => j.name)).toEqual(input.items.map((i) => i.name));
      expect(batch.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
      const rows = await runDataverse(
        { resource: 'row', operation: 'create', table: rl('accounts'), columns: { mappingMode: 'defineBelow', value: { name: '={{ $json.name }} again' }, matchingColumns: [], schema: [] }, options: { batchSize: 2 } },
        { before: [splitOut], input },
      );
      expect(rows.json.map((j) => j.name)).toEqual(input.items.map((i) => `${i.name} again`));
    });

    it('File: upload binary data from a previous node into a file column, then download it back', async () => {
      const [row] = (await runDataverse({ resource: 'row', operation: 'create', table: rl('sample_documents'), columns: { mappingMode: 'defineBelow', value: { sample_name: `${tag} doc` }, matchingColumns: [], schema: [] }, options: {} })).json;
      const id = String(row.sample_documentid);
      const text = `${tag} file body `.repeat(1000);
      const makeFile = {
        id: 'makefile',
        name: 'Make File',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [200, 0],
        parameters: {
          mode: 'runOnceForAllItems',
          jsCode: `return [{ json: {}, binary: { data: { data: Buffer.from(${JSON.stringify(text)}).toString('base64'), mimeType: 'text/plain', fileName: 'notes.txt' } } }];`,
        },
      };
      const uploaded = await runDataverse({ resource: 'file', operation: 'upload', table: rl('sample_documents'), rowId: rl(id, 'id'), column: 'sample_file', binaryPropertyName: 'data', options: {} }, { before: [makeFile] });
      expect(uploaded.json).toEqual([expect.objectContaining({ fileName: 'notes.txt', size: text.length })]);
      const downloaded = await runDataverse({ resource: 'file', operation: 'download', table: rl('sample_documents'), rowId: rl(id, 'id'), column: 'sample_file', binaryPropertyName: 'data', options: {} });
      expect(downloaded.json).toEqual([expect.objectContaining({ fileName: 'notes.txt', size: text.length })]);
      expect(downloaded.items[0].binary.data).toMatchObject({ fileName: 'notes.txt' });
    });

    it('Change: a first sync gives a token; the next run with it returns only what changed since', async () => {
      const first = await runDataverse({ resource: 'changes', operation: 'get', table: rl('accounts'), deltaToken: '', returnColumns: ['name'], options: {} });
      const token = String(first.json[first.json.length - 1].nextDeltaToken);
      expect(token).toMatch(/deltatoken/i);
      const [added] = (await runDataverse({ resource: 'row', operation: 'create', table: rl('accounts'), columns: { mappingMode: 'defineBelow', value: { name: `${tag} changed` }, matchingColumns: [], schema: [] }, options: {} })).json;
      const next = await runDataverse({ resource: 'changes', operation: 'get', table: rl('accounts'), deltaToken: token, returnColumns: ['name'], options: {} });
      expect(next.json).toEqual([expect.objectContaining({ changeType: 'newOrUpdated', id: added.accountid, row: expect.objectContaining({ name: `${tag} changed` }) })]);
      const none = await runDataverse({ resource: 'changes', operation: 'get', table: rl('accounts'), deltaToken: String(next.json[0].nextDeltaToken), returnColumns: ['name'], options: {} });
      expect(none.json).toEqual([{ changes: 0, nextDeltaToken: expect.any(String) }]);
    });
  });

  describe('dynamic parameters', () => {
    it('listSearch searchTables returns accounts', async () => {
      const { results } = await n8n.api.listSearch({ ...dynamicReq('searchTables', { resource: 'row', operation: 'create' }, 'parameters.table'), filter: 'account' });
      expect(results).toContainEqual({ name: 'Account (accounts)', value: 'accounts', url: `${emulator.dataverseUrl}api/data/v9.2/accounts` });
    });

    it('loadOptions: columns and industrycode choice labels', async () => {
      const columns = await n8n.api.loadOptions(dynamicReq('getColumns', { resource: 'row', operation: 'getMany', table: rl('accounts') }, 'parameters.options.select'));
      expect(columns).toContainEqual(expect.objectContaining({ value: 'name' }));
      const values = await n8n.api.loadOptions(
        dynamicReq('getOptionSetValues', { resource: 'table', operation: 'getOptionSet', table: rl('accounts'), optionSetColumn: 'industrycode' }, 'parameters.optionSetValue'),
      );
      expect(values).toHaveLength(12);
      for (const v of values) expect(v).toEqual({ name: expect.any(String), value: expect.any(Number) });
      expect(values.some((v) => /[A-Za-z]/.test(v.name) && v.name !== String(v.value))).toBe(true);
    });

    it('resourceMapperFields for accounts: name present, read-only columns absent', async () => {
      const { fields } = await n8n.api.resourceMapperFields(dynamicReq('getColumns', { resource: 'row', operation: 'create', table: rl('accounts') }, 'parameters.columns'));
      const ids = fields.map((f) => f.id);
      expect(fields.find((f) => f.id === 'name')).toMatchObject({ required: true, type: 'string' });
      for (const readOnly of ['accountid', 'createdon', 'modifiedon', 'versionnumber']) expect(ids).not.toContain(readOnly);
    });
  });
});
