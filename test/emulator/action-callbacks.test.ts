/**
 * Callback registrations of version 3 ("When an action is performed") against the emulator over HTTPS: they are
 * checked when registered (unknown action, wrong table, missing name refused with a 400 naming the problem), fire
 * once for each successful call of their action, unbound or bound to their table, directly or in a committed $batch
 * change set, never for another action, another table, a failed call or a rolled-back change set, and stop when
 * deleted. The body is the flattened action event by default and a RemoteExecutionContext with `callbackPayload:
 * 'context'`. Webhook steps can be registered on an action's seeded sdkmessage and filter too. The model is the built-in one plus two custom actions, one of them bound to two tables.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { useWebApi, type WebApi } from '../helpers/emulator';

const MODEL_DIR = path.join(__dirname, '..', '..', 'emulator', 'model');

/** The built-in model with new_Notify (unbound) and new_Escalate (bound to account and to contact). */
function modelWithCustomActions(): string {
  const xml = fs.readFileSync(path.join(MODEL_DIR, 'dataverse.xml'), 'utf8');
  const actions = [
    '<ComplexType Name="new_EscalateResponse"><Property Name="Ticket" Type="Edm.String" /></ComplexType>',
    '<Action Name="new_Notify"><Parameter Name="Subject" Type="Edm.String" Nullable="false" /><Parameter Name="Count" Type="Edm.Int32" />' +
      '<Parameter Name="DueOn" Type="Edm.DateTimeOffset" /><Parameter Name="Regarding" Type="mscrm.crmbaseentity" /></Action>',
    '<Action Name="new_Escalate" IsBound="true"><Parameter Name="entity" Type="mscrm.account" Nullable="false" />' +
      '<Parameter Name="Reason" Type="Edm.String" Nullable="false" /><ReturnType Type="mscrm.new_EscalateResponse" Nullable="false" /></Action>',
    '<Action Name="new_Escalate" IsBound="true"><Parameter Name="entity" Type="mscrm.contact" Nullable="false" />' +
      '<Parameter Name="Reason" Type="Edm.String" Nullable="false" /><ReturnType Type="mscrm.new_EscalateResponse" Nullable="false" /></Action>',
  ].join('\n');
  const withActions = xml.replace('<Action Name="Merge">', `${actions}\n<Action Name="Merge">`);
  const withImport = withActions.replace('<ActionImport Name="Merge"', '<ActionImport Name="new_Notify" Action="Microsoft.Dynamics.CRM.new_Notify" />\n<ActionImport Name="Merge"');
  if (withImport === xml || withImport === withActions) throw new Error('the built-in model no longer has the Merge action this test extends');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-callbacks-'));
  const file = path.join(dir, 'model.xml');
  fs.writeFileSync(file, withImport);
  return file;
}

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A loopback receiver standing in for a flow's notification URL; each registration gets its own path. */
class Receiver {
  received: Received[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(202).end();
    });
  });
  base = '';
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  at(name: string): Received[] {
    return this.received.filter((r) => new URL(r.url, this.base).pathname === `/${name}`);
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function idOf(res: { headers: Record<string, unknown> }): string {
  return /\(([0-9a-f-]{36})\)$/.exec(String(res.headers['odata-entityid']))![1];
}

async function register(web: WebApi, receiver: Receiver, name: string, body: Record<string, unknown>): Promise<string> {
  const res = await web.call('POST', 'callbackregistrations', { body: { name, version: 3, scope: 4, url: `${receiver.base}/${name}`, ...body } });
  expect({ status: res.status, error: res.json?.error?.message }).toEqual({ status: 204, error: undefined });
  return idOf(res);
}

function changeSet(web: WebApi, requests: Array<{ method: string; path: string; body: unknown }>) {
  const parts = requests.map((r, i) =>
    ['--cs', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${i + 1}`, '',
      `${r.method} ${web.api}${r.path} HTTP/1.1`, 'Content-Type: application/json', '', JSON.stringify(r.body)].join('\r\n'),
  );
  const body = ['--b', 'Content-Type: multipart/mixed; boundary=cs', '', ...parts, '--cs--', '--b--', ''].join('\r\n');
  return web.call('POST', '$batch', { headers: { 'content-type': 'multipart/mixed; boundary=b' }, body });
}

const model = modelWithCustomActions();
afterAll(() => fs.rmSync(path.dirname(model), { recursive: true, force: true }));

describe('action callbacks: the flattened action event', () => {
  const web = useWebApi({ metadataFile: model, sampleData: false });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.received = [];
  });

  it('an unbound action reaches its registration once with its input parameters; other actions and a deleted registration get nothing', async () => {
    const notify = await register(web, receiver, 'notify', { sdkmessagename: 'new_Notify', entityname: 'none' });
    const other = await register(web, receiver, 'other', { sdkmessagename: 'RevokeAccess', entityname: '' });
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Regarding' } }));
    const input = { Subject: 'hello', Count: 2, Regarding: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: accountId } };
    const called = await web.call('POST', 'new_Notify', { body: input });
    expect(called.status).toBe(204);
    await web.emulator.webhooks.idle();

    expect(receiver.at('other')).toHaveLength(0);
    expect(receiver.at('notify')).toHaveLength(1);
    const [{ headers, body }] = receiver.at('notify');
    const who = (await web.call('GET', 'WhoAmI')).json;
    expect(body).toEqual({
      MessageName: 'new_Notify',
      PrimaryEntityName: 'none',
      PrimaryEntityId: null,
      InputParameters: { Subject: 'hello', Count: 2, Regarding: { '@odata.type': '#Microsoft.Dynamics.CRM.account', accountid: accountId } },
      OutputParameters: {},
      UserId: who.UserId,
      OrganizationId: who.OrganizationId,
      CorrelationId: headers['x-ms-correlation-request-id'],
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      OperationCreatedOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(headers['x-ms-dynamics-request-name']).toBe('new_Notify');
    expect(headers['x-ms-dynamics-entity-name']).toBe('none');
    expect(web.emulator.webhooks.deliveries().filter((d) => d.registrationId === notify)).toEqual([
      expect.objectContaining({ kind: 'callback', message: 'new_Notify', entity: 'none', outcome: 'succeeded', attempts: 1 }),
    ]);

    // A failed call (a required parameter missing) fires nothing.
    expect((await web.call('POST', 'new_Notify', { body: { Count: 1 } })).status).toBe(400);
    expect((await web.call('DELETE', `callbackregistrations(${notify})`)).status).toBe(204);
    expect((await web.call('POST', 'new_Notify', { body: { Subject: 'after delete' } })).status).toBe(204);
    await web.emulator.webhooks.idle();
    expect(receiver.at('notify')).toHaveLength(1);
    expect(receiver.at('other')).toHaveLength(0);
    await web.call('DELETE', `callbackregistrations(${other})`);
  });

  it('a bound action reaches the registration of its table only, with the row and the declared output', async () => {
    const onAccount = await register(web, receiver, 'account', { sdkmessagename: 'new_Escalate', entityname: 'account' });
    const onContact = await register(web, receiver, 'contact', { sdkmessagename: 'new_escalate', entityname: 'Contact' });
    const unbound = await register(web, receiver, 'unbound', { sdkmessagename: 'new_Notify', entityname: 'none' });
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Escalated' } }));
    const called = await web.call('POST', `accounts(${accountId})/Microsoft.Dynamics.CRM.new_Escalate`, { body: { Reason: 'late' } });
    expect(called.status).toBe(200);
    await web.emulator.webhooks.idle();
    expect(receiver.at('contact')).toHaveLength(0);
    expect(receiver.at('unbound')).toHaveLength(0);
    expect(receiver.at('account')).toHaveLength(1);
    const [{ headers, body }] = receiver.at('account');
    expect(body).toMatchObject({
      MessageName: 'new_Escalate', PrimaryEntityName: 'account', PrimaryEntityId: accountId, InputParameters: { Reason: 'late' }, OutputParameters: { Ticket: null },
    });
    expect(headers['x-ms-dynamics-entity-name']).toBe('account');

    const contactId = idOf(await web.call('POST', 'contacts', { body: { lastname: 'Escalated' } }));
    expect((await web.call('POST', `contacts(${contactId})/Microsoft.Dynamics.CRM.new_Escalate`, { body: { Reason: 'rude' } })).status).toBe(200);
    await web.emulator.webhooks.idle();
    expect(receiver.at('account')).toHaveLength(1);
    expect(receiver.at('contact').map((r) => [r.body.PrimaryEntityId, r.body.InputParameters])).toEqual([[contactId, { Reason: 'rude' }]]);
    for (const id of [onAccount, onContact, unbound]) await web.call('DELETE', `callbackregistrations(${id})`);
  });

  it('in $batch: a committed change set delivers its action, a rolled-back one delivers nothing', async () => {
    const id = await register(web, receiver, 'batch', { sdkmessagename: 'new_Notify', entityname: 'none' });
    const committed = await changeSet(web, [
      { method: 'POST', path: 'tasks', body: { subject: 'in the change set' } },
      { method: 'POST', path: 'new_Notify', body: { Subject: 'committed' } },
    ]);
    expect(committed.status).toBe(200);
    const rolledBack = await changeSet(web, [
      { method: 'POST', path: 'new_Notify', body: { Subject: 'rolled back' } },
      { method: 'POST', path: 'tasks', body: { nosuchcolumn: 1 } },
    ]);
    expect(rolledBack.status).toBe(400);
    await web.emulator.webhooks.idle();
    expect(receiver.at('batch').map((r) => r.body.InputParameters.Subject)).toEqual(['committed']);
    await web.call('DELETE', `callbackregistrations(${id})`);
  });

  it("a webhook step on the action's sdkmessage gets a RemoteExecutionContext for calls on its filter's table", async () => {
    const messages = (await web.call('GET', "sdkmessages?$filter=name eq 'new_Escalate'&$select=sdkmessageid")).json.value;
    expect(messages).toHaveLength(1);
    const messageId: string = messages[0].sdkmessageid;
    const filters = (await web.call('GET', `sdkmessagefilters?$filter=_sdkmessageid_value eq ${messageId}&$select=sdkmessagefilterid,primaryobjecttypecode`)).json.value;
    expect(filters.map((f: any) => f.primaryobjecttypecode).sort()).toEqual(['account', 'contact']);
    const notify = (await web.call('GET', "sdkmessagefilters?$filter=primaryobjecttypecode eq 'none'&$select=_sdkmessageid_value")).json.value;
    expect(notify.length).toBeGreaterThan(0);
    const endpoint = await web.call('POST', 'serviceendpoints', { body: { name: 'action hook', contract: 8, messageformat: 2, authtype: 4, authvalue: 'k', url: `${receiver.base}/step` } });
    const endpointId = idOf(endpoint);
    const step = await web.call('POST', 'sdkmessageprocessingsteps', {
      body: {
        name: 'new_Escalate of account', stage: 40, mode: 1, rank: 1, supporteddeployment: 0,
        'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${endpointId})`,
        'sdkmessageid@odata.bind': `/sdkmessages(${messageId})`,
        'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${filters.find((f: any) => f.primaryobjecttypecode === 'account').sdkmessagefilterid})`,
      },
    });
    expect(step.status).toBe(204);
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Stepped' } }));
    const contactId = idOf(await web.call('POST', 'contacts', { body: { lastname: 'Stepped' } }));
    await web.call('POST', `accounts(${accountId})/Microsoft.Dynamics.CRM.new_Escalate`, { body: { Reason: 'step' } });
    await web.call('POST', `contacts(${contactId})/Microsoft.Dynamics.CRM.new_Escalate`, { body: { Reason: 'not this table' } });
    await web.emulator.webhooks.idle();
    const received = receiver.at('step');
    expect(received.map((r) => r.url)).toEqual(['/step?code=k']);
    expect(received[0].body).toMatchObject({
      MessageName: 'new_Escalate', PrimaryEntityName: 'account', PrimaryEntityId: accountId, Mode: 1, Stage: 40,
      OwningExtension: { Id: idOf(step), LogicalName: 'sdkmessageprocessingstep' },
      InputParameters: [{ key: 'Target', value: { Id: accountId, LogicalName: 'account' } }, { key: 'Reason', value: 'step' }],
    });
    expect((await web.call('DELETE', `sdkmessageprocessingsteps(${idOf(step)})`)).status).toBe(204);
    expect((await web.call('DELETE', `serviceendpoints(${endpointId})`)).status).toBe(204);
  });

  it('refuses a registration that could never fire, naming the problem', async () => {
    const refused = async (body: Record<string, unknown>) => {
      const res = await web.call('POST', 'callbackregistrations', { body: { name: 'bad', version: 3, scope: 4, url: `${receiver.base}/bad`, ...body } });
      expect(res.status).toBe(400);
      return String(res.json.error.message);
    };
    expect(await refused({ sdkmessagename: 'WinOpportunityX', entityname: 'none' })).toMatch(/action 'WinOpportunityX' is not declared/);
    expect(await refused({ entityname: 'none' })).toMatch(/needs sdkmessagename/);
    expect(await refused({ sdkmessagename: 'new_Escalate', entityname: 'none' })).toMatch(/not an unbound action; it is bound to account, contact/);
    expect(await refused({ sdkmessagename: 'new_Escalate', entityname: 'task' })).toMatch(/not bound to the table 'task'; it is bound to account, contact/);
    expect(await refused({ sdkmessagename: 'new_Notify', entityname: 'account' })).toMatch(/not bound to the table 'account'; it is unbound: set entityname to 'none'/);
    expect(await refused({ sdkmessagename: 'new_Notify', entityname: 'nosuchtable' })).toMatch(/table 'nosuchtable' does not exist/);
    expect(await refused({ sdkmessagename: 'new_Notify', entityname: 'none', url: 'http://10.1.2.3/x' })).toMatch(/loopback/);
    expect([...web.emulator.service.store.rows('callbackregistration').values()].filter((r) => r.name === 'bad')).toEqual([]);
  });
});

describe('action callbacks: the RemoteExecutionContext', () => {
  const web = useWebApi({ metadataFile: model, sampleData: false, webhooks: { callbackPayload: 'context' } });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('carries the action as a context: Target reference for a bound call, key/value parameters, /Date()/ dates', async () => {
    const bound = await register(web, receiver, 'bound', { sdkmessagename: 'new_Escalate', entityname: 'account' });
    const unbound = await register(web, receiver, 'unbound', { sdkmessagename: 'new_Notify', entityname: 'none' });
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Context' } }));
    await web.call('POST', `accounts(${accountId})/Microsoft.Dynamics.CRM.new_Escalate`, { body: { Reason: 'late' } });
    const due = '2026-03-01T10:00:00Z';
    await web.call('POST', 'new_Notify', {
      body: { Subject: 's', DueOn: due, Regarding: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: accountId, name: 'Context' } },
    });
    await web.emulator.webhooks.idle();

    const [b] = receiver.at('bound').map((r) => r.body);
    expect(b).toMatchObject({
      MessageName: 'new_Escalate', PrimaryEntityName: 'account', PrimaryEntityId: accountId, Stage: 40, Mode: 1, Depth: 1,
      OperationCreatedOn: expect.stringMatching(/^\/Date\(\d+\)\/$/),
      OwningExtension: { Id: bound, LogicalName: 'callbackregistration' },
      OutputParameters: [{ key: 'Ticket', value: null }],
    });
    expect(b.InputParameters).toEqual([
      { key: 'Target', value: { __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts', Id: accountId, KeyAttributes: [], LogicalName: 'account', Name: null, RowVersion: null } },
      { key: 'Reason', value: 'late' },
    ]);

    const [u] = receiver.at('unbound').map((r) => r.body);
    expect(u).toMatchObject({ MessageName: 'new_Notify', PrimaryEntityName: 'none', PrimaryEntityId: '00000000-0000-0000-0000-000000000000' });
    const params = Object.fromEntries(u.InputParameters.map((p: { key: string; value: unknown }) => [p.key, p.value]));
    expect(params.Subject).toBe('s');
    expect(params.DueOn).toBe(`/Date(${Date.parse(due)})/`);
    expect(params.Regarding).toMatchObject({
      __type: 'Entity:http://schemas.microsoft.com/xrm/2011/Contracts', Id: accountId, LogicalName: 'account',
      Attributes: [{ key: 'accountid', value: accountId }, { key: 'name', value: 'Context' }],
    });
    for (const id of [bound, unbound]) await web.call('DELETE', `callbackregistrations(${id})`);
  });
});
