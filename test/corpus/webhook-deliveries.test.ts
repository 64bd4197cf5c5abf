/**
 * Forged, replayed, malformed, oversize and prototype-polluting Dataverse webhook deliveries from
 * test/corpus/webhook-deliveries, sent to the Dataverse Trigger node's webhook(): each is answered with the specific
 * status and reason, starts no execution, writes nothing to the node's static data and logs one line without the
 * secret; a genuine delivery afterwards still becomes exactly one item, so nothing is lost.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { IDataObject } from 'n8n-workflow';
import { DataverseTrigger } from '../../nodes/DataverseTrigger/DataverseTrigger.node';
import { DELIVERY_HEADER } from '../../nodes/DataverseTrigger/registration';
import { runWebhook, type IncomingRequest, type TriggerHarness, type WebhookOutcome } from '../helpers/n8n-webhook-context';
import { sharedPath } from '../helpers/shared';
import { CANARY_SECRET, caseName, corpusCases, corpusFile, corpusFiles, expectNoSecret, fill, type CorpusCase } from './corpus-kit';

const FOLDER = 'webhook-deliveries';
const cases = corpusCases(FOLDER);
const node = new DataverseTrigger();
const GENUINE = JSON.parse(
  fs.readFileSync(sharedPath('fixtures', 'responses', 'dataverse', 'docs', 'webhook_remoteexecutioncontext_update_contact.json'), 'utf8'),
) as Record<string, unknown>;

function newHarness(): TriggerHarness {
  return {
    node: { id: randomUUID(), name: 'Dataverse Trigger', type: 'n8n-nodes-dynamics365.dataverseTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    workflowId: `wf${randomUUID().slice(0, 8)}`,
    params: { options: {} },
    credentials: {},
    staticData: { secret: CANARY_SECRET, serviceEndpointId: randomUUID() },
    webhookUrl: 'http://127.0.0.1:5678/webhook/corpus',
    logs: [],
  };
}

/** A genuine context of a new operation (new ids), so that it is not a repeat of an earlier one. */
function freshContext(): Record<string, unknown> {
  return { ...GENUINE, OperationId: randomUUID(), CorrelationId: randomUUID(), RequestId: randomUUID() };
}

function request(body: Buffer | string, headers: IncomingRequest['headers'] = { [DELIVERY_HEADER]: CANARY_SECRET }, url = '/webhook/corpus'): IncomingRequest {
  return { url, headers: { 'content-type': 'application/json', ...headers }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

const started = (o: WebhookOutcome) => o.result.workflowData !== undefined;
const itemOf = (o: WebhookOutcome) => (o.result.workflowData as { json: IDataObject }[][])[0][0].json;

function generated(name: string): string {
  if (name === 'deep-nesting-200') {
    let deep: unknown = freshContext();
    for (let i = 0; i < 200; i++) deep = { x: deep };
    return JSON.stringify({ ...freshContext(), Extra: deep });
  }
  if (name === 'bracket-bomb') return '['.repeat(100_000);
  if (name === 'oversize-2mb') return JSON.stringify({ ...freshContext(), Pad: 'x'.repeat(2 * 1024 * 1024) });
  throw new Error(`no generator named ${name}`);
}

/** Nothing was recorded or started, one line was logged, no secret anywhere; then a genuine delivery goes through. */
async function expectUntouchedThenHealthy(harness: TriggerHarness, before: string, outcomes: WebhookOutcome[], logsBefore: number): Promise<void> {
  expect(outcomes.some(started)).toBe(false);
  expect(JSON.stringify(harness.staticData)).toBe(before);
  expect(harness.logs.length - logsBefore).toBe(outcomes.length);
  expect(harness.logs.slice(logsBefore).every((l) => l.level === 'warn' || l.level === 'info')).toBe(true);
  expectNoSecret(JSON.stringify(harness.logs) + JSON.stringify(outcomes.map((o) => o.body)), [CANARY_SECRET]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();

  const genuine = freshContext();
  const ok = await runWebhook(node, harness, request(JSON.stringify(genuine)));
  expect(started(ok)).toBe(true);
  expect(itemOf(ok)).toMatchObject({ event: 'updated', table: 'contact', id: '6d81597f-0f9f-e711-8122-000d3aa2331c', operationId: genuine.OperationId });
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.filter((c) => c.file).map((c) => c.file).sort());
});

const bodyCases = cases.filter((c) => c.file !== 'forged-requests.json' && c.file !== 'replays.json');
test.each(bodyCases.map((c) => [caseName(c), c] as const))('body %s', async (_name, c: CorpusCase) => {
  const harness = newHarness();
  const before = JSON.stringify(harness.staticData);
  const body = c.file ? corpusFile(FOLDER, c.file) : generated(c.generate!);
  const outcome = await runWebhook(node, harness, request(body));
  expect(outcome.status).toBe(c.expect.status);
  expect((outcome.body as IDataObject).reason).toBe(c.expect.reason);
  expect(harness.logs.at(-1)?.message).toMatch(/refused a delivery: /);
  await expectUntouchedThenHealthy(harness, before, [outcome], 0);
});

test('forged-requests.json: every forgery gets 401 and a log line naming no secret', async () => {
  const c = cases.find((x) => x.file === 'forged-requests.json')!;
  const forgeries = JSON.parse(fill(corpusFile(FOLDER, 'forged-requests.json').toString('utf8'), { SECRET: CANARY_SECRET, SECRET_UPPER: CANARY_SECRET.toUpperCase() })) as {
    forgery: string;
    url?: string;
    headers: IncomingRequest['headers'];
  }[];
  const harness = newHarness();
  const before = JSON.stringify(harness.staticData);
  const outcomes: WebhookOutcome[] = [];
  for (const f of forgeries) {
    const outcome = await runWebhook(node, harness, request(JSON.stringify(freshContext()), f.headers, f.url));
    expect({ forgery: f.forgery, status: outcome.status, body: outcome.body }).toEqual({ forgery: f.forgery, status: c.expect.status, body: c.expect.body });
    outcomes.push(outcome);
  }
  expect(harness.logs.every((l) => l.message.includes(String(c.expect.log)))).toBe(true);
  await expectUntouchedThenHealthy(harness, before, outcomes, 0);
});

test('replays.json: every replay of a delivered context is ignored as a duplicate; the one item stays one', async () => {
  const c = cases.find((x) => x.file === 'replays.json')!;
  const replays = JSON.parse(corpusFile(FOLDER, 'replays.json').toString('utf8')) as { replay: string }[];
  expect(replays).toHaveLength(3);
  const harness = newHarness();
  const context = freshContext();
  const bytes = JSON.stringify(context);
  const first = await runWebhook(node, harness, request(bytes));
  expect(started(first)).toBe(true);
  const recorded = JSON.stringify(harness.staticData);

  const reordered = JSON.stringify(Object.fromEntries(Object.entries(context).reverse()), null, 3);
  const variants = [
    request(bytes),
    request(reordered),
    request(bytes, { 'user-agent': 'replayer/1.0', [DELIVERY_HEADER]: CANARY_SECRET, 'x-ms-dynamics-msg-keyname': 'corpus' }),
  ];
  const logsBefore = harness.logs.length;
  const outcomes: WebhookOutcome[] = [];
  for (const variant of variants) {
    const outcome = await runWebhook(node, harness, variant);
    expect({ status: outcome.status, body: outcome.body }).toEqual({ status: c.expect.status, body: c.expect.body });
    outcomes.push(outcome);
  }
  expect(harness.logs.slice(logsBefore).every((l) => l.message.includes(String(c.expect.log)))).toBe(true);
  // A duplicate changes nothing; a new operation on the same row is not a duplicate.
  await expectUntouchedThenHealthy(harness, recorded, outcomes, logsBefore);
});
