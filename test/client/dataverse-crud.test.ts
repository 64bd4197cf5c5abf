/** DataverseClient rows end to end against the emulator: create, retrieve, update, upsert, delete, $ref, friendly rows. */
import { D365Error } from '../../client/http/errors';
import { toFriendlyRow } from '../../client/dataverse';
import { createRequest, deleteRequest, retrieveRequest, updateRequest, upsertRequest } from '../../client/dataverse/crud';
import { useDataverse } from './dataverse-setup';

const f = useDataverse();

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function failure(promise: Promise<unknown>): Promise<D365Error> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(D365Error);
    return e as D365Error;
  }
  throw new Error('expected a D365Error');
}

describe('create', () => {
  test('id from OData-EntityId', async () => {
    const { id, row, entityUrl } = await f.client.create('accounts', { name: 'Header Id Ltd' });
    expect(id).toMatch(GUID);
    expect(row).toBeUndefined();
    expect(entityUrl).toContain(`accounts(${id})`);
    expect((await f.client.retrieve('accounts', id, { select: ['name'] })).name).toBe('Header Id Ltd');
  });

  test('id and row from the representation', async () => {
    const result = await f.client.create('accounts', { name: 'Representation Ltd', accountnumber: 'REP-1' }, { returnRepresentation: true, select: ['name', 'accountnumber'] });
    expect(result.id).toMatch(GUID);
    expect(result.row).toMatchObject({ name: 'Representation Ltd', accountnumber: 'REP-1', accountid: result.id });
    expect(result.etag).toMatch(/^W\/"\d+"$/);
  });

  test('id from the representation when the service sends no OData-EntityId', async () => {
    const client = new (f.client.constructor as typeof import('../../client/dataverse').DataverseClient)({
      environmentUrl: f.emulator.dataverseUrl,
      send: async (request) => {
        const response = await f.pipeline.send(request);
        const { 'odata-entityid': _dropped, ...headers } = response.headers;
        return { ...response, headers };
      },
    });
    const result = await client.create('accounts', { name: 'No Header Ltd' }, { returnRepresentation: true });
    expect(result.entityUrl).toBeUndefined();
    expect(result.id).toBe(result.row!.accountid);
  });

  test('a create is never marked idempotent; reads and keyed writes are', () => {
    expect(createRequest('accounts', { name: 'x' }).idempotent).toBe(false);
    expect(retrieveRequest('accounts', '00000000-0000-0000-0000-000000000001').idempotent).toBe(true);
    expect(updateRequest('accounts', '00000000-0000-0000-0000-000000000001', {}).headers).toEqual({ 'if-match': '*' });
    expect(updateRequest('accounts', '00000000-0000-0000-0000-000000000001', {}).idempotent).toBe(true);
    expect(upsertRequest('accounts', { accountnumber: 'A1' }, {}).idempotent).toBe(true);
    expect(deleteRequest('accounts', '00000000-0000-0000-0000-000000000001').idempotent).toBe(true);
  });
});

describe('retrieve', () => {
  test('by id and by alternate key', async () => {
    const { id } = await f.client.create('accounts', { name: 'Key Co', accountnumber: "K'1/2?&" });
    const byId = await f.client.retrieve('accounts', id, { select: ['name', 'accountnumber'] });
    expect(byId).toMatchObject({ accountid: id, name: 'Key Co' });
    const byKey = await f.client.retrieve('accounts', { accountnumber: "K'1/2?&" }, { select: ['name'] });
    expect(byKey.accountid).toBe(id);
  });

  test('expand and annotations', async () => {
    const account = await f.client.retrieve('accounts', { accountnumber: 'ACC-1001' }, {
      select: ['name', 'industrycode', '_primarycontactid_value'],
      expand: [{ property: 'contact_customer_accounts', select: ['fullname'] }],
      annotations: true,
    });
    expect(account['industrycode@OData.Community.Display.V1.FormattedValue']).toBe('Consulting');
    expect(Array.isArray(account.contact_customer_accounts)).toBe(true);
  });

  test('404 names the table and the key, with code 0x80040217', async () => {
    const missing = '00000000-0000-0000-0000-00000000abcd';
    const error = await failure(f.client.retrieve('accounts', missing));
    expect(error).toMatchObject({ status: 404, code: '0x80040217' });
    expect(error.message).toContain("table 'accounts'");
    expect(error.message).toContain(missing);
    const byKey = await failure(f.client.retrieve('accounts', { accountnumber: 'NOPE-9' }));
    expect(byKey).toMatchObject({ status: 404, code: '0x80040217' });
    expect(byKey.message).toContain("accountnumber='NOPE-9'");
  });
});

describe('update', () => {
  test('with the current etag, then with a stale one: 412 0x80060882', async () => {
    const { id } = await f.client.create('accounts', { name: 'Versioned' });
    const read = await f.client.retrieve('accounts', id, { select: ['name'] });
    const etag = read['@odata.etag'] as string;
    await f.client.update('accounts', id, { name: 'Versioned 2' }, { ifMatch: etag });
    const error = await failure(f.client.update('accounts', id, { name: 'Versioned 3' }, { ifMatch: etag }));
    expect(error).toMatchObject({ status: 412, code: '0x80060882' });
    expect((await f.client.retrieve('accounts', id, { select: ['name'] })).name).toBe('Versioned 2');
  });

  test('update never creates: a missing row is a 404', async () => {
    const error = await failure(f.client.update('accounts', '00000000-0000-0000-0000-00000000beef', { name: 'x' }));
    expect(error).toMatchObject({ status: 404, code: '0x80040217' });
  });

  test('returnRepresentation', async () => {
    const { id } = await f.client.create('accounts', { name: 'Before' });
    const result = await f.client.update('accounts', id, { name: 'After' }, { returnRepresentation: true, select: ['name'] });
    expect(result.row).toMatchObject({ name: 'After', accountid: id });
  });
});

describe('upsert', () => {
  test('upsert creates then updates; createOnly and updateOnly map to If-None-Match / If-Match', async () => {
    const key = { accountnumber: 'UPS-1' };
    await f.client.upsert('accounts', key, { name: 'Upsert created' });
    expect((await f.client.retrieve('accounts', key, { select: ['name'] })).name).toBe('Upsert created');
    await f.client.upsert('accounts', key, { name: 'Upsert updated' }, { mode: 'upsert' });
    expect((await f.client.retrieve('accounts', key, { select: ['name'] })).name).toBe('Upsert updated');

    const duplicate = await failure(f.client.upsert('accounts', key, { name: 'x' }, { mode: 'createOnly' }));
    expect(duplicate).toMatchObject({ status: 412, code: '0x80040237' });
    const created = await f.client.upsert('accounts', { accountnumber: 'UPS-2' }, { name: 'Create only' }, { mode: 'createOnly', returnRepresentation: true });
    expect(created.row?.name).toBe('Create only');
    expect(created.id).toMatch(GUID);

    await f.client.upsert('accounts', key, { name: 'Update only' }, { mode: 'updateOnly' });
    expect((await f.client.retrieve('accounts', key, { select: ['name'] })).name).toBe('Update only');
    const missing = await failure(f.client.upsert('accounts', { accountnumber: 'UPS-404' }, { name: 'x' }, { mode: 'updateOnly' }));
    expect(missing).toMatchObject({ status: 404, code: '0x80040217' });
    expect(missing.message).toContain("accountnumber='UPS-404'");

    const headers = (mode: 'upsert' | 'createOnly' | 'updateOnly') => upsertRequest('accounts', key, {}, { mode }).headers;
    expect(headers('upsert')).toEqual({});
    expect(headers('createOnly')).toEqual({ 'if-none-match': '*' });
    expect(headers('updateOnly')).toEqual({ 'if-match': '*' });
  });
});

describe('delete', () => {
  test('deletes; a second delete is a 404; ifMatch guards it', async () => {
    const { id } = await f.client.create('accounts', { name: 'Doomed' });
    const etag = (await f.client.retrieve('accounts', id, { select: ['name'] }))['@odata.etag'] as string;
    await f.client.update('accounts', id, { name: 'Doomed 2' });
    expect(await failure(f.client.delete('accounts', id, { ifMatch: etag }))).toMatchObject({ status: 412 });
    await f.client.delete('accounts', id);
    expect(await failure(f.client.retrieve('accounts', id))).toMatchObject({ status: 404 });
    expect(await failure(f.client.delete('accounts', id))).toMatchObject({ status: 404, code: '0x80040217' });
  });
});

describe('associate / disassociate', () => {
  test('contacts through contact_customer_accounts and tasks through Account_Tasks', async () => {
    const { id: accountid } = await f.client.create('accounts', { name: 'Parent Co' });
    const { id: contactid } = await f.client.create('contacts', { lastname: 'Child' });
    const { id: taskid } = await f.client.create('tasks', { subject: 'Call back' });
    const children = async () =>
      f.client.retrieve('accounts', accountid, {
        select: ['name'],
        expand: [{ property: 'contact_customer_accounts', select: ['contactid'] }, { property: 'Account_Tasks', select: ['activityid'] }],
      });

    await f.client.associate('accounts', accountid, 'contact_customer_accounts', { set: 'contacts', key: contactid });
    await f.client.associate('accounts', accountid, 'Account_Tasks', { set: 'tasks', key: taskid });
    let row = await children();
    expect((row.contact_customer_accounts as { contactid: string }[]).map((c) => c.contactid)).toEqual([contactid]);
    expect((row.Account_Tasks as { activityid: string }[]).map((t) => t.activityid)).toEqual([taskid]);
    expect((await f.client.retrieve('contacts', contactid, { select: ['_parentcustomerid_value'] }))._parentcustomerid_value).toBe(accountid);

    await f.client.disassociate('accounts', accountid, 'contact_customer_accounts', { set: 'contacts', key: contactid });
    await f.client.disassociate('accounts', accountid, 'Account_Tasks', { set: 'tasks', key: taskid });
    row = await children();
    expect(row.contact_customer_accounts).toEqual([]);
    expect(row.Account_Tasks).toEqual([]);
  });

  test('single-valued: setLookup and clearLookup', async () => {
    const { id: accountid } = await f.client.create('accounts', { name: 'Lookup Co' });
    const { id: contactid } = await f.client.create('contacts', { lastname: 'Lookup' });
    await f.client.setLookup('contacts', contactid, 'parentcustomerid_account', { set: 'accounts', key: accountid });
    expect((await f.client.retrieve('contacts', contactid, { select: ['_parentcustomerid_value'] }))._parentcustomerid_value).toBe(accountid);
    await f.client.clearLookup('contacts', contactid, 'parentcustomerid_account');
    expect((await f.client.retrieve('contacts', contactid, { select: ['_parentcustomerid_value'] }))._parentcustomerid_value).toBeNull();
  });

  test('a missing related row is a D365Error naming both rows', async () => {
    const { id } = await f.client.create('accounts', { name: 'Lonely' });
    const error = await failure(f.client.associate('accounts', id, 'contact_customer_accounts', { set: 'contacts', key: '00000000-0000-0000-0000-00000000dead' }));
    expect(error.status).toBe(404);
    expect(error.message).toContain('contacts(00000000-0000-0000-0000-00000000dead)');
  });
});

describe('annotations → friendly shape', () => {
  test('formatted values, lookups with name and logical name, fields and etag', async () => {
    const { id: parentId } = await f.client.create('accounts', { name: 'Fabrikam Parent' });
    const { id } = await f.client.create('accounts', {
      name: 'Contoso Friendly',
      industrycode: 7,
      'parentaccountid@odata.bind': `accounts(${parentId})`,
    });
    const row = await f.client.retrieve('accounts', id, { select: ['name', 'industrycode', '_parentaccountid_value'], annotations: true });
    const friendly = toFriendlyRow(row);
    expect(friendly.fields).toMatchObject({ name: 'Contoso Friendly', industrycode: 7, parentaccountid: parentId, accountid: id });
    expect(friendly.formatted).toMatchObject({ industrycode: 'Consulting', parentaccountid: 'Fabrikam Parent' });
    expect(friendly.lookups.parentaccountid).toEqual({ id: parentId, logicalName: 'account', name: 'Fabrikam Parent', navigationProperty: 'parentaccountid' });
    expect(friendly.etag).toMatch(/^W\/"\d+"$/);
    expect(Object.keys(friendly.fields).some((k) => k.includes('@') || k.startsWith('_'))).toBe(false);
    expect(friendly.annotations['@odata.context']).toContain('$metadata#accounts');
  });

  test('expanded rows become related rows in the same shape', () => {
    const friendly = toFriendlyRow({
      name: 'A',
      contact_customer_accounts: [{ fullname: 'B', '_parentcustomerid_value@OData.Community.Display.V1.FormattedValue': 'A', _parentcustomerid_value: 'x' }],
      primarycontactid: { fullname: 'C' },
      'contact_customer_accounts@odata.nextLink': 'https://example/next',
    });
    expect(friendly.related.contact_customer_accounts).toEqual([
      { fields: { fullname: 'B', parentcustomerid: 'x' }, formatted: { parentcustomerid: 'A' }, lookups: { parentcustomerid: { id: 'x', name: 'A' } }, related: {}, annotations: {} },
    ]);
    expect((friendly.related.primarycontactid as { fields: object }).fields).toEqual({ fullname: 'C' });
    expect(friendly.annotations['contact_customer_accounts@odata.nextLink']).toBe('https://example/next');
  });
});

test('every request sent carries its idempotency flag', () => {
  expect(f.sent.length).toBeGreaterThan(10);
  for (const request of f.sent) {
    expect(typeof request.idempotent).toBe('boolean');
    if (request.method === 'POST' && !request.url.endsWith('/$ref')) expect(request.idempotent).toBe(false);
    if (request.method !== 'POST') expect(request.idempotent).toBe(true);
  }
});
