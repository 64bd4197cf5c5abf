/**
 * The F&O Business Event Trigger against the emulator's F&O environment. Automatic setup: activation creates one
 * HTTPS endpoint (the webhook URL with a generated secret) and one activation, re-activation doubles nothing, a
 * crash's leftovers are replaced, deactivation leaves nothing. A purchase order confirmed through the F&O API is
 * delivered by the emulator to the node's webhook() through a loopback endpoint and becomes one item; replays,
 * forged, malformed, oversize and filtered requests are refused or ignored with a log line and no execution.
 * The editor's test URL gets its own endpoint; a Dataverse credential is refused. Manual setup: no credential, the
 * secret given by the user, the documented payload parsed. The client's setup calls never put the endpoint URL in an error.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { ICredentialDataDecryptedObject, IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';
import { connectFno, type FnoConnection } from '../../client/connect';
import { createHttpsEndpoint, deleteEventEndpoint, listBusinessEvents } from '../../client/fno';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { BusinessEvents, BusinessEventsExtension } from '../../emulator/fno/events';
import { FnoBusinessEventTrigger } from '../../nodes/FnoBusinessEventTrigger/FnoBusinessEventTrigger.node';
import { MAX_EVENT_BYTES } from '../../nodes/FnoBusinessEventTrigger/envelope';
import { endpointName } from '../../nodes/FnoBusinessEventTrigger/registration';
import { emulatorCredentialData, emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { hookContext, runWebhook, WebhookEndpoint, type IncomingRequest, type TriggerHarness } from '../helpers/n8n-webhook-context';
import { sharedPath } from '../helpers/shared';

const FIXTURE = JSON.parse(fs.readFileSync(sharedPath('fixtures', 'responses', 'finops', 'business-event-dummy-hexalith-test.json'), 'utf8'));
const EVENT = 'PurchaseOrderConfirmedBusinessEvent';
const node = new FnoBusinessEventTrigger();

let emulator: RunningEmulator;
let fno: FnoConnection;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let harness: TriggerHarness;
const endpoint = new WebhookEndpoint(node, () => harness);
const events = (): BusinessEvents => (emulator.fno!.extensions.find((e) => e.name === 'business-events') as BusinessEventsExtension).runtime;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  credentials = { dynamics365AppRegistrationApi: emulatorFnoCredentialData(emulator) as ICredentialDataDecryptedObject };
  fno = connectFno({
    environmentUrl: emulator.fnoUrl!,
    ca: emulator.caCertPem,
    credentials: { kind: 'secret', authorityUrl: emulator.authorityUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
  });
  events().configure({ retryDelayMs: 20, timeoutMs: 10_000 });
  await endpoint.start();
});
afterAll(async () => {
  fno?.close();
  await endpoint.stop();
  await emulator?.stop();
});

function newHarness(params: IDataObject = {}, staticData: IDataObject = {}): TriggerHarness {
  return {
    node: { id: randomUUID(), name: 'F&O Business Event Trigger', type: 'n8n-nodes-dynamics365.fnoBusinessEventTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    workflowId: `wf${randomUUID().slice(0, 8)}`,
    params: { setup: 'automatic', authentication: 'appRegistration', businessEvent: EVENT, legalEntity: 'USMF', options: {}, ...params },
    credentials,
    staticData,
    webhookUrl: endpoint.url,
    logs: [],
  };
}

const hooks = () => hookContext(harness);
const activate = async () => {
  const ctx = hooks();
  if (!(await node.webhookMethods.default.checkExists.call(ctx))) await node.webhookMethods.default.create.call(ctx);
};
const deactivate = () => node.webhookMethods.default.delete.call(hooks());

/** This harness's endpoint and activations as the emulator stores them. */
function registered() {
  const name = endpointName(hooks());
  return {
    endpoints: events().subscriptions.listEndpoints().filter((e) => e.name === name),
    activations: events().subscriptions.listActivations().filter((a) => a.endpointName === name),
  };
}

/** Outcomes received since `from`, once the emulator has no delivery left in flight. */
async function deliveredSince(from: number) {
  await events().idle();
  return endpoint.outcomes.slice(from);
}

const started = (o: { result: { workflowData?: unknown } }) => o.result.workflowData !== undefined;
const itemOf = (o: { result: { workflowData?: any } }) => o.result.workflowData[0][0].json;

function request(body: unknown, secret: string | undefined | string[], extra = ''): IncomingRequest {
  const query = (Array.isArray(secret) ? secret : secret === undefined ? [] : [secret]).map((s) => `secret=${encodeURIComponent(s)}`);
  const url = `/webhook/trigger-under-test/webhook${query.length || extra ? `?${[...query, extra].filter(Boolean).join('&')}` : ''}`;
  return { url, headers: { 'content-type': 'application/json' }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

const confirm = (company: string, po: string) =>
  fno.callAction('PurchaseOrderHeadersV2', { dataAreaId: company, PurchaseOrderNumber: po }, 'ConfirmPurchaseOrder', {});

describe('automatic setup', () => {
  test('activation creates one endpoint at the webhook URL with a generated secret, and one activation; re-activation doubles nothing', async () => {
    harness = newHarness();
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    await activate();
    const secret = String(harness.staticData.secret);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const first = registered();
    expect(first.endpoints).toHaveLength(1);
    expect(first.endpoints[0].url).toBe(`${endpoint.url}?secret=${secret}`);
    expect(first.activations).toEqual([{ businessEventId: EVENT, legalEntity: 'usmf', endpointName: first.endpoints[0].name }]);
    // What F&O answers never holds the key.
    const listed = await fno.context.execute({ method: 'GET', path: 'data/BusinessEventsEndpoints', idempotent: true, operation: 'test' });
    expect(listed.body.toString()).not.toContain(secret);

    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(true);
    await activate();
    expect(registered()).toEqual(first);
    expect(harness.staticData.secret).toBe(secret);
    expect(harness.logs.map((l) => l.message).join('\n')).not.toContain(secret);
  });

  test('a changed legal entity registers again, replacing the activation; leftovers of a crash are replaced, not doubled', async () => {
    harness.params.legalEntity = '';
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    await activate();
    expect(registered().activations).toEqual([expect.objectContaining({ legalEntity: '' })]);
    expect(registered().endpoints).toHaveLength(1);

    // n8n stopped after F&O created the rows but before the static data was saved.
    for (const key of Object.keys(harness.staticData)) delete harness.staticData[key];
    await activate();
    expect(registered().endpoints).toHaveLength(1);
    expect(registered().activations).toHaveLength(1);
    expect(registered().endpoints[0].url).toContain(String(harness.staticData.secret));
    harness.params.legalEntity = 'USMF';
    await activate();
    expect(registered().activations).toEqual([expect.objectContaining({ legalEntity: 'usmf' })]);
  });

  test('the editor\'s test URL gets its own endpoint and secret; removing it leaves the production registration intact', async () => {
    const production = registered();
    const productionSecret = harness.staticData.secret;
    const testHarness = { ...harness, webhookUrl: endpoint.url.replace('/webhook/', '/webhook-test/') };
    const testHooks = () => ({ ...hookContext(testHarness), getMode: () => 'manual' }) as unknown as ReturnType<typeof hookContext>;
    expect(await node.webhookMethods.default.checkExists.call(testHooks())).toBe(false);
    await node.webhookMethods.default.create.call(testHooks());
    const testName = endpointName(testHooks());
    expect(testName).toBe(`${production.endpoints[0].name}-test`);
    const testSecret = String((harness.staticData.testRegistration as IDataObject).secret);
    expect(events().subscriptions.endpoint(testName)?.url).toBe(`${testHarness.webhookUrl}?secret=${testSecret}`);
    expect(registered()).toEqual(production);
    expect(harness.staticData.secret).toBe(productionSecret);
    // Either secret opens the node while both endpoints exist.
    const probe = { ...FIXTURE, BusinessEventId: 'SomeOtherBusinessEvent', EventId: randomUUID() };
    expect((await runWebhook(node, harness, request(probe, testSecret))).body).toEqual({ ignored: 'filtered' });

    expect(await node.webhookMethods.default.delete.call(testHooks())).toBe(true);
    expect(events().subscriptions.endpoint(testName)).toBeUndefined();
    expect(harness.staticData.testRegistration).toBeUndefined();
    expect(registered()).toEqual(production);
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(true);
    expect((await runWebhook(node, harness, request(probe, testSecret))).status).toBe(401);
  });

  test('a purchase order confirmed through the F&O API starts one execution with the parsed event and the raw payload', async () => {
    const from = endpoint.outcomes.length;
    await confirm('usmf', 'USPO-00001');
    const outcomes = await deliveredSince(from);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].status).toBe(200);
    const item = itemOf(outcomes[0]);
    expect(item).toMatchObject({
      businessEventId: EVENT,
      legalEntity: 'USMF',
      eventId: expect.stringMatching(/^[0-9A-F-]{36}$/),
      controlNumber: expect.any(Number),
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      majorVersion: 1,
      minorVersion: 0,
      parentContextRecordSubjects: [],
      data: expect.objectContaining({ PurchaseOrderNumber: 'USPO-00001', VendorAccount: expect.any(String) }),
      raw: expect.objectContaining({ BusinessEventId: EVENT, EventTime: expect.stringMatching(/^\/Date\(\d+\)\/$/) }),
    });
    expect(new Date(item.eventTime).getTime()).toBe(Number(/\d+/.exec(item.raw.EventTime)![0]));
  });

  test('the same event delivered again (as sent, or with its ControlNumber under a new EventId) is ignored', async () => {
    const first = endpoint.outcomes.find(started)!;
    const raw = itemOf(first).raw;
    const secret = String(harness.staticData.secret);
    const again = await runWebhook(node, harness, request(raw, secret));
    expect(again).toMatchObject({ status: 200, body: { ignored: 'duplicate' } });
    expect(started(again)).toBe(false);
    const sameControlNumber = await runWebhook(node, harness, request({ ...raw, EventId: randomUUID().toUpperCase() }, secret));
    expect(sameControlNumber.body).toEqual({ ignored: 'duplicate' });
    // Both delivered together, before static data could be saved: still one execution.
    const fresh = { ...raw, EventId: randomUUID().toUpperCase(), ControlNumber: Number(raw.ControlNumber) + 1_000 };
    const pair = await Promise.all([runWebhook(node, harness, request(fresh, secret)), runWebhook(node, harness, request(fresh, secret))]);
    expect(pair.filter(started)).toHaveLength(1);
    expect(harness.logs.some((l) => /ignored a repeated PurchaseOrderConfirmedBusinessEvent/.test(l.message))).toBe(true);
    expect((harness.staticData.recentEvents as string[]).length).toBeLessThanOrEqual(1_000);
  });

  test('forged requests get 401 with a log line: no secret, a wrong one, a longer one, two of them', async () => {
    const raw = { ...itemOf(endpoint.outcomes.find(started)!).raw, EventId: randomUUID().toUpperCase(), ControlNumber: 1 };
    const secret = String(harness.staticData.secret);
    const refusedBefore = harness.logs.filter((l) => /refused an event with a missing or wrong secret/.test(l.message)).length;
    for (const given of [undefined, 'not-the-secret', `${secret}x`, [secret, secret]]) {
      const outcome = await runWebhook(node, harness, request(raw, given));
      expect(outcome).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
      expect(started(outcome)).toBe(false);
    }
    const refusals = harness.logs.filter((l) => /refused an event with a missing or wrong secret/.test(l.message));
    expect(refusals).toHaveLength(refusedBefore + 4);
    expect(harness.logs.map((l) => l.message).join('\n')).not.toContain(secret);
  });

  test('malformed, oversize, deep and non-event bodies are refused with the reason; other events and legal entities are ignored', async () => {
    const secret = String(harness.staticData.secret);
    const cases: [unknown, number, string][] = [
      ['{"BusinessEventId": ', 400, 'notJson'],
      [[FIXTURE], 400, 'wrongShape'],
      [{ ...FIXTURE, EventId: undefined }, 400, 'wrongShape'],
      [{ ...FIXTURE, ControlNumber: 'twelve' }, 400, 'wrongShape'],
      [{ ...FIXTURE, pad: 'x'.repeat(MAX_EVENT_BYTES) }, 413, 'tooLarge'],
      ['['.repeat(100) + ']'.repeat(100), 400, 'tooDeep'],
    ];
    for (const [body, status, reason] of cases) {
      const outcome = await runWebhook(node, harness, request(body, secret));
      expect({ status: outcome.status, reason: (outcome.body as IDataObject).reason }).toEqual({ status, reason });
      expect(started(outcome)).toBe(false);
    }
    expect(harness.logs.filter((l) => l.level === 'warn' && /refused an event: /.test(l.message))).toHaveLength(cases.length);

    const base = { ...FIXTURE, ControlNumber: 42 };
    const otherEvent = await runWebhook(node, harness, request({ ...base, EventId: randomUUID() }, secret));
    expect(otherEvent.body).toEqual({ ignored: 'filtered' });
    const otherEntity = await runWebhook(node, harness, request({ ...base, BusinessEventId: EVENT, BusinessEventLegalEntity: 'DEMF', EventId: randomUUID() }, secret));
    expect(otherEntity.body).toEqual({ ignored: 'filtered' });
    const wanted = await runWebhook(node, harness, request({ ...base, BusinessEventId: EVENT, BusinessEventLegalEntity: 'usmf', EventId: randomUUID() }, secret));
    expect(started(wanted)).toBe(true);
  });

  test('deactivation removes the endpoint and activation and the secret; later events reach nothing', async () => {
    const secret = String(harness.staticData.secret);
    expect(await deactivate()).toBe(true);
    expect(registered()).toEqual({ endpoints: [], activations: [] });
    expect(harness.staticData.secret).toBeUndefined();
    expect(harness.staticData.recentEvents).toBeDefined();
    expect(events().raise(EVENT, 'usmf', { PurchaseOrderNumber: 'X' })).toBeUndefined();
    const late = await runWebhook(node, harness, request({ ...FIXTURE, BusinessEventId: EVENT, EventId: randomUUID() }, secret));
    expect(late.status).toBe(401);
    expect(await deactivate()).toBe(true); // nothing left to remove
  });

  test('the business event list comes from the catalog; an unknown event fails activation with F&O\'s reason and leaves nothing', async () => {
    harness = newHarness();
    const ctx = { ...hooks(), getCurrentNodeParameter: () => undefined } as unknown as ILoadOptionsFunctions;
    const options = await node.methods.loadOptions.getBusinessEvents.call(ctx);
    expect(options).toEqual(expect.arrayContaining([expect.objectContaining({ value: EVENT, name: expect.stringContaining(EVENT) })]));
    expect(options.length).toBe(4);

    harness.params.businessEvent = 'NoSuchBusinessEvent';
    await expect(activate()).rejects.toThrow(/not in the catalog/);
    expect(registered()).toEqual({ endpoints: [], activations: [] });
    expect(harness.staticData.secret).toBeUndefined();
  });

  test('a credential for Dataverse is refused at activation with what to change, and nothing is registered', async () => {
    harness = { ...newHarness(), credentials: { dynamics365AppRegistrationApi: emulatorCredentialData(emulator) as ICredentialDataDecryptedObject } };
    await expect(activate()).rejects.toThrow(/is a Dataverse environment/);
    expect(registered()).toEqual({ endpoints: [], activations: [] });
  });
});

describe('manual setup', () => {
  const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
  const manual = (params: IDataObject = {}) =>
    newHarness({ setup: 'manual', businessEventId: 'DummyBusinessEvent1', legalEntity: '', sharedSecret: SECRET, businessEvent: undefined, authentication: undefined, ...params });

  test('activation needs no credential and registers nothing; a weak or missing secret refuses activation', async () => {
    harness = { ...manual(), credentials: {} };
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    expect(await node.webhookMethods.default.create.call(hooks())).toBe(true);
    expect(await node.webhookMethods.default.delete.call(hooks())).toBe(true);
    expect(harness.staticData).toEqual({});
    harness.params.sharedSecret = 'short';
    await expect(node.webhookMethods.default.create.call(hooks())).rejects.toThrow(/at least 24 characters/);
    harness.params.sharedSecret = `${SECRET}&x=1`;
    await expect(node.webhookMethods.default.create.call(hooks())).rejects.toThrow(/only letters, digits/);
  });

  test('the documented payload with the shared secret becomes one item; envelope dates and user read cleanly', async () => {
    harness = { ...manual(), credentials: {} };
    const outcome = await runWebhook(node, harness, request(FIXTURE, SECRET));
    expect(outcome.status).toBe(200);
    expect(itemOf(outcome)).toEqual({
      businessEventId: 'DummyBusinessEvent1',
      legalEntity: 'SO01',
      eventId: '3C47A4CD-6EDC-4319-B893-3F862EED65FD',
      controlNumber: 5637611083,
      eventTime: '2022-12-30T13:51:15.000Z',
      initiatingUserId: '410a2690-5ec2-42ee-9f2a-e75b4e324930',
      contextRecordSubject: '',
      parentContextRecordSubjects: [],
      majorVersion: 10,
      minorVersion: 11,
      data: { DeliveryDate: '2022-12-30T00:00:00.000Z', ValueOne: 'The one value' },
      raw: FIXTURE,
    });
    expect((await runWebhook(node, harness, request(FIXTURE, SECRET))).body).toEqual({ ignored: 'duplicate' });
    expect((await runWebhook(node, harness, request({ ...FIXTURE, EventId: randomUUID() }, 'wrong-secret'))).status).toBe(401);
    harness.params.options = { includeRaw: false };
    const noRaw = await runWebhook(node, harness, request({ ...FIXTURE, EventId: randomUUID(), ControlNumber: 7, EventTime: '/Date(-2208988800000)/', DeliveryDate: '/Date(-2208988800000)/' }, SECRET));
    expect(itemOf(noRaw)).not.toHaveProperty('raw');
    expect(itemOf(noRaw).data.DeliveryDate).toBeNull();
  });

  test('without a usable shared secret every request is refused', async () => {
    harness = { ...manual({ sharedSecret: '' }), credentials: {} };
    const outcome = await runWebhook(node, harness, request(FIXTURE, ''));
    expect(outcome.status).toBe(401);
    expect(harness.logs.some((l) => /no shared secret is set up/.test(l.message))).toBe(true);
  });
});

describe('client business event setup', () => {
  test('the catalog is listed sorted by name; an unknown endpoint is a 404; a bad name is refused before any request', async () => {
    const catalog = await listBusinessEvents(fno.context);
    expect(catalog.map((e) => e.name)).toEqual([...catalog.map((e) => e.name)].sort((a, b) => a.localeCompare(b)));
    expect(catalog).toContainEqual(expect.objectContaining({ businessEventId: EVENT, name: expect.any(String), category: expect.any(String) }));
    await expect(deleteEventEndpoint(fno.context, 'nobody-here')).rejects.toMatchObject({ status: 404 });
    await expect(createHttpsEndpoint(fno.context, 'bad/name', 'http://127.0.0.1/x')).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  test('an endpoint URL the service refuses never appears in the error', async () => {
    const error = await createHttpsEndpoint(fno.context, 'remote', 'https://example.com/hook?secret=TOPSECRET123').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeDefined();
    expect(`${error!.message} ${JSON.stringify(error)}`).not.toContain('TOPSECRET123');
    expect(events().subscriptions.endpoint('remote')).toBeUndefined();
  });
});
