/**
 * Lookup columns in the Dataverse node's column mapper, against the emulator: single-target (account's primary
 * contact) and polymorphic ones (a task's Regarding, Owner) offered once each, written as `@odata.bind` through the
 * navigation property the metadata names, and read back from the emulator.
 */
import type { IDataObject } from 'n8n-workflow';
import { describeLookup, lookupBindPair } from '../../client/dataverse/lookup-bind';
import { connectFromCredentials } from '../../nodes/Dataverse/transport/connection';
import { Dataverse } from '../../nodes/Dataverse/Dataverse.node';
import { loadOptionsContext, rl, runNode, useNodeEmulator, type Params } from '../helpers/n8n-context';

const node = new Dataverse();
const env = useNodeEmulator();
const LOOKUP_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';

const run = (params: Params, extra: { continueOnFail?: boolean } = {}) => runNode(node, { params, credentials: env.credentials as never, ...extra });
const ctx = (params: Params) => loadOptionsContext(node, params, env.credentials as never);
const columns = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });

async function create(set: string, value: IDataObject): Promise<string> {
  const [out] = await run({ resource: 'row', operation: 'create', table: rl(set), columns: columns(value), options: { returnRepresentation: false } });
  return String(out.json.id);
}

/** The row as the emulator stores it, with the lookup annotations the node does not ask for. */
async function readBack(set: string, id: string, select: string[]): Promise<IDataObject> {
  const { dv } = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
  try {
    return (await dv.retrieve(set, id, { select, annotations: '*' })) as IDataObject;
  } finally {
    dv.close();
  }
}

describe('mapper fields', () => {
  test('task: Regarding once, by column name, labelled with its allowed tables; Owner too; no per-target bind fields', async () => {
    const { fields } = await node.methods.resourceMapping.getColumns.call(ctx({ table: rl('tasks'), operation: 'create' }));
    const regarding = fields.find((f) => f.id === 'regardingobjectid');
    expect(regarding).toMatchObject({ type: 'string', required: false, display: true });
    for (const table of ['account', 'contact', 'opportunity', 'lead', 'incident']) expect(regarding?.displayName).toContain(`(${table})`);
    expect(regarding?.displayName).toMatch(/lookup to .*<table>:<id>/);
    const owner = fields.find((f) => f.id === 'ownerid');
    expect(owner?.displayName).toMatch(/lookup to .*\(systemuser\).*\(team\)/);
    // SystemRequired in metadata, but the caller becomes the owner when it is left out.
    expect(owner?.required).toBe(false);
    expect(fields.filter((f) => f.id.endsWith('@odata.bind'))).toEqual([]);
    // Lookups the platform maintains are not offered.
    for (const id of ['createdby', 'modifiedby', 'owningbusinessunit']) expect(fields.some((f) => f.id === id)).toBe(false);
  });

  test('account: the primary contact is a single-target lookup taking a row id', async () => {
    const { fields } = await node.methods.resourceMapping.getColumns.call(ctx({ table: rl('accounts'), operation: 'update' }));
    const primary = fields.find((f) => f.id === 'primarycontactid');
    expect(primary?.displayName).toMatch(/lookup to .*\(contact\); value: row id/);
  });
});

describe('writing lookups', () => {
  let accountId: string;
  let contactId: string;
  beforeAll(async () => {
    accountId = await create('accounts', { name: 'Lookup Co' });
    contactId = await create('contacts', { lastname: 'Lookup Person' });
  });

  test('a task regarding an account (table:id) and one regarding a contact (entityset(id)) read back with their table', async () => {
    const toAccount = await create('tasks', { subject: 'Call back', regardingobjectid: `account:${accountId}` });
    const toContact = await create('tasks', { subject: 'Send brochure', regardingobjectid: `contacts(${contactId})` });
    expect(await readBack('tasks', toAccount, ['subject', '_regardingobjectid_value'])).toMatchObject({
      subject: 'Call back', _regardingobjectid_value: accountId, [`_regardingobjectid_value${LOOKUP_NAME}`]: 'account',
    });
    expect(await readBack('tasks', toContact, ['_regardingobjectid_value'])).toMatchObject({
      _regardingobjectid_value: contactId, [`_regardingobjectid_value${LOOKUP_NAME}`]: 'contact',
    });
  });

  test('an absolute row URL of the environment works; update re-points and null clears', async () => {
    const task = await create('tasks', { subject: 'Moves', regardingobjectid: `${env.emulator.dataverseUrl}api/data/v9.2/accounts(${accountId})` });
    expect(await readBack('tasks', task, ['_regardingobjectid_value'])).toMatchObject({ _regardingobjectid_value: accountId });
    await run({ resource: 'row', operation: 'update', table: rl('tasks'), rowId: rl(task), columns: columns({ regardingobjectid: `contact:${contactId}` }), options: {} });
    expect(await readBack('tasks', task, ['_regardingobjectid_value'])).toMatchObject({ _regardingobjectid_value: contactId, [`_regardingobjectid_value${LOOKUP_NAME}`]: 'contact' });
    // Empty leaves the lookup as it is; null clears it.
    await run({ resource: 'row', operation: 'update', table: rl('tasks'), rowId: rl(task), columns: columns({ subject: 'Still', regardingobjectid: '' }), options: {} });
    expect(await readBack('tasks', task, ['subject', '_regardingobjectid_value'])).toMatchObject({ subject: 'Still', _regardingobjectid_value: contactId });
    await run({ resource: 'row', operation: 'update', table: rl('tasks'), rowId: rl(task), columns: columns({ regardingobjectid: null }), options: {} });
    expect((await readBack('tasks', task, ['_regardingobjectid_value']))._regardingobjectid_value).toBeNull();
  });

  test('single-target: account.primarycontactid from a bare id', async () => {
    const account = await create('accounts', { name: 'Has Primary', primarycontactid: contactId });
    expect(await readBack('accounts', account, ['_primarycontactid_value'])).toMatchObject({ _primarycontactid_value: contactId, [`_primarycontactid_value${LOOKUP_NAME}`]: 'contact' });
  });

  test('owner: a polymorphic lookup sharing one navigation property (ownerid) for users and teams', async () => {
    const { dv } = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
    const { UserId: userId } = await dv.whoAmI().finally(() => dv.close());
    const task = await create('tasks', { subject: 'Owned', ownerid: `systemuser:${userId}` });
    expect(await readBack('tasks', task, ['_ownerid_value'])).toMatchObject({ _ownerid_value: userId, [`_ownerid_value${LOOKUP_NAME}`]: 'systemuser' });
  });

  test('the per-target <navigation>@odata.bind form still works (auto-mapped input and older workflows)', async () => {
    const task = await create('tasks', { subject: 'Old style', 'regardingobjectid_account_task@odata.bind': accountId });
    expect(await readBack('tasks', task, ['_regardingobjectid_value'])).toMatchObject({ _regardingobjectid_value: accountId });
  });

  test('the client helper: (table, column, target, id) → the bind pair from metadata, which the Web API accepts', async () => {
    const { dv, metadata } = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
    try {
      const regarding = await describeLookup(metadata, 'task', 'regardingobjectid');
      expect(lookupBindPair(regarding, 'account', accountId)).toEqual(['regardingobjectid_account_task@odata.bind', `/accounts(${accountId})`]);
      expect(lookupBindPair(regarding, 'contacts', contactId)).toEqual(['regardingobjectid_contact_task@odata.bind', `/contacts(${contactId})`]);
      const primary = await describeLookup(metadata, 'account', 'primarycontactid');
      const [property, value] = lookupBindPair(primary, 'contact', contactId);
      const { id } = await dv.create('accounts', { name: 'Helper Co', [property]: value });
      expect(await dv.retrieve('accounts', id, { select: ['_primarycontactid_value'] })).toMatchObject({ _primarycontactid_value: contactId });
      await expect(describeLookup(metadata, 'account', 'name')).rejects.toThrow("The column 'name' of table 'account' is not a lookup.");
    } finally {
      dv.close();
    }
  });

  test('bad references are refused with a message naming the allowed tables', async () => {
    const attempt = (value: unknown) =>
      run({ resource: 'row', operation: 'create', table: rl('tasks'), columns: columns({ subject: 'Bad', regardingobjectid: value as string }), options: {} }, { continueOnFail: true }).then(([o]) => String(o.json.error));
    const allowed = 'account, contact, opportunity, lead, incident';
    expect(await attempt(accountId)).toBe(
      `The lookup 'regardingobjectid' can point at several tables (${allowed}), so a bare id is ambiguous: write it as <table>:<id> (e.g. account:${accountId}) or <entityset>(<id>).`,
    );
    expect(await attempt(`systemuser:${accountId}`)).toBe(`The lookup 'regardingobjectid' cannot point at 'systemuser'; allowed tables: ${allowed}.`);
    expect(await attempt(`quotes(${accountId})`)).toBe(`The lookup 'regardingobjectid' cannot point at 'quotes'; allowed tables: ${allowed}.`);
    expect(await attempt('account:not-a-guid')).toBe("The lookup 'regardingobjectid' needs a row id (GUID), got 'not-a-guid'.");
    expect(await attempt(`https://other.example.com/api/data/v9.2/accounts(${accountId})`)).toMatch(/^The lookup 'regardingobjectid' got a URL outside this environment's Web API/);
    expect(await attempt(42)).toMatch(/^The lookup column 'regardingobjectid' expects a row reference such as account:<id>/);
    const [single] = await run({ resource: 'row', operation: 'create', table: rl('accounts'), columns: columns({ name: 'Bad', primarycontactid: `account:${accountId}` }), options: {} }, { continueOnFail: true });
    expect(single.json.error).toBe("The lookup 'primarycontactid' cannot point at 'account'; allowed tables: contact.");
  });
});
