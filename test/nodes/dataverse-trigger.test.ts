/**
 * The Dataverse Trigger (webhook) against the emulator: activation registers exactly one endpoint with its steps and
 * images, re-activation doubles nothing, deactivation leaves nothing; the emulator's real deliveries reach the
 * node's webhook() through a loopback endpoint and become items; forged, malformed, oversize and repeated requests
 * are refused or ignored with a log line and no execution.
 */
import { randomUUID } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { DataverseTrigger } from '../../nodes/DataverseTrigger/DataverseTrigger.node';
import { DELIVERY_HEADER } from '../../nodes/DataverseTrigger/registration';
import { connectFromCredentials, type Connection } from '../../nodes/Dataverse/transport/connection';
import { useNodeEmulator } from '../helpers/n8n-context';
import { hookContext, rl, runWebhook, WebhookEndpoint, type IncomingRequest, type TriggerHarness } from '../helpers/n8n-webhook-context';

const env = useNodeEmulator();
const node = new DataverseTrigger();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let conn: Connection;
let harness: TriggerHarness;
const endpoint = new WebhookEndpoint(node, () => harness);

beforeAll(async () => {
  conn = connectFromCredentials('appRegistration', env.credentials.dynamics365AppRegistrationApi);
  await endpoint.start();
});
afterAll(async () => {
  conn?.dv.close();
  await endpoint.stop();
});

function newHarness(params: IDataObject = {}, staticData: IDataObject = {}): TriggerHarness {
  return {
    node: { id: randomUUID(), name: 'Dataverse Trigger', type: 'n8n-nodes-dynamics365.dataverseTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    workflowId: `wf${randomUUID().slice(0, 8)}`,
    params: { authentication: 'appRegistration', table: rl('accounts', 'list'), events: ['created', 'updated', 'deleted'], filteringColumns: [], images: 'none', options: {}, ...params },
    credentials: env.credentials,
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

const rows = (table: string) => [...env.emulator.service.store.rows(table).values()];
/** This harness's registration as the emulator stores it. */
function registered() {
  const endpoints = rows('serviceendpoint').filter((e) => String(e.name).startsWith(`n8n ${harness.workflowId} `));
  const ids = new Set(endpoints.map((e) => e.serviceendpointid));
  const steps = rows('sdkmessageprocessingstep').filter((s) => ids.has(s._eventhandler_value));
  const stepIds = new Set(steps.map((s) => s.sdkmessageprocessingstepid));
  const images = rows('sdkmessageprocessingstepimage').filter((i) => stepIds.has(i._sdkmessageprocessingstepid_value));
  return { endpoints, steps, images };
}

/** Outcomes received since `from`, once the emulator has no delivery left in flight. */
async function deliveredSince(from: number) {
  await env.emulator.webhooks.idle();
  return endpoint.outcomes.slice(from);
}

const started = (o: { result: { workflowData?: unknown } }) => o.result.workflowData !== undefined;
const itemOf = (o: { result: { workflowData?: any } }) => o.result.workflowData[0][0].json;

describe('activation and deactivation', () => {
  test('activation registers one endpoint with a step per event and a secret kept in static data; re-activation doubles nothing', async () => {
    harness = newHarness({ images: 'both' });
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    await activate();
    const first = registered();
    expect(first.endpoints).toHaveLength(1);
    expect(first.endpoints[0]).toMatchObject({ url: endpoint.url, contract: 8, authtype: 5 });
    expect(String(first.endpoints[0].authvalue)).toContain(`name="${DELIVERY_HEADER}"`);
    expect(first.steps).toHaveLength(3);
    expect(first.images).toHaveLength(4); // Create: post; Update: pre + post; Delete: pre
    expect(harness.staticData).toMatchObject({ serviceEndpointId: first.endpoints[0].serviceendpointid, secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), url: endpoint.url });
    expect(String(first.endpoints[0].authvalue)).toContain(String(harness.staticData.secret));
    expect(harness.logs.map((l) => l.message).join('\n')).not.toContain(String(harness.staticData.secret));

    // Activated again (e.g. n8n restarted): checkExists sees the registration, nothing is created.
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(true);
    await activate();
    expect(registered().endpoints.map((e) => e.serviceendpointid)).toEqual([first.endpoints[0].serviceendpointid]);

    await deactivate();
    expect(registered()).toEqual({ endpoints: [], steps: [], images: [] });
    expect(harness.staticData).toEqual({});
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    await deactivate(); // a second deactivation finds nothing and does not fail
  });

  test('a registration whose id was never saved (crash before static data) is reused on activation and removed on deactivation', async () => {
    harness = newHarness({ events: ['created'] });
    await activate();
    const id = registered().endpoints[0].serviceendpointid;
    harness.staticData = {}; // n8n stopped before saving
    await activate();
    expect(registered().endpoints.map((e) => e.serviceendpointid)).toEqual([id]);
    expect(harness.staticData.serviceEndpointId).toBe(id);

    harness.staticData = {};
    await deactivate();
    expect(registered().endpoints).toEqual([]);
  });

  test('changed settings register again in place: fewer events, filtering columns, no images', async () => {
    harness = newHarness({ images: 'post' });
    await activate();
    const id = registered().endpoints[0].serviceendpointid;
    harness.params = { ...harness.params, events: ['updated'], filteringColumns: ['name', 'telephone1'], images: 'none' };
    expect(await node.webhookMethods.default.checkExists.call(hooks())).toBe(false);
    await activate();
    const now = registered();
    expect(now.endpoints.map((e) => e.serviceendpointid)).toEqual([id]);
    expect(now.steps).toHaveLength(1);
    expect(now.steps[0].filteringattributes).toBe('name,telephone1');
    expect(now.images).toEqual([]);
    await deactivate();
    expect(registered().endpoints).toEqual([]);
  });

  test('a changed webhook URL removes the old endpoint instead of leaving it behind', async () => {
    harness = newHarness({ events: ['created'] });
    await activate();
    const oldUrl = harness.webhookUrl;
    harness.webhookUrl = `${endpoint.url}?moved=1`;
    await activate();
    expect(registered().endpoints.map((e) => e.url)).toEqual([harness.webhookUrl]);
    await deactivate();
    expect(registered().endpoints).toEqual([]);
    harness.webhookUrl = oldUrl;
  });

  test('an unknown table or no events fails activation with a clear error and registers nothing', async () => {
    harness = newHarness({ table: rl('nosuchtables', 'id') });
    await expect(activate()).rejects.toThrow(/The table 'nosuchtables' does not exist/);
    harness = newHarness({ events: [] });
    await expect(activate()).rejects.toThrow(/Choose at least one event/);
    expect(registered().endpoints).toEqual([]);
  });
});

describe('deliveries', () => {
  beforeAll(async () => {
    harness = newHarness({ images: 'both', filteringColumns: ['name', 'telephone1'] });
    await activate();
  });
  afterAll(() => deactivate());

  test('create, update and delete each start one execution with the friendly row and the raw context', async () => {
    const from = endpoint.outcomes.length;
    const { id } = await conn.dv.create('accounts', { name: 'Trigger Co', telephone1: '555-0100' });
    await env.emulator.webhooks.idle();
    await conn.dv.update('accounts', id, { name: 'Trigger Co 2' });
    await env.emulator.webhooks.idle();
    await conn.dv.update('accounts', id, { description: 'not a filtering column' });
    await env.emulator.webhooks.idle();
    await conn.dv.delete('accounts', id);
    const outcomes = await deliveredSince(from);

    expect(outcomes.map((o) => [o.status, started(o)])).toEqual([[200, true], [200, true], [200, true]]);
    const [created, updated, deleted] = outcomes.map(itemOf);
    expect(created).toMatchObject({
      event: 'created', table: 'account', id, columns: expect.objectContaining({ name: 'Trigger Co', telephone1: '555-0100' }),
      changedColumns: [], preImage: null, postImage: expect.objectContaining({ name: 'Trigger Co' }),
      userId: expect.stringMatching(GUID), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), operationId: expect.stringMatching(GUID),
      raw: expect.objectContaining({ MessageName: 'Create', PrimaryEntityId: id }),
    });
    expect(updated).toMatchObject({
      event: 'updated', id, columns: expect.objectContaining({ name: 'Trigger Co 2' }),
      preImage: expect.objectContaining({ name: 'Trigger Co' }), postImage: expect.objectContaining({ name: 'Trigger Co 2' }),
    });
    expect(updated.changedColumns).toContain('name');
    expect(updated.changedColumns).not.toContain('description');
    expect(deleted).toMatchObject({ event: 'deleted', id, columns: {}, preImage: expect.objectContaining({ name: 'Trigger Co 2' }), postImage: null });
  });

  test('a replay of a delivered request is answered but starts nothing, also after a restart (static data only)', async () => {
    const from = endpoint.outcomes.length;
    await conn.dv.create('accounts', { name: 'Replay Me' });
    const [original] = await deliveredSince(from);
    expect(started(original)).toBe(true);
    const replay = await runWebhook(node, harness, original.request);
    expect(replay).toMatchObject({ status: 200, result: { webhookResponse: { ignored: 'duplicate' } } });
    expect(started(replay)).toBe(false);
    // A new process (the in-memory list is per node id) still finds the key in the static data.
    const restarted = { ...harness, node: { ...harness.node, id: randomUUID() } };
    expect(started(await runWebhook(node, restarted, original.request))).toBe(false);
    expect(harness.logs.some((l) => l.level === 'info' && /ignored a repeated delivery of Create of account/.test(l.message))).toBe(true);
    expect((harness.staticData.recentDeliveries as string[]).length).toBeGreaterThan(0);
  });

  test('the remembered keys are bounded', async () => {
    const local = { ...harness, node: { ...harness.node, id: randomUUID() }, staticData: { ...harness.staticData, recentDeliveries: [] } };
    const from = endpoint.outcomes.length;
    await conn.dv.create('accounts', { name: 'Bounded' });
    const [sample] = await deliveredSince(from);
    const body = JSON.parse(sample.request.rawBody.toString('utf8'));
    for (let i = 0; i < 230; i++) {
      const variant = Buffer.from(JSON.stringify({ ...body, OperationId: randomUUID() }));
      expect(started(await runWebhook(node, local, { ...sample.request, rawBody: variant }))).toBe(true);
    }
    expect((local.staticData.recentDeliveries as string[]).length).toBe(200);
  });

  const authentic = async (): Promise<IncomingRequest> => {
    const from = endpoint.outcomes.length;
    await conn.dv.create('accounts', { name: `Sample ${randomUUID()}` });
    const [outcome] = await deliveredSince(from);
    return outcome.request;
  };

  test('a missing or wrong secret is refused with 401, logged without the secret, and starts nothing', async () => {
    const request = await authentic();
    const secret = String(harness.staticData.secret);
    const { [DELIVERY_HEADER]: _, ...without } = request.headers;
    const body = Buffer.from(JSON.stringify({ ...JSON.parse(request.rawBody.toString()), OperationId: randomUUID() }));
    const cases = [
      { ...request, headers: without, rawBody: body },
      { ...request, headers: { ...without, [DELIVERY_HEADER]: `${secret}x` }, rawBody: body },
      { ...request, headers: { ...without, [DELIVERY_HEADER]: secret.slice(0, -1) }, rawBody: body },
      { ...request, headers: { ...without, [DELIVERY_HEADER]: [secret, secret] as unknown as string }, rawBody: body },
    ];
    const logsBefore = harness.logs.length;
    for (const forged of cases) {
      const outcome = await runWebhook(node, harness, forged);
      expect(outcome).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
      expect(started(outcome)).toBe(false);
    }
    const lines = harness.logs.slice(logsBefore);
    expect(lines.filter((l) => l.level === 'warn' && /missing or wrong secret/.test(l.message))).toHaveLength(4);
    expect(lines.map((l) => l.message).join('\n')).not.toContain(secret);
    // The same body with the right secret is still accepted: the refusals did not mark it as seen.
    expect(started(await runWebhook(node, harness, { ...request, rawBody: body }))).toBe(true);
  });

  test('a node without a stored secret (never activated) refuses everything', async () => {
    const request = await authentic();
    const blank: TriggerHarness = { ...harness, staticData: {}, logs: [] };
    expect(await runWebhook(node, blank, request)).toMatchObject({ status: 401 });
    expect(blank.logs[0].message).toMatch(/holds no registration secret/);
  });

  test('malformed, hostile and oversize bodies are refused with 400 or 413 and a log line, never a throw', async () => {
    const request = await authentic();
    const deep = '{"MessageName":"Create","PrimaryEntityName":"account","PrimaryEntityId":"x","a":' + '['.repeat(100) + ']'.repeat(100) + '}';
    const cases: [string, Buffer, number, RegExp][] = [
      ['not JSON', Buffer.from('{"MessageName": '), 400, /not JSON/],
      ['not a context', Buffer.from('{"hello":"world"}'), 400, /MessageName is missing/],
      ['an array', Buffer.from('[1,2,3]'), 400, /must be a JSON object/],
      ['too deep', Buffer.from(deep), 400, /deeper than 64/],
      ['a prototype key', Buffer.from('{"MessageName":"Create","PrimaryEntityName":"account","PrimaryEntityId":"x","__proto__":{"polluted":true}}'), 400, /__proto__/],
      ['oversize', Buffer.from(JSON.stringify({ MessageName: 'Create', pad: 'x'.repeat(1024 * 1024) })), 413, /more than the 1048576 allowed/],
    ];
    for (const [what, rawBody, status, reason] of cases) {
      const before = harness.logs.length;
      const outcome = await runWebhook(node, harness, { ...request, rawBody });
      expect({ what, status: outcome.status, started: started(outcome) }).toEqual({ what, status, started: false });
      expect(harness.logs.slice(before)).toEqual([{ level: 'warn', message: expect.stringMatching(reason) }]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('Include Raw Context off leaves the raw context out', async () => {
    const request = await authentic();
    const lean = { ...harness, node: { ...harness.node, id: randomUUID() }, staticData: { ...harness.staticData, recentDeliveries: [] }, params: { ...harness.params, options: { includeRaw: false } } };
    const outcome = await runWebhook(node, lean, request);
    expect(itemOf(outcome)).not.toHaveProperty('raw');
    expect(itemOf(outcome)).toMatchObject({ event: 'created', table: 'account' });
  });
});
