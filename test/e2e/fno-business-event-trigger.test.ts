/**
 * The F&O Business Event Trigger in a REAL n8n 2.41.1 against the emulator's F&O environment (automatic setup):
 * activation through the public API creates one HTTPS business event endpoint at n8n's production URL and one
 * activation; a purchase order confirmed through the F&O API is delivered by the emulator to n8n and starts exactly
 * one execution, also when the emulator delivers the same event a second time; forged, malformed and oversize
 * requests start none; the editor's "Listen for test event" gets its own endpoint at the test URL, removed after its
 * event while production's stays; deactivation leaves no endpoint and no activation. Manual setup runs without a
 * credential; the event list comes through n8n's options endpoint.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { connectFno, type FnoConnection } from '../../client/connect';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { BusinessEvents, BusinessEventsExtension } from '../../emulator/fno/events';
import { deliverEvent } from '../../emulator/fno/events/delivery';
import { emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { PACKAGE_NAME, type RunningN8n, startN8n } from '../../scripts/n8n/harness';
import { sharedPath } from '../helpers/shared';

jest.setTimeout(10 * 60_000);

const CRED_TYPE = 'dynamics365AppRegistrationApi';
const TRIGGER = 'F&O Business Event Trigger';
const EVENT = 'PurchaseOrderConfirmedBusinessEvent';
const FIXTURE = JSON.parse(fs.readFileSync(sharedPath('fixtures', 'responses', 'finops', 'business-event-dummy-hexalith-test.json'), 'utf8'));
const NODE_TYPE = `${PACKAGE_NAME}.fnoBusinessEventTrigger`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns something other than undefined; fails with `what` after the bound. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('F&O Business Event Trigger in real n8n 2.41.1 against the emulator', () => {
  let emulator: RunningEmulator;
  let n8n: RunningN8n;
  let fno: FnoConnection;
  let workflowId: string;
  let cred: { id: string; name: string };
  const webhookId = randomUUID();
  const events = (): BusinessEvents => (emulator.fno!.extensions.find((e) => e.name === 'business-events') as BusinessEventsExtension).runtime;

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
    emulator = await startEmulator({ limits: 'off' });
    n8n = await startN8n({ extraCaFile: emulator.caCertFile });
    fno = connectFno({
      environmentUrl: emulator.fnoUrl!,
      ca: emulator.caCertPem,
      credentials: { kind: 'secret', authorityUrl: emulator.authorityUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    });
    cred = await n8n.api.createCredential(CRED_TYPE, emulatorFnoCredentialData(emulator), 'F&O emulator');
    workflowId = await n8n.api.createWorkflow({
      name: 'F&O Business Event Trigger e2e',
      nodes: [
        {
          id: 'trigger',
          name: TRIGGER,
          type: NODE_TYPE,
          typeVersion: 1,
          position: [0, 0],
          webhookId,
          parameters: { setup: 'automatic', authentication: 'appRegistration', businessEvent: EVENT, legalEntity: 'USMF', options: {} },
          credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
        },
      ],
      connections: {},
    });
  }, 10 * 60_000);

  afterAll(async () => {
    if (workflowId) await n8n?.api.publicApi('POST', `/workflows/${workflowId}/deactivate`).catch(() => undefined);
    fno?.close();
    await n8n?.stop();
    await emulator?.stop();
  }, 60_000);

  const hookUrl = () => `${n8n.url}/webhook/${webhookId}/webhook`;
  const mine = (name: string) => name.startsWith(`n8n-${workflowId}-`);
  const registration = () => ({
    endpoints: events().subscriptions.listEndpoints().filter((e) => mine(e.name)),
    activations: events().subscriptions.listActivations().filter((a) => mine(a.endpointName)),
  });
  const secretOf = () => new URL(registration().endpoints[0].url).searchParams.get('secret')!;

  const executions = async (): Promise<any[]> => {
    const list = await n8n.api.publicApi('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=100`);
    return [...(list.data ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  };
  const finished = (e: any) => e.finished || ['success', 'error', 'crashed', 'canceled'].includes(e.status);
  const executionsUntil = (count: number) =>
    waitFor(`${count} finished executions`, async () => {
      const list = await executions();
      if (list.length > count) throw new Error(`expected ${count} executions, found ${list.length}`);
      return list.length === count && list.every(finished) ? list : undefined;
    });
  const itemOf = (execution: any) => execution.data.resultData.runData[TRIGGER][0].data.main[0][0].json;

  const post = (body: string, query = '') =>
    fetch(`${hookUrl()}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(60_000) });

  test('activation registers the endpoint and activation; a confirmed purchase order starts exactly one execution, even delivered twice; forged and malformed requests start none', async () => {
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/activate`);
    await waitFor('the endpoint and activation', () => (registration().activations.length === 1 ? true : undefined));
    await waitFor('the live webhook', async () => {
      const res = await post('{}');
      await res.text();
      return res.status === 404 ? undefined : res.status;
    });
    const reg = registration();
    expect(reg.endpoints).toHaveLength(1);
    const secret = secretOf();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reg.endpoints[0].url).toBe(`${hookUrl()}?secret=${secret}`);
    expect(reg.activations).toEqual([{ businessEventId: EVENT, legalEntity: 'usmf', endpointName: reg.endpoints[0].name }]);
    expect(await executions()).toHaveLength(0); // the 401 probe above started nothing

    await fno.callAction('PurchaseOrderHeadersV2', { dataAreaId: 'usmf', PurchaseOrderNumber: 'USPO-00001' }, 'ConfirmPurchaseOrder', {});
    const [first] = await executionsUntil(1);
    expect(first.status).toBe('success');
    const item = itemOf(first);
    expect(item).toMatchObject({
      businessEventId: EVENT,
      legalEntity: 'USMF',
      eventId: expect.stringMatching(/^[0-9A-F-]{36}$/),
      eventTime: expect.stringMatching(/Z$/),
      data: expect.objectContaining({ PurchaseOrderNumber: 'USPO-00001' }),
      raw: expect.objectContaining({ BusinessEventId: EVENT }),
    });
    await events().idle();
    expect(events().deliveries().filter((d) => mine(d.endpointName))).toEqual([expect.objectContaining({ outcome: 'succeeded', attempts: 1, status: 200 })]);

    // The same event delivered again by the emulator's delivery code, to the endpoint's URL: answered, not run.
    const replay = await deliverEvent(registration().endpoints[0].url, Buffer.from(JSON.stringify(item.raw)), { trustedCaPem: [], allowHttp: true, timeoutMs: 30_000, retries: 0, retryDelayMs: 0 }, new AbortController().signal);
    expect(replay).toMatchObject({ ok: true, status: 200 });
    const direct = await post(JSON.stringify(item.raw), `?secret=${secret}`);
    expect(await direct.json()).toEqual({ ignored: 'duplicate' });
    expect(await executions()).toHaveLength(1);

    // Forged: no secret, a wrong one, the right one plus a character. Refused before any execution is created.
    const forged = JSON.stringify({ ...item.raw, EventId: randomUUID().toUpperCase(), ControlNumber: Number(item.raw.ControlNumber) + 10 });
    for (const query of ['', '?secret=not-the-secret', `?secret=${secret}x`]) {
      const res = await post(forged, query);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(await executions()).toHaveLength(1);
    await waitFor('the refusal in the log', () => (/refused an event with a missing or wrong secret/.test(n8n.log()) ? true : undefined));
    expect(n8n.log()).not.toContain(secret);

    // Malformed and oversize bodies with the right secret: refused with a log line, nothing started, n8n still serves.
    const malformed = await fetch(`${hookUrl()}?secret=${secret}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"BusinessEventId": ' });
    expect(malformed.status).toBe(400);
    const oversize = await post(JSON.stringify({ ...item.raw, EventId: randomUUID(), pad: 'x'.repeat(600_000) }), `?secret=${secret}`);
    expect(oversize.status).toBe(413);
    await waitFor('the refusals in the log', () => (/refused an event: The event is larger than/.test(n8n.log()) ? true : undefined));
    expect(await executions()).toHaveLength(1);

    // A new event with the right secret still runs: one more execution.
    const fresh = await post(forged, `?secret=${secret}`);
    expect(fresh.status).toBe(200);
    const list = await executionsUntil(2);
    expect(itemOf(list[1]).eventId).toBe(JSON.parse(forged).EventId);
  });

  test('the editor\'s "Listen for test event" gets its own endpoint at the test URL; after its event it is removed and production is untouched', async () => {
    const production = registration();
    const productionRuns = (await executions()).filter((e) => e.mode === 'webhook').length;
    const started = await n8n.api.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: TRIGGER } });
    expect(started).toMatchObject({ waitingForWebhook: true });
    const testEndpoint = await waitFor('the test endpoint', () => registration().endpoints.find((e) => e.name.endsWith('-test')));
    expect(testEndpoint.url).toContain(`/webhook-test/${webhookId}/webhook?secret=`);
    expect(new URL(testEndpoint.url).searchParams.get('secret')).not.toBe(secretOf());
    expect(registration().activations).toHaveLength(2);

    // One event raised in F&O reaches both endpoints: the test listener, then production.
    expect(events().raise(EVENT, 'usmf', { PurchaseOrderNumber: 'USPO-TEST' })).toBeDefined();
    await events().idle();
    await waitFor('the test endpoint to be removed', () => (registration().endpoints.some((e) => e.name.endsWith('-test')) ? undefined : true));
    expect(registration()).toEqual(production);
    await waitFor('the production execution', async () => ((await executions()).filter((e) => e.mode === 'webhook' && finished(e)).length === productionRuns + 1 ? true : undefined));
  });

  test('deactivation removes the endpoint and activation; events raised afterwards go nowhere', async () => {
    const before = (await executions()).length;
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/deactivate`);
    await waitFor('the endpoint to be removed', () => (registration().endpoints.length === 0 ? true : undefined));
    expect(registration()).toEqual({ endpoints: [], activations: [] });
    expect(events().raise(EVENT, 'usmf', { PurchaseOrderNumber: 'USPO-00002' })).toBeUndefined();
    expect(await executions()).toHaveLength(before);
  });

  test('the business event list is read from the catalog through n8n\'s own options endpoint', async () => {
    const options = await n8n.api.loadOptions({
      nodeType: NODE_TYPE,
      typeVersion: 1,
      methodName: 'getBusinessEvents',
      path: 'parameters.businessEvent',
      currentNodeParameters: { setup: 'automatic', authentication: 'appRegistration', businessEvent: '', legalEntity: '' },
      credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
    });
    expect(options).toEqual(expect.arrayContaining([expect.objectContaining({ value: EVENT }), expect.objectContaining({ value: 'SalesOrderInvoicedBusinessEvent' })]));
  });

  test('manual setup activates without a credential and runs the documented payload once; a wrong secret gets 401', async () => {
    const manualHook = randomUUID();
    const secret = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
    const id = await n8n.api.createWorkflow({
      name: 'F&O Business Event Trigger manual e2e',
      nodes: [
        {
          id: 'manual',
          name: TRIGGER,
          type: NODE_TYPE,
          typeVersion: 1,
          position: [0, 0],
          webhookId: manualHook,
          parameters: { setup: 'manual', businessEventId: 'DummyBusinessEvent1', legalEntity: '', sharedSecret: secret, options: {} },
        },
      ],
      connections: {},
    });
    try {
      await n8n.api.publicApi('POST', `/workflows/${id}/activate`);
      const url = `${n8n.url}/webhook/${manualHook}/webhook`;
      const send = (query: string) => fetch(`${url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FIXTURE), signal: AbortSignal.timeout(60_000) });
      const status = await waitFor('the live webhook', async () => {
        const res = await send('?secret=wrong');
        await res.text();
        return res.status === 404 ? undefined : res.status;
      });
      expect(status).toBe(401);
      expect((await send(`?secret=${secret}`)).status).toBe(200);
      expect(await (await send(`?secret=${secret}`)).json()).toEqual({ ignored: 'duplicate' });
      const runs = await waitFor('one execution', async () => {
        const list = (await n8n.api.publicApi('GET', `/executions?workflowId=${id}&includeData=true&limit=10`)).data ?? [];
        return list.length === 1 && list.every(finished) ? list : undefined;
      });
      expect(itemOf(runs[0])).toMatchObject({ businessEventId: 'DummyBusinessEvent1', legalEntity: 'SO01', controlNumber: 5637611083, eventTime: '2022-12-30T13:51:15.000Z' });
    } finally {
      await n8n.api.publicApi('POST', `/workflows/${id}/deactivate`).catch(() => undefined);
    }
  });
});
