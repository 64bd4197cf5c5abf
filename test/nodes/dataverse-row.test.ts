/** The Dataverse node's Row operations run through execute() against the emulator, as n8n would run them. */
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { appToken } from '../helpers/emulator';
import { appCredentials, rl, runNode, useNodeEmulator, type Params } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params, credentials: env.credentials as never, ...extra });

const columns = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });

async function createAccount(value: IDataObject): Promise<IDataObject> {
  const [out] = await run({ resource: 'row', operation: 'create', table: rl('accounts', 'list'), columns: columns(value), options: {} });
  return out.json;
}

describe('create / get / update / delete', () => {
  test('create types values from metadata and returns the row with pairedItem', async () => {
    const out = await run(
      (i) => ({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: `Node Co ${i}`, revenue: '1500.5', numberofemployees: 12, industrycode: 1 }), options: {} }),
      { items: [{}, {}] },
    );
    expect(out).toHaveLength(2);
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(out[1].json).toMatchObject({ name: 'Node Co 1', revenue: 1500.5, numberofemployees: 12, industrycode: 1 });
    expect(out[0].json.accountid).toMatch(GUID);
  });

  test('create without representation returns the id; lookups bind through <nav>@odata.bind', async () => {
    const account = await createAccount({ name: 'Parent Co' });
    const [out] = await run({
      resource: 'row',
      operation: 'create',
      table: rl('contact', 'id'),
      columns: columns({ lastname: 'Bound', 'parentcustomerid_account@odata.bind': account.accountid }),
      options: { returnRepresentation: false },
    });
    expect(out.json.id).toMatch(GUID);
    const [got] = await run({ resource: 'row', operation: 'get', table: rl('contacts'), rowId: rl(String(out.json.id)), options: { select: ['lastname', 'parentcustomerid'] } });
    expect(got.json).toMatchObject({ lastname: 'Bound', _parentcustomerid_value: account.accountid });
  });

  test('get by URL modes, with friendly rows (formatted values)', async () => {
    const account = await createAccount({ name: 'Friendly Co', industrycode: 1 });
    const [out] = await run({
      resource: 'row',
      operation: 'get',
      table: rl(`${env.emulator.dataverseUrl}api/data/v9.2/accounts`, 'url'),
      rowId: rl(`${env.emulator.dataverseUrl}main.aspx?etn=account&id=${account.accountid}&pagetype=entityrecord`, 'url'),
      options: { formattedValues: true, select: ['name', 'industrycode'] },
    });
    expect(out.json).toMatchObject({ fields: { name: 'Friendly Co', industrycode: 1 }, formatted: { industrycode: expect.any(String) } });
    expect(out.pairedItem).toEqual({ item: 0 });
  });

  test('update changes the row; delete removes it; a missing row is a 404 NodeApiError with the Dataverse code', async () => {
    const account = await createAccount({ name: 'Before' });
    const id = String(account.accountid);
    const [updated] = await run({ resource: 'row', operation: 'update', table: rl('accounts'), rowId: rl(id), columns: columns({ name: 'After', creditonhold: 'true' }), options: {} });
    expect(updated.json).toMatchObject({ accountid: id, name: 'After', creditonhold: true });
    const [deleted] = await run({ resource: 'row', operation: 'delete', table: rl('accounts'), rowId: rl(id), options: {} });
    expect(deleted.json).toEqual({ id, deleted: true });
    const error = await run({ resource: 'row', operation: 'get', table: rl('accounts'), rowId: rl(id), options: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.httpCode).toBe('404');
    expect((error as NodeApiError).errorResponse).toMatchObject({ code: '0x80040217', status: 404 });
    expect(error.message).not.toMatch(/Bearer|eyJ/);
    const updateMissing = await run({ resource: 'row', operation: 'update', table: rl('accounts'), rowId: rl(id), columns: columns({ name: 'x' }), options: {} }).catch((e) => e);
    expect(updateMissing).toBeInstanceOf(NodeApiError);
  });

  test('auto-map takes the input item as the columns', async () => {
    const out = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: { mappingMode: 'autoMapInputData', value: null }, options: {} }, { items: [{ name: 'Auto Co', telephone1: '555' }] });
    expect(out[0].json).toMatchObject({ name: 'Auto Co', telephone1: '555' });
  });
});

describe('upsert', () => {
  test('by id: creates, then updates the same row', async () => {
    const id = '3c7d8f0e-1111-4a2b-9c3d-000000000001';
    const params = (name: string) => ({ resource: 'row', operation: 'upsert', table: rl('accounts'), keyType: 'id', rowId: rl(id), columns: columns({ name }), options: {} });
    expect((await run(params('Upsert A')))[0].json).toMatchObject({ accountid: id, name: 'Upsert A' });
    expect((await run(params('Upsert B')))[0].json).toMatchObject({ accountid: id, name: 'Upsert B' });
  });

  test('by alternate key; create-only fails on an existing row', async () => {
    const params = (name: string, options: IDataObject = {}) => ({
      resource: 'row',
      operation: 'upsert',
      table: rl('accounts'),
      keyType: 'alternateKey',
      keyColumns: { key: [{ column: 'accountnumber', value: 'NODE-UPS-1' }] },
      columns: columns({ name }),
      options,
    });
    const [created] = await run(params('Keyed A'));
    const [updated] = await run(params('Keyed B'));
    expect(updated.json).toMatchObject({ accountid: created.json.accountid, name: 'Keyed B', accountnumber: 'NODE-UPS-1' });
    const [dup] = await run(params('Keyed C', { mode: 'createOnly' }), { continueOnFail: true });
    expect(dup.json).toMatchObject({ code: '0x80040237' });
  });
});

describe('get many', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) await createAccount({ name: `Paging Co ${i}`, revenue: i * 100, accountnumber: `PAGE-${i}` });
  });
  const base = { resource: 'row', operation: 'getMany', table: rl('accounts') };

  test('conditions typed from metadata, order and select; limit', async () => {
    const out = await run({
      ...base,
      returnAll: false,
      limit: 3,
      filterType: 'simple',
      combineConditions: 'and',
      conditions: { condition: [{ column: 'name', operator: 'startswith', value: 'Paging Co' }, { column: 'revenue', operator: 'ge', value: '200' }] },
      options: { select: ['name', 'revenue'], orderBy: 'revenue desc' },
    });
    expect(out.map((o) => o.json.name)).toEqual(['Paging Co 6', 'Paging Co 5', 'Paging Co 4']);
    expect(out.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
    expect(Object.keys(out[0].json).sort()).toEqual(expect.arrayContaining(['name', 'revenue']));
  });

  test('return all streams every page; any-condition; raw $filter; FetchXML', async () => {
    const all = await run({ ...base, returnAll: true, filterType: 'simple', combineConditions: 'or', conditions: { condition: [{ column: 'accountnumber', operator: 'eq', value: 'PAGE-1' }, { column: 'accountnumber', operator: 'eq', value: 'PAGE-2' }] }, options: {} });
    expect(all.map((o) => o.json.accountnumber).sort()).toEqual(['PAGE-1', 'PAGE-2']);
    const rawOut = await run({ ...base, returnAll: true, filterType: 'raw', filter: "startswith(name,'Paging Co')", options: { select: ['name'] } });
    expect(rawOut).toHaveLength(7);
    const fetch = await run({
      ...base,
      returnAll: false,
      limit: 2,
      filterType: 'fetchXml',
      fetchXml: '<fetch><entity name="account"><attribute name="name" /><filter><condition attribute="name" operator="like" value="Paging Co%" /></filter></entity></fetch>',
      options: {},
    });
    expect(fetch).toHaveLength(2);
    expect(String(fetch[0].json.name)).toMatch(/^Paging Co/);
  });

  test('a condition value of the wrong type or on an unknown column is a specific error', async () => {
    const out = await run(
      (i) => ({
        ...base,
        returnAll: true,
        filterType: 'simple',
        conditions: { condition: [[{ column: 'revenue', operator: 'gt', value: 'lots' }], [{ column: 'nosuchcolumn', operator: 'eq', value: '1' }], [{ column: 'revenue', operator: 'gt', value: '' }], [{ column: 'accountnumber', operator: 'eq', value: 'PAGE-3' }]][i] },
        options: {},
      }),
      { items: [{}, {}, {}, {}], continueOnFail: true },
    );
    expect(out.map((o) => [o.pairedItem, o.json.code])).toEqual([
      [{ item: 0 }, 'InvalidFilterValue'],
      [{ item: 1 }, 'UnknownColumn'],
      [{ item: 2 }, 'EmptyValue'],
      [{ item: 3 }, undefined],
    ]);
    expect(out[3].json.accountnumber).toBe('PAGE-3');
  });
});

describe('associate / disassociate', () => {
  test('links a contact to an account through a one-to-many relationship and unlinks it', async () => {
    const account = await createAccount({ name: 'Assoc Co' });
    const [contact] = await run({ resource: 'row', operation: 'create', table: rl('contacts'), columns: columns({ lastname: 'Linked' }), options: {} });
    const params = (operation: string) => ({ resource: 'row', operation, table: rl('accounts'), rowId: rl(String(account.accountid)), relationship: 'contact_customer_accounts', relatedRowId: contact.json.contactid, options: {} });
    const [linked] = await run(params('associate'));
    expect(linked.json).toMatchObject({ associated: true, relatedTable: 'contact' });
    const get = () => run({ resource: 'row', operation: 'get', table: rl('contacts'), rowId: rl(String(contact.json.contactid)), options: { select: ['parentcustomerid'] } });
    expect((await get())[0].json._parentcustomerid_value).toBe(account.accountid);
    const [unlinked] = await run(params('disassociate'));
    expect(unlinked.json).toMatchObject({ disassociated: true });
    expect((await get())[0].json._parentcustomerid_value ?? null).toBeNull();
    const [bad] = await run({ ...params('associate'), relationship: 'no_such_rel' }, { continueOnFail: true });
    expect(bad.json.code).toBe('UnknownRelationship');
  });
});

describe('bad input: each failure on its own item with continueOnFail', () => {
  test('missing table, wrong column, wrong type, empty expression values', async () => {
    const cases: Params[] = [
      { table: rl('accounts'), columns: columns({ name: 'Good 0' }) },
      { table: rl('nosuchtables'), columns: columns({ name: 'x' }) },
      { table: rl('accounts'), columns: columns({ name: 'x', nosuchcolumn: 1 }) },
      { table: rl('accounts'), columns: columns({ name: 'x', numberofemployees: 'many' }) },
      { table: rl(''), columns: columns({ name: 'x' }) },
      { table: rl('accounts'), columns: columns({ name: 'x', revenue: '' }) },
      { table: rl('accounts'), columns: columns({ name: 'Good 6' }) },
    ];
    const out = await run((i) => ({ resource: 'row', operation: 'create', options: {}, ...cases[i] }), { items: cases.map(() => ({})), continueOnFail: true });
    expect(out.map((o) => (o.pairedItem as { item: number }).item)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.map((o) => o.json.code)).toEqual([undefined, 'TableNotFound', 'UnknownColumn', 'InvalidColumnValue', 'EmptyTable', 'EmptyValue', undefined]);
    expect(out[0].json.name).toBe('Good 0');
    expect(out[6].json.name).toBe('Good 6');
    expect(out[1].json.error).toContain("'nosuchtables'");
    expect(out[2].json.error).toContain("'nosuchcolumn'");
    expect(out[3].json.error).toContain("'numberofemployees'");
    // The error on the item itself is what n8n's "Continue (using error output)" routes by.
    expect(out.map((o) => o.error instanceof Error)).toEqual([false, true, true, true, true, true, false]);
    expect((out[1].error as Error).message).toBe(out[1].json.error);
  });

  test('an empty row id from an expression; without continueOnFail the error is thrown with the item index', async () => {
    const [empty] = await run({ resource: 'row', operation: 'get', table: rl('accounts'), rowId: rl(''), options: {} }, { continueOnFail: true });
    expect(empty.json.code).toBe('EmptyRowId');
    const error = await run({ resource: 'row', operation: 'get', table: rl('accounts'), rowId: rl('not-a-guid'), options: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toContain("'not-a-guid' is not a GUID");
    expect(error.context.itemIndex).toBe(0);
  });

  test('a Dataverse error from the service (wrong value accepted by typing, refused by the server) keeps its code', async () => {
    const [out] = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: 'x'.repeat(500) }), options: {} }, { continueOnFail: true });
    expect(out.json.code).toEqual(expect.any(String));
    expect(out.json.error).toEqual(expect.any(String));
  });
});

describe('options and authentication', () => {
  test('impersonation and bypass headers reach the request; the operation headers win', async () => {
    const { callHeaders } = await import('../../nodes/Dataverse/actions/helpers');
    const headers = callHeaders({ callerObjectId: env.emulator.identity.user.id, bypassCustomPluginExecution: true, suppressDuplicateDetection: true });
    expect(headers).toEqual({ CallerObjectId: env.emulator.identity.user.id, 'MSCRM.BypassCustomPluginExecution': 'true', 'MSCRM.SuppressDuplicateDetection': 'true' });
    const { createRequest } = await import('../../client/dataverse/crud');
    const { connectFromCredentials } = await import('../../nodes/Dataverse/transport/connection');
    const conn = connectFromCredentials('appRegistration', appCredentials(env.emulator));
    try {
      const request = conn.dv.context.buildRequest({ ...createRequest('accounts', { name: 'x' }, { returnRepresentation: true, extraHeaders: { ...headers, Prefer: 'ignored' } }) });
      expect(request.headers).toMatchObject({ callerobjectid: env.emulator.identity.user.id, 'mscrm.bypasscustompluginexecution': 'true', 'mscrm.suppressduplicatedetection': 'true', prefer: 'return=representation' });
    } finally {
      conn.dv.close();
    }
    const out = await createAccount({ name: 'Headers Co' });
    const [created] = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: 'With headers' }), options: { bypassCustomPluginExecution: true, suppressDuplicateDetection: true } });
    expect(created.json.name).toBe('With headers');
    expect(out.name).toBe('Headers Co');
    const [bad] = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: 'x' }), options: { callerObjectId: 'someone' } }, { continueOnFail: true });
    expect(bad.json.code).toBe('InvalidCallerObjectId');
  });

  test('OAuth2 (delegated): the node uses the access token n8n holds', async () => {
    const token = await appToken(env.emulator);
    const out = await runNode(node, {
      params: { authentication: 'oAuth2', resource: 'row', operation: 'getMany', table: rl('accounts'), returnAll: false, limit: 1, filterType: 'none', options: {} },
      credentials: { dynamics365OAuth2Api: { environmentUrl: env.emulator.dataverseUrl, caCertificatePem: env.emulator.caCertPem, oauthTokenData: { access_token: token } } },
    });
    expect(out).toHaveLength(1);
    const [failed] = await runNode(node, {
      params: { authentication: 'oAuth2', resource: 'row', operation: 'getMany', table: rl('accounts'), returnAll: false, limit: 1, filterType: 'none', options: {} },
      credentials: { dynamics365OAuth2Api: { environmentUrl: env.emulator.dataverseUrl, caCertificatePem: env.emulator.caCertPem, oauthTokenData: {} } },
      continueOnFail: true,
    });
    expect(failed.json.error).toContain('reconnect the credential');
  });
});
