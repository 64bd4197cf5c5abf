/**
 * Recurring integrations through FnoClient against the emulator: enqueue rows to an import job and follow the
 * message to Processed, dequeue / download / ack the packages of an export job, and the errors of bad activity ids.
 */
import { D365Error } from '../../client/http/errors';
import { createPipeline } from '../../client/http/pipeline';
import { createNodeTransport } from '../../client/http/transport';
import type { HttpRequest } from '../../client/http/types';
import { buildPackage, FnoClient, readPackage, type DequeuedMessage } from '../../client/fno';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { FnoExtensionFactory } from '../../emulator/fno';
import { dataManagementExtension, type DataManagementExtension } from '../../emulator/fno/dmf';
import { recurringIntegrationsExtension, type RecurringIntegrationsExtension } from '../../emulator/fno/recurring';
import { appToken } from '../helpers/emulator';

let emulator: RunningEmulator;
let wire: HttpRequest[];
let client: FnoClient;
let dm: DataManagementExtension['runtime'];
let ri: RecurringIntegrationsExtension['runtime'];
let closeAll: () => void;

/** Mounted through the extensions option when the emulator does not mount them by itself. */
async function startWithRecurring(): Promise<RunningEmulator> {
  const first = await startEmulator({ limits: 'off' });
  const names = new Set(first.fno?.extensions.map((e) => e.name));
  if (names.has('data-management') && names.has('recurring-integrations')) return first;
  await first.stop();
  const extensions: FnoExtensionFactory[] = [];
  if (!names.has('data-management')) extensions.push(dataManagementExtension({ queuedMs: 100, executingMs: 200 }));
  if (!names.has('recurring-integrations')) extensions.push(recurringIntegrationsExtension());
  return startEmulator({ limits: 'off', fno: { extensions } });
}

beforeAll(async () => {
  emulator = await startWithRecurring();
  const fnoUrl = emulator.fnoUrl!;
  dm = (emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime;
  ri = (emulator.fno!.extensions.find((e) => e.name === 'recurring-integrations') as RecurringIntegrationsExtension).runtime;
  const token = await appToken(emulator, fnoUrl);
  const transport = createNodeTransport({ ca: emulator.caCertPem });
  const pipeline = createPipeline({
    environmentUrl: fnoUrl,
    tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 3_600_000 }), invalidate: () => undefined },
    transport: (request) => {
      wire.push(request);
      return transport(request);
    },
    retry: { maxAttempts: 1 },
    service: 'fno',
  });
  client = new FnoClient({ environmentUrl: fnoUrl, send: pipeline.send });
  closeAll = () => {
    pipeline.close();
    transport.close();
  };
});
afterAll(async () => {
  closeAll?.();
  await emulator?.stop();
});
beforeEach(() => {
  wire = [];
});

const wait = { timeBudgetMs: 60_000, initialDelayMs: 100, maxDelayMs: 500 };

test('rows enqueued to an import job are imported; the message and its job status say so', async () => {
  const activity = ri.defineJob({ direction: 'import', definitionGroupId: 'RI-Groups-Import', company: 'ussu' });
  const rows = Array.from({ length: 25 }, (_, i) => ({ CustomerGroupId: `RI-${i}`, Description: `Recurring, "${i}"`, IsSalesTaxIncludedInPrice: i % 2 ? 'Yes' : 'No' }));
  const messageId = await client.enqueueRows(activity, rows, { entity: 'CustomerGroups', company: 'ussu', externalId: 'batch-42' });
  expect(messageId).toMatch(/^\{?[0-9A-F-]{36}\}?$/i);
  const enqueueCall = wire.find((r) => r.url.includes('/api/connector/enqueue/'))!;
  expect(enqueueCall.url).toContain(`/api/connector/enqueue/${encodeURIComponent(activity)}?entity=CustomerGroups&company=ussu`);
  expect(enqueueCall.headers['x-ms-dyn-externalidentifier']).toBe('batch-42');

  expect(await client.waitForMessage(messageId, wait)).toBe('Processed');
  const status = await client.jobStatus(activity, messageId);
  expect(status.DataJobStatus).toMatchObject({ DataJobIdentifier: expect.stringContaining(messageId.replace(/[{}]/g, '')), ExternalIdentifier: 'batch-42', DataJobState: 'Processed' });
  expect(status.ExecutionDetail[0]).toMatchObject({ Company: 'ussu', TargetRecords: 25, TargetErrorCount: 0 });
  const imported = await client.list('CustomerGroups', { filter: "startswith(CustomerGroupId,'RI-')", select: ['CustomerGroupId', 'Description'] }, { company: 'ussu' });
  expect(imported.rows).toHaveLength(25);
  expect(imported.rows.find((r) => r.CustomerGroupId === 'RI-7')?.Description).toBe('Recurring, "7"');
});

test('a package with a bad row is processed with errors, and a file that is not a package fails before processing', async () => {
  const activity = ri.defineJob({ direction: 'import', definitionGroupId: 'RI-Mixed', company: 'usmf' });
  const pkg = buildPackage({
    definitionGroupId: 'RI-Mixed',
    entities: [{ entityName: 'CustomerGroups', rows: [{ CustomerGroupId: 'RM-1', IsSalesTaxIncludedInPrice: 'No' }, { CustomerGroupId: 'RM-2', IsSalesTaxIncludedInPrice: 'Perhaps' }] }],
  });
  const mixed = await client.enqueue(activity, pkg);
  expect(await client.waitForMessage(mixed, wait)).toBe('ProcessedWithErrors');
  const detail = await client.jobStatus(activity, mixed);
  expect(detail.ExecutionDetail[0]).toMatchObject({ TargetRecords: 1, TargetErrorCount: 1 });
  expect(detail.ExecutionLog).toMatch(/Perhaps/);

  const junk = await client.enqueue(activity, Buffer.from('this is not a zip'));
  expect(await client.waitForMessage(junk, wait)).toBe('PreProcessingError');
});

test('an export job hands out its package through dequeue, download and ack', async () => {
  dm.defineDataProject('RI-Groups-Export', 'Export', ['CustomerGroups']);
  const activity = ri.defineJob({ direction: 'export', definitionGroupId: 'RI-Groups-Export', company: 'demf', recurrenceMs: 3_600_000 });
  let message: DequeuedMessage | undefined;
  // The first dequeue starts the job's run; poll (bounded) until its package is ready.
  const deadline = Date.now() + 60_000;
  while (!message && Date.now() < deadline) {
    message = await client.dequeue(activity);
    if (!message) await new Promise((resolve) => setTimeout(resolve, 150));
  }
  expect(message).toBeDefined();
  expect(message!.PopReceipt).toBeTruthy();
  const zip = await client.downloadMessage(message!);
  const opened = readPackage(zip);
  const groups = opened.entities[0].rows.map((r) => r.CUSTOMERGROUPID);
  const expected = (await client.list('CustomerGroups', { select: ['CustomerGroupId'] }, { company: 'demf' })).rows.map((r) => r.CustomerGroupId);
  expect(expected.length).toBeGreaterThan(0);
  expect([...groups].sort()).toEqual([...expected].sort());
  expect(wire.find((r) => r.url.includes('/api/connector/download/'))?.headers.authorization).toMatch(/^Bearer /);
  wire = [];

  await client.ack(activity, message!);
  expect(await client.messageStatus(message!.CorrelationId)).toBe('Acked');
  // Acked: it is not handed out again, and no new run is due within the recurrence.
  expect(await client.dequeue(activity)).toBeUndefined();
});

test('a download location on another host is refused; bad and unknown activity ids are clear errors', async () => {
  const fake: DequeuedMessage = { CorrelationId: '{00000000-0000-0000-0000-000000000001}', PopReceipt: 'x', DownloadLocation: 'https://evil.example/api/connector/download/x', LastDequeueDateTime: '' };
  await expect(client.downloadMessage(fake)).rejects.toMatchObject({ code: 'OriginMismatch' });
  expect(wire).toHaveLength(0);

  await expect(client.dequeue('not-a-guid')).rejects.toThrow(/is not a GUID/);
  const unknown = await client.dequeue('{6D31E09F-0249-459F-94F0-AAD9C2C47B64}').catch((e: D365Error) => e);
  expect(unknown).toBeInstanceOf(D365Error);
  expect((unknown as D365Error).status).toBe(404);
  expect((unknown as D365Error).message).toMatch(/No recurring data job with the activity id \{6D31E09F-0249-459F-94F0-AAD9C2C47B64\}/);
});
