/**
 * Webhooks registered through the Web API (serviceendpoint + step + image, callbackregistration) and delivered to
 * a local receiver: payload shape against the recorded RemoteExecutionContext, headers, the three auth types,
 * filtering attributes, $batch change sets, cascade deletes, 256 KB trimming, loopback-only urls, retry, bounds.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { useWebApi, WebApi } from '../helpers/emulator';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

const FIXTURE = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/responses/dataverse/docs/webhook_remoteexecutioncontext_update_contact.json'), 'utf8'),
);

class Receiver {
  received: Received[] = [];
  /** Status codes to answer with, in order; 200 once exhausted. */
  script: number[] = [];
  delayMs = 0;
  inFlight = 0;
  peak = 0;
  server!: http.Server;
  url = '';

  async start(tls?: { keyPem: string; certPem: string }): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      this.inFlight++;
      this.peak = Math.max(this.peak, this.inFlight);
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        setTimeout(() => {
          this.inFlight--;
          res.statusCode = this.script.shift() ?? 200;
          res.end();
        }, this.delayMs);
      });
    };
    this.server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  reset() {
    this.received = [];
    this.script = [];
    this.delayMs = 0;
    this.peak = 0;
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

async function messageId(web: WebApi, name: string): Promise<string> {
  const res = await web.call('GET', `sdkmessages?$filter=name eq '${name}'&$select=sdkmessageid`);
  expect(res.status).toBe(200);
  return res.json.value[0].sdkmessageid;
}

async function filterId(web: WebApi, table: string, message: string): Promise<string> {
  const id = await messageId(web, message);
  const res = await web.call('GET', `sdkmessagefilters?$filter=primaryobjecttypecode eq '${table}' and _sdkmessageid_value eq ${id}&$select=sdkmessagefilterid`);
  expect(res.json.value).toHaveLength(1);
  return res.json.value[0].sdkmessagefilterid;
}

function idOf(res: { headers: Record<string, unknown> }): string {
  return /\(([0-9a-f-]{36})\)$/.exec(String(res.headers['odata-entityid']))![1];
}

async function registerStep(
  web: WebApi,
  endpoint: Record<string, unknown>,
  step: { table: string; message: string; stage?: number; mode?: number; filteringattributes?: string },
): Promise<{ endpointId: string; stepId: string }> {
  const ep = await web.call('POST', 'serviceendpoints', { body: { name: 'test hook', contract: 8, messageformat: 2, ...endpoint } });
  expect(ep.status).toBe(204);
  const endpointId = idOf(ep);
  const st = await web.call('POST', 'sdkmessageprocessingsteps', {
    body: {
      name: `test: ${step.message} of ${step.table}`, stage: step.stage ?? 40, mode: step.mode ?? 1, rank: 1, supporteddeployment: 0,
      asyncautodelete: true, filteringattributes: step.filteringattributes,
      'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${endpointId})`,
      'sdkmessageid@odata.bind': `/sdkmessages(${await messageId(web, step.message)})`,
      'sdkmessagefilterid@odata.bind': `/sdkmessagefilters(${await filterId(web, step.table, step.message)})`,
    },
  });
  expect(st.status).toBe(204);
  return { endpointId, stepId: idOf(st) };
}

async function unregister(web: WebApi, ids: { endpointId: string; stepId: string }) {
  expect((await web.call('DELETE', `sdkmessageprocessingsteps(${ids.stepId})`)).status).toBe(204);
  expect((await web.call('DELETE', `serviceendpoints(${ids.endpointId})`)).status).toBe(204);
}

/** Same keys (recursively for the context, Target entity and references) and the same kinds of values. */
function expectSameShape(actual: any, expected: any) {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

describe('webhooks', () => {
  const web = useWebApi({ sampleData: false, webhooks: { retryDelayMs: 20, concurrency: 2 } });
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => receiver.reset());

  it('posts a RemoteExecutionContext shaped like the recorded one, with the x-ms-dynamics headers and a post image', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'the-key', url: receiver.url }, { table: 'contact', message: 'Update' });
    const img = await web.call('POST', 'sdkmessageprocessingstepimages', {
      body: { name: 'post', entityalias: 'AsynchronousStepPrimaryName', imagetype: 1, messagepropertyname: 'Target', attributes: 'fullname,contactid',
        'sdkmessageprocessingstepid@odata.bind': `/sdkmessageprocessingsteps(${ids.stepId})` },
    });
    expect(img.status).toBe(204);
    const created = await web.call('POST', 'contacts', { body: { firstname: 'Jim', lastname: 'Glynn' } });
    const contactId = idOf(created);
    expect((await web.call('PATCH', `contacts(${contactId})`, { body: { firstname: 'James' } })).status).toBe(204);
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    const { url, headers, body } = receiver.received[0];
    expect(url).toBe('/hook?code=the-key');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-ms-dynamics-entity-name']).toBe('contact');
    expect(headers['x-ms-dynamics-request-name']).toBe('Update');
    expect(headers['x-ms-dynamics-organization']).toBe(new URL(web.emulator.dataverseUrl).host);
    expect(headers['x-ms-correlation-request-id']).toBe(body.CorrelationId);
    expect(headers['x-ms-dynamics-msg-size-exceeded']).toBeUndefined();

    expectSameShape(body, FIXTURE);
    expectSameShape(body.ParentContext, FIXTURE.ParentContext);
    expectSameShape(body.OwningExtension, FIXTURE.OwningExtension);
    expect(body).toMatchObject({ MessageName: 'Update', Mode: 1, Stage: 40, Depth: 1, PrimaryEntityName: 'contact', PrimaryEntityId: contactId,
      SecondaryEntityName: 'none', OrganizationId: web.emulator.identity.organizationId, UserId: web.emulator.identity.applicationUserId,
      InitiatingUserId: web.emulator.identity.applicationUserId });
    expect(body.OwningExtension).toMatchObject({ Id: ids.stepId, LogicalName: 'sdkmessageprocessingstep' });
    expect(body.OperationCreatedOn).toMatch(/^\/Date\(\d+\)\/$/);
    expect(body.ParentContext.Stage).toBe(30);
    expect(body.ParentContext.SharedVariables[0].value[0].__type).toBe(FIXTURE.ParentContext.SharedVariables[0].value[0].__type);

    const targetPair = body.InputParameters[0];
    expect(targetPair.key).toBe('Target');
    expectSameShape(targetPair.value, FIXTURE.InputParameters[0].value);
    expect(targetPair.value.__type).toBe(FIXTURE.InputParameters[0].value.__type);
    const attrs = Object.fromEntries(targetPair.value.Attributes.map((p: any) => [p.key, p.value]));
    expect(attrs).toMatchObject({ firstname: 'James', contactid: contactId, fullname: 'James Glynn', modifiedonbehalfby: null });
    expect(attrs.modifiedon).toMatch(/^\/Date\(\d+\)\/$/);
    const modifiedBy = FIXTURE.InputParameters[0].value.Attributes.find((p: any) => p.key === 'modifiedby').value;
    expectSameShape(attrs.modifiedby, modifiedBy);
    expect(attrs.modifiedby).toMatchObject({ __type: modifiedBy.__type, LogicalName: 'systemuser' });
    expect(attrs.lastname).toBeUndefined();

    expect(body.PostEntityImages).toHaveLength(1);
    expect(body.PostEntityImages[0].key).toBe('AsynchronousStepPrimaryName');
    expectSameShape(body.PostEntityImages[0].value, FIXTURE.PostEntityImages[0].value);
    expect(body.PostEntityImages[0].value.Attributes.map((p: any) => p.key).sort()).toEqual(['contactid', 'fullname']);
    expect(body.PreEntityImages).toEqual([]);
    await web.call('DELETE', `sdkmessageprocessingstepimages(${idOf(img)})`);
    await unregister(web, ids);
  });

  it('sends HttpHeader and HttpQueryString auth from the <settings> XML, and delivers Create and Delete', async () => {
    const a = await registerStep(web, { authtype: 5, url: receiver.url, authvalue: '<settings><setting name="x-my-secret" value="s3cr&amp;t" /><setting name="x-other" value="2" /></settings>' }, { table: 'account', message: 'Create' });
    const b = await registerStep(web, { authtype: 6, url: receiver.url, authvalue: '<settings><setting name="k1" value="v 1" /></settings>' }, { table: 'account', message: 'Delete' });
    const created = await web.call('POST', 'accounts', { body: { name: 'Hooked', industrycode: 3 } });
    const accountId = idOf(created);
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].headers['x-my-secret']).toBe('s3cr&t');
    expect(receiver.received[0].headers['x-other']).toBe('2');
    const create = receiver.received[0].body;
    expect(create.MessageName).toBe('Create');
    expect(create.OutputParameters).toEqual([{ key: 'id', value: accountId }]);
    const attrs = Object.fromEntries(create.InputParameters[0].value.Attributes.map((p: any) => [p.key, p.value]));
    expect(attrs.industrycode).toEqual({ __type: 'OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts', Value: 3 });
    expect(attrs.name).toBe('Hooked');

    await web.call('DELETE', `accounts(${accountId})`);
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1].url).toBe('/hook?k1=v+1');
    const del = receiver.received[1].body;
    expect(del.MessageName).toBe('Delete');
    expect(del.InputParameters[0].value).toMatchObject({ __type: 'EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts', Id: accountId, LogicalName: 'account' });
    await unregister(web, a);
    await unregister(web, b);
  });

  it('honours filtering attributes on Update', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'account', message: 'Update', filteringattributes: 'name,telephone1' });
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Filtered' } }));
    await web.call('PATCH', `accounts(${accountId})`, { body: { description: 'not watched' } });
    await web.call('PATCH', `accounts(${accountId})`, { body: { telephone1: '555' } });
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].body.InputParameters[0].value.Attributes.some((p: any) => p.key === 'telephone1')).toBe(true);
    await unregister(web, ids);
  });

  it('delivers one context per change of a committed $batch change set and none for a rolled-back one', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'task', message: 'Create' });
    const batch = (subjects: (string | null)[]) => {
      const parts = subjects.map((s, i) => [
        '--cs', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${i + 1}`, '',
        `POST ${web.api}tasks HTTP/1.1`, 'Content-Type: application/json', '', JSON.stringify(s === null ? { nosuchcolumn: 1 } : { subject: s }),
      ].join('\r\n'));
      const body = ['--b', 'Content-Type: multipart/mixed; boundary=cs', '', ...parts, '--cs--', '--b--', ''].join('\r\n');
      return web.call('POST', '$batch', { headers: { 'content-type': 'multipart/mixed; boundary=b' }, body });
    };
    expect((await batch(['one', 'two'])).status).toBe(200);
    await web.emulator.webhooks.idle();
    expect(receiver.received.map((r) => r.body.InputParameters[0].value.Attributes.find((p: any) => p.key === 'subject').value).sort()).toEqual(['one', 'two']);
    receiver.reset();
    expect((await batch(['three', null])).status).toBe(400);
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(0);
    await unregister(web, ids);
  });

  it('delivers Delete for rows removed by a cascade, deeper than the request', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'task', message: 'Delete' });
    const accountId = idOf(await web.call('POST', 'accounts', { body: { name: 'Parent' } }));
    const taskId = idOf(await web.call('POST', 'tasks', { body: { subject: 'child', 'regardingobjectid_account_task@odata.bind': `/accounts(${accountId})` } }));
    await web.call('DELETE', `accounts(${accountId})`);
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].body).toMatchObject({ MessageName: 'Delete', PrimaryEntityId: taskId, Depth: 2 });
    await unregister(web, ids);
  });

  it('drops images and parameters above 256 KB and says so in a header', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'annotation', message: 'Create' });
    await web.call('POST', 'annotations', { body: { subject: 'big', notetext: 'x'.repeat(300 * 1024) } });
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(1);
    const { headers, body } = receiver.received[0];
    expect(headers['x-ms-dynamics-msg-size-exceeded']).toBe('true');
    for (const key of ['ParentContext', 'InputParameters', 'PreEntityImages', 'PostEntityImages']) expect(body).not.toHaveProperty(key);
    expect(body.MessageName).toBe('Create');
    await unregister(web, ids);
  });

  it('refuses a non-loopback url at registration', async () => {
    const res = await web.call('POST', 'serviceendpoints', { body: { name: 'out', contract: 8, authtype: 4, authvalue: 'k', url: 'https://hook.example/x' } });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/loopback/);
    const cb = await web.call('POST', 'callbackregistrations', { body: { name: 'out', entityname: 'account', message: 1, url: 'http://10.0.0.1/x' } });
    expect(cb.status).toBe(400);
  });

  it('retries once after 503, and a failing synchronous step fails the write', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'lead', message: 'Create' });
    receiver.script = [503];
    await web.call('POST', 'leads', { body: { lastname: 'Retry', subject: 's' } });
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(2);
    expect(web.emulator.webhooks.deliveries().at(-1)).toMatchObject({ outcome: 'succeeded', attempts: 2, status: 200 });
    await unregister(web, ids);

    const sync = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'lead', message: 'Create', mode: 0 });
    receiver.reset();
    receiver.script = [500];
    const res = await web.call('POST', 'leads', { body: { lastname: 'Sync', subject: 's' } });
    expect(res.status).toBe(400);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].body).toMatchObject({ Mode: 0, Stage: 40, IsInTransaction: true });
    await unregister(web, sync);
  });

  it('keeps at most `concurrency` deliveries in flight', async () => {
    const ids = await registerStep(web, { authtype: 4, authvalue: 'k', url: receiver.url }, { table: 'phonecall', message: 'Create' });
    receiver.delayMs = 100;
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => web.call('POST', 'phonecalls', { body: { subject: `call ${i}` } })));
    await web.emulator.webhooks.idle();
    expect(receiver.received).toHaveLength(6);
    expect(receiver.peak).toBeLessThanOrEqual(2);
    expect(web.emulator.webhooks.peakConcurrency()).toBeLessThanOrEqual(2);
    await unregister(web, ids);
  });

  it('delivers to a callbackregistration with its filterexpression, over https trusted through the emulator CA', async () => {
    const secure = await new Receiver().start(web.emulator.webhooks.issueReceiverCertificate());
    try {
      const cb = await web.call('POST', 'callbackregistrations', {
        body: { name: 'flow', entityname: 'account', message: 4, scope: 4, runas: 1, version: 1, filteringattributes: 'name', filterexpression: "startswith(name,'Match')", url: secure.url },
      });
      expect(cb.status).toBe(204);
      await web.call('POST', 'accounts', { body: { name: 'Other' } });
      const id = idOf(await web.call('POST', 'accounts', { body: { name: 'Match me' } }));
      await web.call('PATCH', `accounts(${id})`, { body: { description: 'not a filtering attribute' } });
      await web.emulator.webhooks.idle();
      expect(secure.received).toHaveLength(1);
      // The flattened row the first-party trigger receives, not a RemoteExecutionContext (reference §12.5).
      expect(secure.received[0].body).toMatchObject({ '@odata.type': '#Microsoft.Dynamics.CRM.account', SdkMessage: 'Create', accountid: id, name: 'Match me' });
      expect(secure.received[0].body).not.toHaveProperty('InputParameters');
      const bad = await web.call('POST', 'callbackregistrations', { body: { name: 'bad', entityname: 'account', message: 1, filterexpression: 'nosuch eq 1', url: secure.url } });
      expect(bad.status).toBe(400);
      await web.call('DELETE', `callbackregistrations(${idOf(cb)})`);
    } finally {
      await secure.stop();
    }
  });
});
