/** The Dataverse node's pickers (listSearch, loadOptions, resourceMapping) and credential test against the emulator. */
import type { IDataObject } from 'n8n-workflow';
import { connectDataverse } from '../../client/connect';
import { startEmulator } from '../../emulator';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { appToken } from '../helpers/emulator';
import { appCredentials, credentialTestContext, loadOptionsContext, rl, type Params, useNodeEmulator } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();

const ctx = (params: Params) => loadOptionsContext(node, params, env.credentials as never);

describe('listSearch', () => {
  test('searchTables: every table, or those matching the search', async () => {
    const all = await node.methods.listSearch.searchTables.call(ctx({}));
    expect(all.results.length).toBeGreaterThan(10);
    const some = await node.methods.listSearch.searchTables.call(ctx({}), 'contact');
    expect(some.results).toContainEqual({ name: 'Contact (contacts)', value: 'contacts', url: `${env.emulator.dataverseUrl}api/data/v9.2/contacts` });
    expect(some.results.every((r) => /contact/i.test(r.name))).toBe(true);
  });

  test('searchRows: primary name search, ids as values, record URLs; pages through paginationToken', async () => {
    const found = await node.methods.listSearch.searchRows.call(ctx({ table: rl('accounts', 'list') }), 'a');
    expect(found.results.length).toBeGreaterThan(0);
    for (const r of found.results) {
      expect(String(r.name).toLowerCase()).toContain('a');
      expect(r.value).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.url).toBe(`${env.emulator.dataverseUrl}main.aspx?etn=account&id=${r.value}&pagetype=entityrecord`);
    }
    const none = await node.methods.listSearch.searchRows.call(ctx({ table: rl('accounts') }), 'zz-no-such-name-zz');
    expect(none).toEqual({ results: [], paginationToken: undefined });

    const dv = connectDataverse({ environmentUrl: env.emulator.dataverseUrl, ca: env.emulator.caCertPem, credentials: { kind: 'secret', clientId: env.emulator.clientId, clientSecret: env.emulator.clientSecret, authorityUrl: env.emulator.authorityUrl } });
    try {
      for (let i = 0; i < 55; i++) await dv.create('accounts', { name: `Pager ${String(i).padStart(2, '0')}` });
    } finally {
      dv.close();
    }
    const first = await node.methods.listSearch.searchRows.call(ctx({ table: rl('accounts') }), 'Pager');
    expect(first.results).toHaveLength(50);
    expect(first.paginationToken).toEqual(expect.any(String));
    const second = await node.methods.listSearch.searchRows.call(ctx({ table: rl('accounts') }), 'Pager', first.paginationToken as string);
    expect(second.results.map((r) => r.name)).toEqual(['Pager 50', 'Pager 51', 'Pager 52', 'Pager 53', 'Pager 54']);
  });

  test('searchRows with a missing table is a specific error', async () => {
    await expect(node.methods.listSearch.searchRows.call(ctx({ table: rl('nosuchtable') }))).rejects.toThrow("The table 'nosuchtable' does not exist");
  });
});

describe('loadOptions', () => {
  test('getColumns: readable columns with labels and types', async () => {
    const options = await node.methods.loadOptions.getColumns.call(ctx({ table: rl('accounts') }));
    expect(options).toContainEqual(expect.objectContaining({ value: 'name', description: 'String' }));
    expect(options).toContainEqual(expect.objectContaining({ value: 'industrycode', description: 'Picklist' }));
  });

  test('getOptionSetValues: labels and values of a choice column', async () => {
    const options = await node.methods.loadOptions.getOptionSetValues.call(ctx({ table: rl('accounts'), optionSetColumn: 'industrycode' }));
    expect(options.length).toBe(12);
    expect(options[0]).toEqual({ name: expect.any(String), value: expect.any(Number) });
  });

  test('getRelationships: collection navigation properties', async () => {
    const options = await node.methods.loadOptions.getRelationships.call(ctx({ table: rl('accounts') }));
    expect(options.map((o) => o.value)).toContain('contact_customer_accounts');
    expect(options.find((o) => o.value === 'contact_customer_accounts')?.name).toContain('(contact, 1:N)');
  });
});

describe('resourceMapping', () => {
  test('create: required first, typed, choices with labels, read-only columns and the primary key left out', async () => {
    const { fields } = await node.methods.resourceMapping.getColumns.call(ctx({ table: rl('accounts'), operation: 'create' }));
    expect(fields[0]).toEqual({ id: 'name', displayName: expect.any(String), required: true, defaultMatch: false, canBeUsedToMatch: false, display: true, type: 'string' });
    const industry = fields.find((f) => f.id === 'industrycode');
    expect(industry?.type).toBe('options');
    expect(industry?.options?.[0]).toEqual({ name: expect.any(String), value: expect.any(Number) });
    const ids = fields.map((f) => f.id);
    for (const readOnly of ['accountid', 'createdon', 'modifiedon', 'versionnumber']) expect(ids).not.toContain(readOnly);
    expect(fields.find((f) => f.id === 'revenue')?.type).toBe('number');
    expect(fields.find((f) => f.id === 'creditonhold')?.type).toBe('boolean');
  });

  test('polymorphic lookups: one field per column naming its target tables; update marks nothing required', async () => {
    const { fields } = await node.methods.resourceMapping.getColumns.call(ctx({ table: rl('contacts'), operation: 'update' }));
    const lookups = fields.filter((f) => f.id.startsWith('parentcustomerid'));
    expect(lookups.map((f) => f.id)).toEqual(['parentcustomerid']);
    expect(lookups[0].type).toBe('string');
    expect(lookups[0].displayName).toMatch(/lookup to .*\(account\).*\(contact\)/);
    expect(fields.some((f) => f.required)).toBe(false);
  });
});

describe('credential test (WhoAmI through the shared client)', () => {
  const test_ = (data: IDataObject) =>
    node.methods.credentialTest.dynamics365AppRegistrationApiTest.call(credentialTestContext(), { id: '1', name: 'Dataverse', type: 'dynamics365AppRegistrationApi', data } as never);

  test('success names the user and organization', async () => {
    const result = await test_(appCredentials(env.emulator));
    expect(result).toEqual({
      status: 'OK',
      message: `Connected as user ${env.emulator.identity.applicationUserId} in organization ${env.emulator.identity.organizationId}`,
    });
  });

  test('wrong secret, unknown app, wrong tenant: the Entra reason', async () => {
    const wrongSecret = await test_(appCredentials(env.emulator, { clientSecret: 'not-the-secret' }));
    expect(wrongSecret.status).toBe('Error');
    expect(wrongSecret.message).toMatch(/^Wrong or expired client secret \(AADSTS7000215\)/);
    expect(wrongSecret.message).not.toContain('not-the-secret');
    const unknownApp = await test_(appCredentials(env.emulator, { clientId: '11111111-2222-3333-4444-555555555555' }));
    expect(unknownApp.message).toMatch(/^Unknown application \(client\) ID \(AADSTS700016\)/);
    const wrongTenant = await test_(appCredentials(env.emulator, { authorityUrl: env.emulator.authorityUrl.replace(/[^/]+$/, '99999999-9999-9999-9999-999999999999') }));
    expect(wrongTenant.message).toMatch(/^Wrong tenant \(AADSTS90002\)/);
  });

  test('no application user in the environment: 403 0x80072560', async () => {
    const own = await startEmulator({ limits: 'off' });
    try {
      own.service.store.delete('systemuser', own.identity.applicationUserId);
      const result = await test_(appCredentials(own));
      expect(result.status).toBe('Error');
      expect(result.message).toMatch(/^The app registration has no application user in this environment \(0x80072560\)/);
    } finally {
      await own.stop();
    }
  });

  test('OAuth2 credential: WhoAmI with the held token; none held is an error', async () => {
    const ok = await node.methods.credentialTest.dynamics365OAuth2ApiTest.call(credentialTestContext(), {
      id: '2',
      name: 'Delegated',
      type: 'dynamics365OAuth2Api',
      data: { environmentUrl: env.emulator.dataverseUrl, caCertificatePem: env.emulator.caCertPem, oauthTokenData: { access_token: await appToken(env.emulator) } },
    } as never);
    expect(ok).toEqual({ status: 'OK', message: `Connected as user ${env.emulator.identity.applicationUserId} in organization ${env.emulator.identity.organizationId}` });
    const result = await node.methods.credentialTest.dynamics365OAuth2ApiTest.call(credentialTestContext(), {
      id: '2',
      name: 'Delegated',
      type: 'dynamics365OAuth2Api',
      data: { environmentUrl: env.emulator.dataverseUrl, caCertificatePem: env.emulator.caCertPem, oauthTokenData: {} },
    } as never);
    expect(result.status).toBe('Error');
    expect(result.message).toContain('reconnect the credential');
  });
});
