/**
 * The Dataverse Changes Trigger in a REAL n8n 2.41.1, across a restart of n8n: every change made while n8n runs
 * and while it is down reaches exactly one execution, none is repeated and none is lost. n8n polls at most once a
 * minute; a workflow's first poll runs when it is activated, which also happens when n8n starts again.
 */
import * as fs from 'node:fs';
import type { DataverseClient } from '../../client/dataverse';
import { ensureN8nInstalled } from '../../scripts/n8n/install';
import { emulatorCredentialData } from '../../scripts/n8n/emulator-credential';
import { PACKAGE_NAME, RunningN8n, startN8n } from '../../scripts/n8n/harness';
import { startDataverse, type DataverseFixture } from '../client/dataverse-setup';

jest.setTimeout(15 * 60_000);

const CRED_TYPE = 'dynamics365AppRegistrationApi';

interface Event {
  changeType: string;
  id: string;
  name?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Dataverse Changes Trigger in real n8n 2.41.1 across a restart', () => {
  let dv: DataverseFixture;
  let client: DataverseClient;
  let n8n: RunningN8n | undefined;
  let userFolder: string | undefined;

  beforeAll(async () => {
    if (process.env.N8N_E2E_INSTALL_ERROR) throw new Error(`n8n install failed in globalSetup: ${process.env.N8N_E2E_INSTALL_ERROR}`);
    await ensureN8nInstalled();
    dv = await startDataverse();
    client = dv.client;
  }, 15 * 60_000);

  afterAll(async () => {
    await n8n?.stop();
    if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
    await dv?.stop();
  }, 60_000);

  /** Every item the trigger emitted so far, over all executions of the workflow, oldest first. */
  const emitted = async (workflowId: string): Promise<Event[]> => {
    const list = await n8n!.api.publicApi('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=250`);
    const executions = [...(list.data ?? [])].sort((a: any, b: any) => Number(a.id) - Number(b.id));
    const events: Event[] = [];
    for (const execution of executions) {
      if (execution.status !== 'success') throw new Error(`execution ${execution.id} ended ${execution.status}: ${JSON.stringify(execution.data?.resultData?.error ?? {}).slice(0, 1000)}`);
      const runs = execution.data?.resultData?.runData?.Changes ?? [];
      for (const run of runs) {
        for (const item of run.data?.main?.[0] ?? []) events.push({ changeType: item.json.changeType, id: item.json.id, ...(item.json.row ? { name: item.json.row.name } : {}) });
      }
    }
    return events;
  };

  /** Waits until the emitted events include all of `expected` (bounded), then a little longer so that repeats would show. */
  const waitFor = async (workflowId: string, expected: Event[]): Promise<Event[]> => {
    const key = (e: Event) => `${e.changeType} ${e.id} ${e.name ?? ''}`;
    const deadline = Date.now() + 150_000;
    for (;;) {
      const got = await emitted(workflowId);
      const have = new Set(got.map(key));
      if (expected.every((e) => have.has(key(e)))) break;
      if (Date.now() > deadline) throw new Error(`still missing ${JSON.stringify(expected.filter((e) => !have.has(key(e))))}; got ${JSON.stringify(got)}`);
      await sleep(1_000);
    }
    await sleep(3_000);
    return emitted(workflowId);
  };

  const create = async (name: string) => (await client.create('accounts', { name })).id;

  it('emits every change once, including those made while n8n was down', async () => {
    n8n = await startN8n({ extraCaFile: dv.emulator.caCertFile, keep: true });
    userFolder = n8n.userFolder;
    const cred = await n8n.api.createCredential(CRED_TYPE, emulatorCredentialData(dv.emulator), 'Dataverse emulator');
    const workflowId = await n8n.api.createWorkflow({
      name: 'changes across a restart',
      nodes: [
        {
          id: 'changes',
          name: 'Changes',
          type: `${PACKAGE_NAME}.dataverseChangesTrigger`,
          typeVersion: 1,
          position: [0, 0],
          parameters: {
            authentication: 'appRegistration',
            pollTimes: { item: [{ mode: 'everyMinute' }] },
            table: { __rl: true, mode: 'list', value: 'account' },
            events: ['newOrUpdated', 'deleted'],
            returnColumns: ['name'],
          },
          credentials: { [CRED_TYPE]: { id: cred.id, name: cred.name } },
        },
      ],
      connections: {},
    });
    await n8n.api.publicApi('POST', `/workflows/${workflowId}/activate`);
    // The activation's first poll only remembers where the table stands; changes count from then on.
    const activatedBy = Date.now() + 60_000;
    for (;;) {
      const workflow = await n8n.api.publicApi('GET', `/workflows/${workflowId}`);
      if (workflow.staticData?.['node:Changes']?.deltaLink) break;
      if (Date.now() > activatedBy) {
        throw new Error(`the first poll did not store a delta token: ${JSON.stringify({ active: workflow.active, staticData: workflow.staticData })}\n${n8n.log().slice(-3000)}`);
      }
      await sleep(500);
    }

    // While n8n runs (the next minute's poll).
    const a1 = await create('A1');
    const a2 = await create('A2');
    const a3 = await create('A3');
    const beforeRestart = await waitFor(workflowId, [
      { changeType: 'newOrUpdated', id: a1, name: 'A1' },
      { changeType: 'newOrUpdated', id: a2, name: 'A2' },
      { changeType: 'newOrUpdated', id: a3, name: 'A3' },
    ]);

    // While n8n is down (a graceful stop, as an upgrade or a host restart does).
    await n8n.stop();
    n8n = undefined;
    const b1 = await create('B1');
    const b2 = await create('B2');
    await client.update('accounts', a2, { name: 'A2 v2' });
    await client.delete('accounts', a3);

    // The same user folder: the workflow is reactivated at start and polls from its stored token.
    n8n = await startN8n({ extraCaFile: dv.emulator.caCertFile, userFolder });
    await waitFor(workflowId, [
      { changeType: 'newOrUpdated', id: b1, name: 'B1' },
      { changeType: 'newOrUpdated', id: b2, name: 'B2' },
      { changeType: 'newOrUpdated', id: a2, name: 'A2 v2' },
      { changeType: 'deleted', id: a3 },
    ]);
    // A later poll of the restarted n8n carries on from there (and repeats nothing before it).
    await client.update('accounts', a1, { name: 'A1 v2' });
    const all = await waitFor(workflowId, [{ changeType: 'newOrUpdated', id: a1, name: 'A1 v2' }]);

    const sortKey = (e: Event) => `${e.id} ${e.changeType} ${e.name ?? ''}`;
    const sorted = (events: Event[]) => [...events].sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
    expect(all.slice(0, beforeRestart.length)).toEqual(beforeRestart);
    expect(sorted(all)).toEqual(
      sorted([
        { changeType: 'newOrUpdated', id: a1, name: 'A1' },
        { changeType: 'newOrUpdated', id: a2, name: 'A2' },
        { changeType: 'newOrUpdated', id: a3, name: 'A3' },
        { changeType: 'newOrUpdated', id: b1, name: 'B1' },
        { changeType: 'newOrUpdated', id: b2, name: 'B2' },
        { changeType: 'newOrUpdated', id: a2, name: 'A2 v2' },
        { changeType: 'deleted', id: a3 },
        { changeType: 'newOrUpdated', id: a1, name: 'A1 v2' },
      ]),
    );
  });
});
