/**
 * Business events over real HTTPS: HTTPS endpoints and activations registered under /data, events raised by row
 * changes (a purchase order confirmed through its bound action) and delivered to a local receiver with the real
 * envelope (compared with a recorded payload), the endpoint's key kept in its URL and out of every read and log,
 * legal-entity scoping, the documented 3 retries, the error log with Resend, and the 10-endpoint limit.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { businessEventsExtension, type BusinessEventsExtension } from '../../emulator/fno/events';
import { useFnoApi } from '../helpers/emulator';
import { sharedPath } from '../helpers/shared';

const FIXTURE = JSON.parse(fs.readFileSync(sharedPath('fixtures', 'responses', 'finops', 'business-event-dummy-hexalith-test.json'), 'utf8'));

class Receiver {
  received: { url: string; headers: http.IncomingHttpHeaders; body: any }[] = [];
  /** Status codes to answer with, in order; 200 once exhausted. */
  script: number[] = [];
  attempts = 0;
  server!: http.Server;
  url = '';

  async start(tls?: { keyPem: string; certPem: string }): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        const status = this.script.shift() ?? 200;
        if (status < 300) this.received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.statusCode = status;
        res.end();
      });
    };
    this.server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook/fno-events`;
    return this;
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

const f = useFnoApi({ fno: { extensions: [businessEventsExtension()] } });
const events = () => (f.emulator.fno!.extensions.find((e) => e.name === 'business-events') as BusinessEventsExtension).runtime;
const SECRET = 'k3y-8f1c2a9e';
const receiver = new Receiver();

beforeAll(async () => {
  const cert = f.emulator.webhooks.issueReceiverCertificate();
  await receiver.start(cert);
  events().trust(f.emulator.caCertPem);
  events().configure({ retryDelayMs: 20, timeoutMs: 5_000 });
});
afterAll(() => receiver.stop());
beforeEach(() => {
  receiver.received = [];
  receiver.script = [];
  receiver.attempts = 0;
});

/** Waits (bounded) until every queued delivery has finished. */
async function settled(): Promise<void> {
  await events().idle();
}

async function confirm(company: string, po: string) {
  const res = await f.call('POST', `data/PurchaseOrderHeadersV2(dataAreaId='${company}',PurchaseOrderNumber='${po}')/Microsoft.Dynamics.DataEntities.ConfirmPurchaseOrder?cross-company=true`, { body: {} });
  expect(res.status).toBe(200);
}

describe('endpoints and activation', () => {
  test('an HTTPS endpoint is created with its keyed URL, which no read returns', async () => {
    const created = await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'n8n', EndpointType: 'Https', EndpointUrl: `${receiver.url}?secret=${SECRET}` } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ EndpointName: 'n8n', EndpointType: 'Https' });
    const list = await f.call('GET', 'data/BusinessEventsEndpoints');
    expect(list.json.value).toEqual([expect.objectContaining({ EndpointName: 'n8n' })]);
    expect(list.text).not.toContain(SECRET);
    expect(created.text).not.toContain(SECRET);
  });

  test('endpoints must be loopback URLs; types other than Https and duplicates are refused', async () => {
    const remote = await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'remote', EndpointUrl: 'https://example.com/hook?secret=abc' } });
    expect(remote.status).toBe(400);
    expect(remote.json.error.innererror.message).toContain('loopback addresses only');
    expect(remote.text).not.toContain('secret=abc');
    const bus = await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'bus', EndpointType: 'ServiceBusQueue', EndpointUrl: receiver.url } });
    expect(bus.json.error.innererror.message).toContain("'ServiceBusQueue' is not available in the emulator");
    const twice = await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'N8N', EndpointUrl: receiver.url } });
    expect(twice.json.error.innererror.message).toContain("An endpoint named 'N8N' already exists");
  });

  test('activation names a catalog event, a legal entity (or blank for all) and an endpoint', async () => {
    const ok = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: 'USMF', EndpointName: 'n8n' } });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: 'usmf', EndpointName: 'n8n', IsActive: 'Yes' });
    const unknownEvent = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'NoSuchBusinessEvent', LegalEntity: '', EndpointName: 'n8n' } });
    expect(unknownEvent.json.error.innererror.message).toContain("'NoSuchBusinessEvent' is not in the catalog");
    const unknownCompany = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: 'ZZZ', EndpointName: 'n8n' } });
    expect(unknownCompany.json.error.innererror.message).toContain("The company 'ZZZ' does not exist");
    const unknownEndpoint = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: '', EndpointName: 'nobody' } });
    expect(unknownEndpoint.json.error.innererror.message).toContain("No endpoint named 'nobody' exists");
    const busy = await f.call('DELETE', "data/BusinessEventsEndpoints(EndpointName='n8n')");
    expect(busy.json.error.innererror.message).toContain('deactivate them first');
  });
});

describe('delivery', () => {
  test('confirming a purchase order delivers the envelope, with the key still in the URL', async () => {
    await confirm('usmf', 'USPO-00001');
    await settled();
    expect(receiver.received).toHaveLength(1);
    const { url, headers, body } = receiver.received[0];
    expect(url).toBe(`/webhook/fno-events?secret=${SECRET}`);
    expect(headers['content-type']).toBe('application/json');
    expect(body).toMatchObject({
      BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent',
      BusinessEventLegalEntity: 'USMF',
      ContextRecordSubject: '',
      ParentContextRecordSubjects: [],
      PurchaseOrderNumber: 'USPO-00001',
    });
    expect(body.EventId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(body.EventTime).toMatch(/^\/Date\(\d+\)\/$/);
    const ms = Number(/\d+/.exec(body.EventTime)![0]);
    expect(body.EventTimeIso8601).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    expect(Date.parse(body.EventTimeIso8601)).toBe(ms);
    // /data writes do not tell the store who wrote; Data management jobs do (see fno-dmf-events test).
    expect(body.InitiatingUserAADObjectId).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
    expect(Number.isSafeInteger(body.ControlNumber)).toBe(true);
    // The envelope has the recorded payload's fields, JSON types and alphabetical order.
    const envelope = Object.keys(FIXTURE).filter((k) => !['DeliveryDate', 'ValueOne'].includes(k));
    expect(Object.keys(body).filter((k) => envelope.includes(k))).toEqual(envelope);
    for (const k of envelope) expect(typeof body[k]).toBe(typeof FIXTURE[k]);
    const keys = Object.keys(body);
    expect(keys).toEqual([...keys].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
  });

  test('a raised event with contract fields has exactly the recorded payload shape', async () => {
    f.emulator.fno!.service.store.insert('BusinessEventsCatalogs', { BusinessEventId: 'DummyBusinessEvent1', Name: 'Dummy', Description: 'Test', Module: 'SystemAdministration', Category: 'Test', Contract: 'DummyContract' });
    const activate = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'DummyBusinessEvent1', LegalEntity: '', EndpointName: 'n8n' } });
    expect(activate.status).toBe(201);
    events().raise('DummyBusinessEvent1', 'SO01', { DeliveryDate: '/Date(1672358400000)/', ValueOne: 'The one value' });
    await settled();
    const body = receiver.received[0].body;
    expect(Object.keys(body)).toEqual(Object.keys(FIXTURE));
    for (const k of Object.keys(FIXTURE)) expect(typeof body[k]).toBe(typeof FIXTURE[k]);
    expect(body.InitiatingUserAADObjectId).toBe('{00000000-0000-0000-0000-000000000000}');
  });

  test('control numbers increase and event ids differ; another legal entity is not delivered', async () => {
    await confirm('ussu', 'SUPO-00001'); // activated for usmf only
    const second = await f.call('PATCH', "data/PurchaseOrderHeadersV2(dataAreaId='usmf',PurchaseOrderNumber='USPO-00001')", { body: { DocumentApprovalStatus: 'Approved' } });
    expect(second.status).toBe(204);
    await confirm('usmf', 'USPO-00001');
    events().raise('DummyBusinessEvent1', 'usmf', { ValueOne: 'x' });
    await settled();
    expect(receiver.received.map((r) => r.body.BusinessEventLegalEntity)).toEqual(['USMF', 'USMF']);
    const [a, b] = receiver.received.map((r) => r.body);
    expect(b.ControlNumber).toBeGreaterThan(a.ControlNumber);
    expect(b.EventId).not.toBe(a.EventId);
  });

  test('a failing endpoint gets 3 retries; the event arrives once', async () => {
    receiver.script = [500, 503, 404];
    events().raise('DummyBusinessEvent1', 'usmf', { ValueOne: 'retry' });
    await settled();
    expect(receiver.attempts).toBe(4);
    expect(receiver.received).toHaveLength(1);
    const last = events().deliveries().pop()!;
    expect(last).toMatchObject({ outcome: 'succeeded', attempts: 4, status: 200, endpointName: 'n8n' });
  });

  test('after 4 failed attempts the payload is in the error log; Resend delivers the same event', async () => {
    receiver.script = [500, 500, 500, 500];
    const payload = events().raise('DummyBusinessEvent1', 'usmf', { ValueOne: 'lost' })!;
    await settled();
    expect(receiver.received).toHaveLength(0);
    const failure = events().failures().find((x) => x.eventId === payload.EventId)!;
    expect(failure).toMatchObject({ outcome: 'failed', attempts: 4, status: 500 });
    expect(JSON.parse(failure.payload)).toEqual(payload);
    expect(JSON.stringify(events().deliveries())).not.toContain(SECRET);
    const resent = await events().resend(String(payload.EventId), 'n8n');
    expect(resent.outcome).toBe('succeeded');
    expect(receiver.received[0].body).toEqual(payload);
    expect(events().failures().find((x) => x.eventId === payload.EventId)).toBeUndefined();
  });

  test('an unreachable endpoint fails after the retries without the key in the error', async () => {
    const dead = new Receiver();
    await dead.start();
    const url = dead.url;
    await dead.stop();
    const create = await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'dead', EndpointUrl: `${url}?secret=${SECRET}` } });
    expect(create.status).toBe(201);
    await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'SalesOrderInvoicedBusinessEvent', LegalEntity: '', EndpointName: 'dead' } });
    events().raise('SalesOrderInvoicedBusinessEvent', 'usmf');
    await settled();
    const record = events().deliveries().pop()!;
    expect(record).toMatchObject({ outcome: 'failed', attempts: 4, endpointName: 'dead' });
    expect(record.error).toContain('ECONNREFUSED');
    expect(JSON.stringify(record)).not.toContain(SECRET);
    const off = await f.call('DELETE', "data/BusinessEventsConfigurations(BusinessEventId='SalesOrderInvoicedBusinessEvent',LegalEntity='',EndpointName='dead')");
    expect(off.status).toBe(204);
    expect((await f.call('DELETE', "data/BusinessEventsEndpoints('dead')")).status).toBe(204);
  });

  test('at most 10 endpoints per event and legal entity', async () => {
    for (let i = 0; i < 9; i++) {
      expect((await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: `extra-${i}`, EndpointUrl: receiver.url } })).status).toBe(201);
      expect((await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: 'usmf', EndpointName: `extra-${i}` } })).status).toBe(201);
    }
    await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'eleventh', EndpointUrl: receiver.url } });
    const over = await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: 'usmf', EndpointName: 'eleventh' } });
    expect(over.status).toBe(400);
    expect(over.json.error.innererror.message).toContain('already has 10 endpoints');
  });
});
