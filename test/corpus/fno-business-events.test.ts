/**
 * Forged, replayed, malformed, oversize and prototype-polluting F&O business event deliveries from
 * test/corpus/fno-business-events, sent to the F&O Business Event Trigger node's webhook() (manual setup with a
 * shared secret): each gets the specific status and reason, starts no execution, records nothing and logs a line
 * without the secret; __proto__ and constructor keys are dropped without polluting anything; a genuine event
 * afterwards still becomes exactly one item.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { IDataObject } from 'n8n-workflow';
import { FnoBusinessEventTrigger } from '../../nodes/FnoBusinessEventTrigger/FnoBusinessEventTrigger.node';
import { runWebhook, type IncomingRequest, type TriggerHarness, type WebhookOutcome } from '../helpers/n8n-webhook-context';
import { sharedPath } from '../helpers/shared';
import { CANARY_SECRET, caseName, corpusCases, corpusFile, corpusFiles, expectNoSecret, fill, type CorpusCase } from './corpus-kit';

const FOLDER = 'fno-business-events';
const cases = corpusCases(FOLDER);
const node = new FnoBusinessEventTrigger();
const GENUINE = JSON.parse(fs.readFileSync(sharedPath('fixtures', 'responses', 'finops', 'business-event-dummy-hexalith-test.json'), 'utf8')) as Record<string, unknown>;
const EVENT = String(GENUINE.BusinessEventId);

let controlNumber = 9_000_000;
function freshEvent(): Record<string, unknown> {
  return { ...GENUINE, EventId: randomUUID().toUpperCase(), ControlNumber: ++controlNumber };
}

function newHarness(): TriggerHarness {
  return {
    node: { id: randomUUID(), name: 'F&O Business Event Trigger', type: 'n8n-nodes-dynamics365.fnoBusinessEventTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    workflowId: `wf${randomUUID().slice(0, 8)}`,
    params: { setup: 'manual', businessEventId: EVENT, legalEntity: '', sharedSecret: CANARY_SECRET, options: {} },
    credentials: {},
    staticData: {},
    webhookUrl: 'http://127.0.0.1:5678/webhook/corpus',
    logs: [],
  };
}

function request(body: Buffer | string, query = `secret=${encodeURIComponent(CANARY_SECRET)}`, headers: IncomingRequest['headers'] = {}): IncomingRequest {
  return { url: `/webhook/corpus${query ? `?${query}` : ''}`, headers: { 'content-type': 'application/json', ...headers }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

const started = (o: WebhookOutcome) => o.result.workflowData !== undefined;
const itemOf = (o: WebhookOutcome) => (o.result.workflowData as { json: IDataObject }[][])[0][0].json;

function generated(name: string): string {
  if (name === 'deep-nesting-40') {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { x: deep };
    return JSON.stringify({ ...freshEvent(), Extra: deep });
  }
  if (name === 'field-flood') return JSON.stringify({ ...freshEvent(), ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, i])) });
  if (name === 'oversize-1mb') return JSON.stringify({ ...freshEvent(), Pad: 'x'.repeat(1024 * 1024) });
  throw new Error(`no generator named ${name}`);
}

async function expectUntouchedThenHealthy(harness: TriggerHarness, before: string, outcomes: WebhookOutcome[], logsBefore: number): Promise<void> {
  expect(outcomes.some(started)).toBe(false);
  expect(JSON.stringify(harness.staticData)).toBe(before);
  expect(harness.logs.length - logsBefore).toBe(outcomes.length);
  expectNoSecret(JSON.stringify(harness.logs) + JSON.stringify(outcomes.map((o) => o.body)), [CANARY_SECRET]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();

  const genuine = freshEvent();
  const ok = await runWebhook(node, harness, request(JSON.stringify(genuine)));
  expect(started(ok)).toBe(true);
  expect(itemOf(ok)).toMatchObject({ businessEventId: EVENT, eventId: genuine.EventId, controlNumber: genuine.ControlNumber });
}

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.filter((c) => c.file).map((c) => c.file).sort());
});

const refusedBodies = cases.filter((c) => c.expect.reason);
test.each(refusedBodies.map((c) => [caseName(c), c] as const))('body %s', async (_name, c: CorpusCase) => {
  const harness = newHarness();
  const before = JSON.stringify(harness.staticData);
  const outcome = await runWebhook(node, harness, request(c.file ? corpusFile(FOLDER, c.file) : generated(c.generate!)));
  expect(outcome.status).toBe(c.expect.status);
  expect((outcome.body as IDataObject).reason).toBe(c.expect.reason);
  expect(harness.logs.at(-1)).toMatchObject({ level: 'warn', message: expect.stringMatching(/refused an event: /) });
  await expectUntouchedThenHealthy(harness, before, [outcome], 0);
});

test('proto-pollution.json: the unsafe keys are dropped, the event is delivered once and nothing is polluted', async () => {
  const c = cases.find((x) => x.file === 'proto-pollution.json')!;
  const harness = newHarness();
  const eventId = randomUUID().toUpperCase();
  const body = fill(corpusFile(FOLDER, 'proto-pollution.json').toString('utf8'), { EVENT_ID: eventId, CONTROL_NUMBER: ++controlNumber });
  const outcome = await runWebhook(node, harness, request(body));
  expect(outcome.status).toBe(c.expect.status);
  expect(started(outcome)).toBe(c.expect.started);
  const item = itemOf(outcome);
  expect(item.eventId).toBe(eventId);
  const data = item.data as IDataObject;
  expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  expect(Object.getPrototypeOf(data.Nested)).toBe(Object.prototype);
  expect(data.Nested).toEqual({ kept: 1 });
  for (const key of c.expect.dropped as string[]) {
    expect(Object.prototype.hasOwnProperty.call(data, key)).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(item.raw, key)).toBe(false);
  }
  expect((data as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
});

test('forged-requests.json: every forgery gets 401 and a log line naming no secret', async () => {
  const c = cases.find((x) => x.file === 'forged-requests.json')!;
  const text = fill(corpusFile(FOLDER, 'forged-requests.json').toString('utf8'), { SECRET: CANARY_SECRET, SECRET_SHORT: CANARY_SECRET.slice(0, -1) });
  const forgeries = JSON.parse(text) as { forgery: string; query: string; headers?: IncomingRequest['headers'] }[];
  const harness = newHarness();
  const before = JSON.stringify(harness.staticData);
  const outcomes: WebhookOutcome[] = [];
  for (const f of forgeries) {
    const outcome = await runWebhook(node, harness, request(JSON.stringify(freshEvent()), f.query, f.headers));
    expect({ forgery: f.forgery, status: outcome.status, body: outcome.body }).toEqual({ forgery: f.forgery, status: c.expect.status, body: c.expect.body });
    outcomes.push(outcome);
  }
  expect(harness.logs.every((l) => l.message.includes(String(c.expect.log)))).toBe(true);
  await expectUntouchedThenHealthy(harness, before, outcomes, 0);
});

test('replays.json: every replay of a delivered event is ignored as a duplicate', async () => {
  const c = cases.find((x) => x.file === 'replays.json')!;
  expect(JSON.parse(corpusFile(FOLDER, 'replays.json').toString('utf8'))).toHaveLength(3);
  const harness = newHarness();
  const event = freshEvent();
  const bytes = JSON.stringify(event);
  const first = await runWebhook(node, harness, request(bytes));
  expect(started(first)).toBe(true);
  const recorded = JSON.stringify(harness.staticData);
  const variants = [
    request(bytes),
    request(JSON.stringify({ ...event, EventId: `{${String(event.EventId).toLowerCase()}}` })),
    request(JSON.stringify({ ...event, EventId: randomUUID().toUpperCase() })),
  ];
  const logsBefore = harness.logs.length;
  const outcomes: WebhookOutcome[] = [];
  for (const variant of variants) {
    const outcome = await runWebhook(node, harness, variant);
    expect({ status: outcome.status, body: outcome.body }).toEqual({ status: c.expect.status, body: c.expect.body });
    outcomes.push(outcome);
  }
  expect(harness.logs.slice(logsBefore).every((l) => l.message.includes(String(c.expect.log)))).toBe(true);
  await expectUntouchedThenHealthy(harness, recorded, outcomes, logsBefore);
});
