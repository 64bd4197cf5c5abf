/**
 * client/dataverse/webhooks against the emulator: idempotent registration (twice, changed events, a crash
 * between endpoint and steps), deliveries to a local receiver with each auth kind parsed into clean JSON,
 * verifyWebhookAuth on what arrived, unregistering (everything gone, repeatable) and callbackregistrations.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRemoteExecutionContext, registerCallback, registerWebhook, unregisterCallback, unregisterWebhook, verifyWebhookAuth, type WebhookAuth } from '../../client/dataverse';
import { useDataverse } from './dataverse-setup';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

class Receiver {
  received: Received[] = [];
  server!: http.Server;
  url = '';
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  stop(): Promise<unknown> {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

const REGISTRATION_TABLES = ['serviceendpoint', 'sdkmessageprocessingstep', 'sdkmessageprocessingstepimage', 'callbackregistration'];

describe('client webhooks against the emulator', () => {
  const fx = useDataverse({ sampleData: false, webhooks: { retryDelayMs: 20 } });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.received = [];
  });

  const count = (table: string) => fx.emulator.service.store.rows(table).size;
  const rows = (table: string) => [...fx.emulator.service.store.rows(table).values()];
  const expectEmpty = () => {
    for (const t of REGISTRATION_TABLES) expect({ table: t, rows: count(t) }).toEqual({ table: t, rows: 0 });
  };

  it('registers once however often it is called, and unregisters everything, repeatably', async () => {
    const auth: WebhookAuth = { kind: 'webhookKey', value: 'k-1' };
    const options = { name: 'n8n-twice', url: receiver.url, table: 'account', events: ['create', 'update', 'delete'] as const, auth, images: { pre: 'all' as const, post: ['name'] } };
    const first = await registerWebhook(fx.client, { ...options, events: [...options.events] });
    const second = await fx.client.registerWebhook({ ...options, events: [...options.events] });
    expect(second).toEqual(first);
    expect(count('serviceendpoint')).toBe(1);
    expect(count('sdkmessageprocessingstep')).toBe(3);
    // Update: pre + post; Create: post; Delete: pre.
    expect(count('sdkmessageprocessingstepimage')).toBe(4);
    expect(Object.keys(first.stepIds).sort()).toEqual(['create', 'delete', 'update']);
    expect(first.imageIds).toEqual({ create: { post: expect.any(String) }, update: { pre: expect.any(String), post: expect.any(String) }, delete: { pre: expect.any(String) } });

    const removed = await unregisterWebhook(fx.client, { name: 'n8n-twice', url: receiver.url });
    expect(removed.serviceEndpointIds).toEqual([first.serviceEndpointId]);
    expect(removed.stepIds).toHaveLength(3);
    expect(removed.imageIds).toHaveLength(4);
    expectEmpty();
    expect(await unregisterWebhook(fx.client, { name: 'n8n-twice', url: receiver.url })).toEqual({ serviceEndpointIds: [], stepIds: [], imageIds: [] });
    expect(await fx.client.unregisterWebhook({ serviceEndpointId: first.serviceEndpointId })).toEqual({ serviceEndpointIds: [], stepIds: [], imageIds: [] });
  });

  it('removes the steps of events no longer wanted and updates the auth in place', async () => {
    const base = { name: 'n8n-change', url: receiver.url, table: 'contact' };
    const a = await registerWebhook(fx.client, { ...base, events: ['create', 'update'], auth: { kind: 'webhookKey', value: 'old' }, images: { post: 'all' } });
    const b = await registerWebhook(fx.client, { ...base, events: ['update'], auth: { kind: 'webhookKey', value: 'new' } });
    expect(b.serviceEndpointId).toBe(a.serviceEndpointId);
    expect(b.stepIds).toEqual({ update: a.stepIds.update });
    expect(b.imageIds).toEqual({});
    expect(rows('sdkmessageprocessingstep').map((s) => s.sdkmessageprocessingstepid)).toEqual([a.stepIds.update]);
    expect(count('sdkmessageprocessingstepimage')).toBe(0);
    expect(rows('serviceendpoint')[0].authvalue).toBe('new');
    await unregisterWebhook(fx.client, { serviceEndpointId: b.serviceEndpointId });
    expectEmpty();
  });

  it('completes a registration interrupted after the endpoint was created', async () => {
    // What a crash leaves: the endpoint row, no steps.
    const orphan = await fx.client.create('serviceendpoints', { name: 'n8n-crash', url: receiver.url, contract: 8, messageformat: 2, authtype: 4, authvalue: 'x' });
    const reg = await registerWebhook(fx.client, { name: 'n8n-crash', url: receiver.url, table: 'lead', events: ['create', 'delete'], auth: { kind: 'webhookKey', value: 'x' } });
    expect(reg.serviceEndpointId).toBe(orphan.id);
    expect(count('serviceendpoint')).toBe(1);
    expect(count('sdkmessageprocessingstep')).toBe(2);
    // A crash after one step of two: the second call adds only the missing one.
    await fx.client.delete('sdkmessageprocessingsteps', reg.stepIds.delete!);
    const again = await registerWebhook(fx.client, { name: 'n8n-crash', url: receiver.url, table: 'lead', events: ['create', 'delete'], auth: { kind: 'webhookKey', value: 'x' } });
    expect(again.stepIds.create).toBe(reg.stepIds.create);
    expect(count('sdkmessageprocessingstep')).toBe(2);
    await unregisterWebhook(fx.client, { name: 'n8n-crash', url: receiver.url });
    expectEmpty();
  });

  it('refuses a table without message filters before writing anything', async () => {
    await expect(registerWebhook(fx.client, { name: 'n8n-bad', url: receiver.url, table: 'nosuchtable', events: ['create'], auth: { kind: 'webhookKey', value: 'k' } }))
      .rejects.toThrow(/nosuchtable/);
    await expect(registerWebhook(fx.client, { name: 'n8n-bad', url: receiver.url, table: 'account', events: ['upsert' as never], auth: { kind: 'webhookKey', value: 'k' } }))
      .rejects.toThrow(/unknown event/);
    expectEmpty();
  });

  const kinds: { title: string; auth: WebhookAuth; wrong: WebhookAuth }[] = [
    { title: 'webhookKey', auth: { kind: 'webhookKey', value: 'the-key-1' }, wrong: { kind: 'webhookKey', value: 'the-key-2' } },
    { title: 'httpHeader', auth: { kind: 'httpHeader', headers: { 'x-n8n-secret': 's3cr&t"<>', 'x-other': 'two' } }, wrong: { kind: 'httpHeader', headers: { 'x-n8n-secret': 's3cr&t"<', 'x-other': 'two' } } },
    { title: 'httpQueryString', auth: { kind: 'httpQueryString', params: { token: 'a b&c' } }, wrong: { kind: 'httpQueryString', params: { token: 'a b&' } } },
  ];

  it.each(kinds)('delivers Create, Update and Delete with $title auth, parsed into clean JSON', async ({ auth, wrong }) => {
    const reg = await registerWebhook(fx.client, {
      name: 'n8n-deliver', url: receiver.url, table: 'account', events: ['create', 'update', 'delete'], auth,
      filteringColumns: ['name', 'industrycode'], images: { pre: ['name', 'revenue'], post: 'all' },
    });
    const created = await fx.client.create('accounts', { name: 'Hooked', industrycode: 3, revenue: 1000 });
    await fx.emulator.webhooks.idle();
    await fx.client.update('accounts', created.id, { description: 'not watched' });
    await fx.client.update('accounts', created.id, { name: 'Hooked 2' });
    await fx.emulator.webhooks.idle();
    await fx.client.delete('accounts', created.id);
    await fx.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(3);

    for (const r of receiver.received) {
      const request = { url: r.url, headers: r.headers };
      expect(verifyWebhookAuth(request, auth)).toBe(true);
      expect(verifyWebhookAuth(request, wrong)).toBe(false);
      expect(verifyWebhookAuth({ url: '/hook', headers: {} }, auth)).toBe(false);
    }
    const [create, update, del] = receiver.received.map((r) => parseRemoteExecutionContext(r.body));

    expect(create).toMatchObject({
      message: 'Create', table: 'account', rowId: created.id, mode: 'async', stage: 40, depth: 1, changedColumns: [], preImage: null,
      organizationId: fx.emulator.identity.organizationId, userId: fx.emulator.identity.applicationUserId, outputs: { id: created.id },
    });
    expect(create.row).toMatchObject({ name: 'Hooked', industrycode: 3, revenue: 1000, accountid: created.id });
    expect(create.row.createdby).toEqual({ id: fx.emulator.identity.applicationUserId, table: 'systemuser' });
    expect(create.row.createdon).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(create.operationCreatedOn).toMatch(/Z$/);
    expect(create.postImage).toMatchObject({ name: 'Hooked', industrycode: 3, accountid: created.id });
    expect(create.correlationId).toBe(receiver.received[0].headers['x-ms-correlation-request-id']);

    expect(update.message).toBe('Update');
    expect(update.row).toMatchObject({ name: 'Hooked 2', accountid: created.id });
    expect(update.changedColumns).toEqual(expect.arrayContaining(['name', 'accountid', 'modifiedon']));
    expect(update.changedColumns).not.toContain('description');
    expect(update.preImage).toEqual({ name: 'Hooked', revenue: 1000, accountid: created.id });
    expect(update.preImages).toEqual({ PreImage: update.preImage });
    expect(update.postImage).toMatchObject({ name: 'Hooked 2', description: 'not watched', revenue: 1000 });

    expect(del).toMatchObject({ message: 'Delete', rowId: created.id, row: {}, postImage: null, changedColumns: [] });
    expect(del.preImage).toEqual({ name: 'Hooked 2', revenue: 1000, accountid: created.id });

    await unregisterWebhook(fx.client, { serviceEndpointId: reg.serviceEndpointId });
    expectEmpty();
  });

  it('registers, re-registers and unregisters a callbackregistration', async () => {
    const first = await registerCallback(fx.client, { name: 'n8n-cb', url: receiver.url, table: 'contact', events: ['create', 'update'], filteringColumns: ['firstname'] });
    const second = await fx.client.registerCallback({ name: 'n8n-cb', url: receiver.url, table: 'contact', events: ['update'], scope: 'user', filteringColumns: ['lastname'] });
    expect(second).toEqual(first);
    expect(rows('callbackregistration')).toHaveLength(1);
    expect(rows('callbackregistration')[0]).toMatchObject({ message: 3, scope: 1, entityname: 'contact', filteringattributes: 'lastname', url: receiver.url });

    const contact = await fx.client.create('contacts', { firstname: 'A', lastname: 'B' });
    await fx.client.update('contacts', contact.id, { lastname: 'C' });
    await fx.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    // A callback registration receives the flattened row with its SdkMessage (reference §12.5), not a RemoteExecutionContext.
    expect(JSON.parse(receiver.received[0].body.toString())).toMatchObject({ '@odata.type': '#Microsoft.Dynamics.CRM.contact', SdkMessage: 'Update', contactid: contact.id, lastname: 'C' });

    expect(await unregisterCallback(fx.client, { name: 'n8n-cb', url: receiver.url })).toEqual({ callbackRegistrationIds: [first.callbackRegistrationId] });
    expect(await fx.client.unregisterCallback({ callbackRegistrationId: first.callbackRegistrationId })).toEqual({ callbackRegistrationIds: [] });
    expectEmpty();
  });
});
