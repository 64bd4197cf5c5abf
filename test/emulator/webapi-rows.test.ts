/** Row reads and writes over real HTTPS, checked against the documented Dataverse behaviour. */
import { startWebApi, useWebApi } from '../helpers/emulator';

const w = useWebApi();

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('create, read, update, delete', () => {
  test('POST returns 204 with OData-EntityId, GET returns the row with an etag', async () => {
    const created = await w.call('POST', 'accounts', { body: { name: 'Row test', revenue: 1500.5, industrycode: 7 } });
    expect(created.status).toBe(204);
    const entityId = String(created.headers['odata-entityid']);
    expect(entityId).toMatch(new RegExp(`^${w.api.replace(/[.$]/g, '\\$&')}accounts\\([0-9a-f-]{36}\\)$`));
    const got = await w.call('GET', `${entityId}?$select=name,revenue,industrycode`);
    expect(got.status).toBe(200);
    expect(got.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,revenue,industrycode)/$entity`);
    expect(got.json['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(got.json).toMatchObject({ name: 'Row test', revenue: 1500.5, industrycode: 7 });
    expect(got.json.accountid).toMatch(GUID);
  });

  test('return=representation gives 201 with the body and ETag header', async () => {
    const res = await w.call('POST', 'contacts?$select=firstname,lastname,fullname', {
      headers: { prefer: 'return=representation' },
      body: { firstname: 'Ada', lastname: 'Lovelace' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe(res.json['@odata.etag']);
    expect(res.headers['preference-applied']).toContain('return=representation');
    expect(res.json.fullname).toBe('Ada Lovelace');
  });

  test('PATCH updates, If-Match with a stale etag gets 412 0x80060882', async () => {
    const created = await w.call('POST', 'accounts', { headers: { prefer: 'return=representation' }, body: { name: 'Etag test' } });
    const url = `accounts(${created.json.accountid})`;
    const first = await w.call('PATCH', url, { headers: { 'if-match': created.json['@odata.etag'] }, body: { name: 'Etag test 2' } });
    expect(first.status).toBe(204);
    const stale = await w.call('PATCH', url, { headers: { 'if-match': created.json['@odata.etag'] }, body: { name: 'Etag test 3' } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('0x80060882');
    const now = await w.call('GET', `${url}?$select=name`);
    expect(now.json.name).toBe('Etag test 2');
  });

  test('PATCH upserts: creates when missing, If-Match:* refuses to create, If-None-Match:* refuses to update', async () => {
    const id = '6f8bdc9f-8a0c-4d37-9c47-2d5a2b6b0b11';
    const createOnly = await w.call('PATCH', `accounts(${id})`, { headers: { 'if-match': '*' }, body: { name: 'x' } });
    expect(createOnly.status).toBe(404);
    expect(createOnly.json.error.code).toBe('0x80040217');
    const created = await w.call('PATCH', `accounts(${id})`, { body: { name: 'Upserted' } });
    expect(created.status).toBe(204);
    const again = await w.call('PATCH', `accounts(${id})`, { headers: { 'if-none-match': '*' }, body: { name: 'x' } });
    expect(again.status).toBe(412);
    expect(again.json.error).toEqual({ code: '0x80040237', message: 'A record with matching key values already exists.' });
  });

  test('alternate key upsert creates with the key value and then updates the same row', async () => {
    const key = "accounts(accountnumber='ALT-O''1')";
    const created = await w.call('PATCH', key, { body: { name: 'Alt key' } });
    expect(created.status).toBe(204);
    expect(created.headers['odata-entityid']).toBe(`${w.api}${key}`);
    const updated = await w.call('PATCH', key, { body: { name: 'Alt key 2' } });
    expect(updated.status).toBe(204);
    const list = await w.call('GET', `accounts?$select=name,accountnumber&$filter=accountnumber eq 'ALT-O''1'`.replace(/ /g, '%20'));
    expect(list.json.value).toHaveLength(1);
    expect(list.json.value[0]).toMatchObject({ name: 'Alt key 2', accountnumber: "ALT-O'1" });
  });

  test('DELETE gives 204, then 404 with the Dataverse message', async () => {
    const created = await w.call('POST', 'tasks', { headers: { prefer: 'return=representation' }, body: { subject: 'Delete me' } });
    const url = `tasks(${created.json.activityid})`;
    expect((await w.call('DELETE', url)).status).toBe(204);
    const gone = await w.call('GET', url);
    expect(gone.status).toBe(404);
    expect(gone.json.error).toEqual({ code: '0x80040217', message: `Entity 'task' With Id = ${created.json.activityid} Does Not Exist` });
  });

  test('single-column PUT and DELETE', async () => {
    const created = await w.call('POST', 'accounts', { headers: { prefer: 'return=representation' }, body: { name: 'Col', description: 'd' } });
    const url = `accounts(${created.json.accountid})`;
    expect((await w.call('PUT', `${url}/name`, { body: { value: 'Col 2' } })).status).toBe(204);
    expect((await w.call('DELETE', `${url}/description`)).status).toBe(204);
    const got = await w.call('GET', `${url}/name`);
    expect(got.json.value).toBe('Col 2');
    const raw = await w.call('GET', `${url}/name/$value`);
    expect(raw.text).toBe('Col 2');
    expect((await w.call('GET', `${url}?$select=description`)).json.description).toBeNull();
  });
});

describe('lookups and relationships', () => {
  test('@odata.bind sets a polymorphic lookup and annotations describe it', async () => {
    const account = await w.call('POST', 'accounts', { headers: { prefer: 'return=representation' }, body: { name: 'Parent Co' } });
    const contact = await w.call('POST', 'contacts', {
      headers: { prefer: 'return=representation' },
      body: { lastname: 'Child', 'parentcustomerid_account@odata.bind': `/accounts(${account.json.accountid})` },
    });
    expect(contact.status).toBe(201);
    const got = await w.call('GET', `contacts(${contact.json.contactid})?$select=_parentcustomerid_value`, {
      headers: { prefer: 'odata.include-annotations="*"' },
    });
    expect(got.json._parentcustomerid_value).toBe(account.json.accountid);
    expect(got.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
    expect(got.json['_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('parentcustomerid_account');
    expect(got.json['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe('Parent Co');
    const keys = Object.keys(got.json);
    expect(keys.indexOf('_parentcustomerid_value@OData.Community.Display.V1.FormattedValue')).toBeLessThan(keys.indexOf('_parentcustomerid_value'));
  });

  test('a wrong navigation name in @odata.bind is 400 0x80048d19', async () => {
    const res = await w.call('POST', 'contacts', { body: { lastname: 'X', 'parentcustomerid@odata.bind': '/accounts(00000000-0000-0000-0000-000000000001)' } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('0x80048d19');
    expect(res.json.error.message).toContain("An undeclared property 'parentcustomerid'");
  });

  test('$ref associates and disassociates a 1:N relationship, $expand reads it', async () => {
    const account = await w.call('POST', 'accounts', { headers: { prefer: 'return=representation' }, body: { name: 'Ref Co' } });
    const task = await w.call('POST', 'tasks', { headers: { prefer: 'return=representation' }, body: { subject: 'Ref task' } });
    const nav = `accounts(${account.json.accountid})/Account_Tasks`;
    const add = await w.call('POST', `${nav}/$ref`, { body: { '@odata.id': `${w.api}tasks(${task.json.activityid})` } });
    expect(add.status).toBe(204);
    const expanded = await w.call('GET', `accounts(${account.json.accountid})?$select=name&$expand=Account_Tasks($select=subject)`);
    expect(expanded.json.Account_Tasks.map((t: any) => t.subject)).toEqual(['Ref task']);
    const remove = await w.call('DELETE', `${nav}(${task.json.activityid})/$ref`);
    expect(remove.status).toBe(204);
    const after = await w.call('GET', `${nav}?$select=subject`);
    expect(after.json.value).toEqual([]);
  });

  test('deleting an account cascades to its tasks (regarding) and contacts (parent customer)', async () => {
    const account = await w.call('POST', 'accounts', {
      headers: { prefer: 'return=representation' },
      body: { name: 'Cascade Co', Account_Tasks: [{ subject: 'Child task' }] },
    });
    const tasks = await w.call('GET', `accounts(${account.json.accountid})/Account_Tasks?$select=activityid`);
    expect(tasks.json.value).toHaveLength(1);
    expect((await w.call('DELETE', `accounts(${account.json.accountid})`)).status).toBe(204);
    expect((await w.call('GET', `tasks(${tasks.json.value[0].activityid})`)).status).toBe(404);
  });
});

describe('bad input gets a clear 400 in the Dataverse error shape', () => {
  test.each([
    ['malformed JSON', 'accounts', '{"name": ', '0x80048d19', 'Invalid JSON'],
    ['unknown column', 'accounts', JSON.stringify({ nme: 'x' }), '0x0', "Invalid property 'nme' was found in entity 'Microsoft.Dynamics.CRM.account'"],
    ['wrong type', 'accounts', JSON.stringify({ name: 42 }), '0x0', "Cannot convert the literal '42' to the expected type 'Edm.String'"],
    ['too long', 'tasks', JSON.stringify({ subject: 'x'.repeat(201) }), '0x80044331', "exceeded the maximum allowed length of '200'"],
    ['choice out of range', 'accounts', JSON.stringify({ name: 'x', industrycode: 999 }), '0x8004431a', 'outside the valid range'],
    ['missing system-required column', 'sample_documents', JSON.stringify({ statecode: 0 }), '0x80040203', "'sample_name' attribute of the 'sample_document' entity is required"],
    ['read-only column', 'accounts', JSON.stringify({ name: 'x', versionnumber: 5 }), '0x80048d19', "'versionnumber' is read-only"],
  ])('%s', async (_name, path, body, code, message) => {
    const res = await w.call('POST', path, { body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.message).toContain(message);
  });

  test('invalid keys and unknown entity sets', async () => {
    const badKey = await w.call('GET', 'accounts(name=1)');
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.message).toContain("The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.account'");
    const notGuid = await w.call('GET', 'accounts(12345)');
    expect(notGuid.status).toBe(400);
    const unknown = await w.call('GET', 'Accounts');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toEqual({ code: '0x8006088a', message: "Resource not found for the segment 'Accounts'." });
  });

  test('an oversize body is refused with 413 before it is read whole', async () => {
    const small = await startWebApi({ maxBodyBytes: 1024 });
    try {
      const res = await small.call('POST', 'accounts', { body: JSON.stringify({ name: 'x'.repeat(5000) }) });
      expect(res.status).toBe(413);
      expect(res.json.error.message).toContain('larger than the limit of 1024 bytes');
      const ok = await small.call('GET', 'accounts?$top=1&$select=name');
      expect(ok.status).toBe(200);
    } finally {
      await small.emulator.stop();
    }
  });
});
