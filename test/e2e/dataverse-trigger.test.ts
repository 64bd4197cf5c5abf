/**
 * The Dataverse Trigger (webhook) in a REAL n8n 2.41.1 against the emulator: activation through the public API
 * registers exactly one webhook pointing at n8n's production URL; rows created, updated and deleted in the emulator
 * are POSTed by it to n8n and start executions with the expected items; forged and repeated deliveries start none;
 * deactivation leaves no registration and re-activation makes exactly one again; after an n8n restart on another port
 * the registration is kept once, the saved secret still admits deliveries, and deactivation removes it by its saved id.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { connectDataverse, type DataverseConnection } from '../../client/connect';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { emulatorCredentialData } from '../../scripts/n8n/emulator-credential';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { PACKAGE_NAME, RunningN8n, startN8n } from '../../scripts/n8n/harness';

jest.setTimeout(15 * 60_000);

const CRED_TYPE = 'dynamics365AppRegistrationApi';
const TRIGGER = 'Dataverse Trigger';
const HEADER = 'x-n8n-dataverse-secret';
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

describe('Dataverse Trigger in real n8n 2.41.1 against the emulator', () => {
  let emulator: RunningEmulator;
  let n8n: RunningN8n;
  let dv: DataverseConnection;
  let workflowId: string;
  let userFolder: string | undefined;
  const webhookId = randomUUID();

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
    emulator = await startEmulator({ limits: 'off' });
    n8n = await startN8n({ extraCaFile: emulator.caCertFile, keep: true });
    userFolder = n8n.userFolder;
    dv = connectDataverse({
      environmentUrl: emulator.dataverseUrl,
      ca: emulator.caCertPem,
      credentials: { kind: 'secret', authorityUrl: emulator.authorityUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    });
    const cred = await n8n.api.createCredential(CRED_TYPE, emulatorCredentialData(emulator), 'Dataverse emulator');
    workflowId = await n8n.api.createWorkflow({
      name: 'Dataverse Trigger e2e',
      nodes: [
        {
          id: 'trigger',
          name: TRIGGER,
          type: `${PACKAGE_NAME}.dataverseTrigger`,
          typeVersion: 1,
          position: [0, 0],
          webhookId,
          parameters: {
            authentication: 'appRegistration',
            table: { __rl: true, mode: 'list', value: 'contacts' },
            events: ['created', 'updated', 'deleted'],
            filteringColumns: ['lastname', 'emailaddress1'],
            images: 'both',
            options: {},
          },
          credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
        },
      ],
      connections: {},
    });
  }, 15 * 60_000);

  afterAll(async () => {
    if (workflowId) await n8n?.api.publicApi('POST', `/workflows/${workflowId}/deactivate`).catch(() => undefined);
    dv?.close();
    await n8n?.stop();
    await emulator?.stop();
    if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
  }, 60_000);

  const hookUrl = () => `${n8n.url}/webhook/${webhookId}/webhook`;
  const rows = (table: string) => [...emulator.service.store.rows(table).values()];
  /** This workflow's registration as the emulator stores it. */
  const registration = () => {
    const endpoints = rows('serviceendpoint').filter((e) => String(e.name).startsWith(`n8n ${workflowId} `));
    const ids = new Set(endpoints.map((e) => e.serviceendpointid));
    const steps = rows('sdkmessageprocessingstep').filter((s) => ids.has(s._eventhandler_value));
    const stepIds = new Set(steps.map((s) => s.sdkmessageprocessingstepid));
    return { endpoints, steps, images: rows('sdkmessageprocessingstepimage').filter((i) => stepIds.has(i._sdkmessageprocessingstepid_value)) };
  };
  const secret = () => /value="([^"]+)"/.exec(String(registration().endpoints[0].authvalue))![1];

  const executions = async (): Promise<any[]> => {
    const list = await n8n.api.publicApi('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=100`);
    return [...(list.data ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  };
  const finished = (e: any) => e.finished || ['success', 'error', 'crashed', 'canceled'].includes(e.status);
  /** Waits until exactly `count` executions exist and all have finished. */
  const executionsUntil = (count: number) =>
    waitFor(`${count} finished executions`, async () => {
      const list = await executions();
      if (list.length > count) throw new Error(`expected ${count} executions, found ${list.length}`);
      return list.length === count && list.every(finished) ? list : undefined;
    });
  const itemOf = (execution: any) => execution.data.resultData.runData[TRIGGER][0].data.main[0][0].json;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) });

  /** Activates and waits until both the registration and n8n's webhook are live (a request without secret gets 401, not 404). */
  const activate = async () => {
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/activate`);
    await waitFor('the registration', () => (registration().steps.length === 3 ? true : undefined));
    await waitFor('the live webhook', async () => {
      const res = await post({});
      await res.text();
      return res.status === 404 ? undefined : res.status;
    });
  };

  test('activation registers one webhook at the production URL; row changes start executions; forged and repeated deliveries start none', async () => {
    await activate();
    const reg = registration();
    expect(reg.endpoints).toHaveLength(1);
    expect(reg.endpoints[0]).toMatchObject({ url: hookUrl(), contract: 8, authtype: 5 });
    expect(reg.steps.map((s) => s.filteringattributes).sort()).toEqual(['emailaddress1,lastname', null, null]);
    expect(reg.images).toHaveLength(4);
    expect(await executions()).toHaveLength(0); // the 401 probes of activate() started nothing

    const { id } = await dv.create('contacts', { firstname: 'Ada', lastname: 'Hook' });
    const [created] = await executionsUntil(1);
    expect(created.status).toBe('success');
    expect(itemOf(created)).toMatchObject({
      event: 'created', table: 'contact', id,
      columns: expect.objectContaining({ firstname: 'Ada', lastname: 'Hook' }),
      postImage: expect.objectContaining({ lastname: 'Hook' }), preImage: null,
      raw: expect.objectContaining({ MessageName: 'Create', PrimaryEntityName: 'contact', PrimaryEntityId: id }),
    });

    await dv.update('contacts', id, { lastname: 'Hooked' });
    const [, updated] = await executionsUntil(2);
    expect(itemOf(updated)).toMatchObject({
      event: 'updated', id, columns: expect.objectContaining({ lastname: 'Hooked' }),
      preImage: expect.objectContaining({ lastname: 'Hook' }), postImage: expect.objectContaining({ lastname: 'Hooked' }),
    });
    expect(itemOf(updated).changedColumns).toContain('lastname');

    // Not a filtering column: Dataverse sends nothing, so the delete below is the third execution.
    await dv.update('contacts', id, { jobtitle: 'Engineer' });
    await dv.delete('contacts', id);
    const [, , deleted] = await executionsUntil(3);
    expect(itemOf(deleted)).toMatchObject({ event: 'deleted', id, columns: {}, preImage: expect.objectContaining({ lastname: 'Hooked' }), postImage: null });

    // Forged: no secret, a wrong one. Refused before any execution is created.
    const raw = itemOf(created).raw;
    const forged = { ...raw, OperationId: randomUUID() };
    for (const headers of [{}, { [HEADER]: 'not-the-secret' }, { [HEADER]: `${secret()}x` }] as Record<string, string>[]) {
      const res = await post(forged, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(await executions()).toHaveLength(3);
    await waitFor('the refusal in the log', () => (/refused a delivery with a missing or wrong secret/.test(n8n.log()) ? true : undefined));
    expect(n8n.log()).not.toContain(secret());

    // Replays: the create as delivered, and a new payload sent twice. Only the first copy of the new one runs.
    const replay = await post(raw, { [HEADER]: secret() });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ ignored: 'duplicate' });
    const fresh = { ...raw, OperationId: randomUUID(), CorrelationId: randomUUID() };
    expect((await post(fresh, { [HEADER]: secret() })).status).toBe(200);
    const again = await post(fresh, { [HEADER]: secret() });
    expect(await again.json()).toEqual({ ignored: 'duplicate' });
    const list = await executionsUntil(4);
    expect(itemOf(list[3]).operationId).toBe(fresh.OperationId);

    // Malformed and oversize bodies with the right secret: refused, nothing started.
    const malformed = await fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'text/plain', [HEADER]: secret() }, body: '{"MessageName": ' });
    expect(malformed.status).toBe(400);
    const oversize = await post({ ...fresh, OperationId: randomUUID(), pad: 'x'.repeat(1_100_000) }, { [HEADER]: secret() });
    expect(oversize.status).toBe(413);
    expect(await executions()).toHaveLength(4);
  });

  test('deactivation removes the registration; re-activation makes exactly one again; events after deactivation start nothing', async () => {
    const before = (await executions()).length;
    const first = registration().endpoints[0].serviceendpointid;
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/deactivate`);
    await waitFor('the registration to be removed', () => (registration().endpoints.length === 0 ? true : undefined));
    expect(registration()).toEqual({ endpoints: [], steps: [], images: [] });

    await dv.create('contacts', { lastname: 'While inactive' });
    await emulator.webhooks.idle();
    expect(await executions()).toHaveLength(before);

    await activate();
    await activate(); // activating an active workflow again changes nothing
    const reg = registration();
    expect(reg.endpoints).toHaveLength(1);
    expect(reg.endpoints[0].serviceendpointid).not.toBe(first);
    expect(reg.steps).toHaveLength(3);
    expect(reg.images).toHaveLength(4);

    const { id } = await dv.create('contacts', { lastname: 'After reactivation' });
    const list = await executionsUntil(before + 1);
    expect(itemOf(list[before])).toMatchObject({ event: 'created', id });

    await n8n.api.publicApi('POST', `/workflows/${workflowId}/deactivate`);
    await waitFor('the registration to be removed', () => (registration().endpoints.length === 0 ? true : undefined));
    expect(rows('serviceendpoint').filter((e) => String(e.url).startsWith(n8n.url))).toEqual([]);
  });

  test('across an n8n restart on another port: one registration kept, deliveries accepted with the saved secret, deactivation removes it by its saved id', async () => {
    await activate();
    const before = registration().endpoints;
    expect(before).toHaveLength(1);
    const count = (await executions()).length;
    await n8n.stop();
    n8n = await startN8n({ extraCaFile: emulator.caCertFile, userFolder });
    expect(before[0].url).not.toBe(hookUrl());
    // n8n runs webhookMethods only when a workflow is activated, not when it starts with it already active.
    expect(registration().endpoints.map((e) => e.serviceendpointid)).toEqual([before[0].serviceendpointid]);

    // The restarted node checks deliveries against the secret in its static data.
    const { id } = await dv.create('contacts', { lastname: 'Delivered by hand' });
    const body = { MessageName: 'Create', PrimaryEntityName: 'contact', PrimaryEntityId: id, OperationId: randomUUID(), InputParameters: [] };
    await waitFor('the live webhook', async () => {
      const res = await post(body, { [HEADER]: `${secret()}x` });
      await res.text();
      return res.status === 404 ? undefined : res.status;
    });
    expect((await post(body, { [HEADER]: secret() })).status).toBe(200);
    const list = await executionsUntil(count + 1);
    expect(itemOf(list[count])).toMatchObject({ event: 'created', table: 'contact', id });

    // Deactivating with the new URL still removes the endpoint registered under the old one (its id was saved).
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/deactivate`);
    await waitFor('the registration to be removed', () => (registration().endpoints.length === 0 ? true : undefined));
    await activate();
    expect(registration().endpoints.map((e) => e.url)).toEqual([hookUrl()]);
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/deactivate`);
    await waitFor('the registration to be removed', () => (registration().endpoints.length === 0 ? true : undefined));
    expect(rows('serviceendpoint').filter((e) => String(e.name).startsWith(`n8n ${workflowId} `))).toEqual([]);
  });
});
