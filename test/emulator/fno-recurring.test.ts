/**
 * Recurring integrations over real HTTPS with an F&O token: enqueue of a file (with ?entity=) and of a package,
 * the quoted message id, jobstatus (DataJobStatusDetail) as the job progresses on the emulator clock, a broken
 * package as PreProcessError, and an export job's dequeue/download/ack handshake with the 30-minute reappearance.
 */
import { dataManagementExtension } from '../../emulator/fno/dmf';
import { recurringIntegrationsExtension, type RecurringIntegrationsExtension } from '../../emulator/fno/recurring';
import { writeCsv, parseCsv } from '../../emulator/fno/package/csv';
import { writeHeader, writeManifest } from '../../emulator/fno/package/descriptors';
import { readZip } from '../../emulator/fno/zip/zip-reader';
import { writeZip } from '../../emulator/fno/zip/zip-writer';
import { appToken, useFnoApi } from '../helpers/emulator';

let clock = Date.now();
const IMPORT_JOB = '{6D31E09F-0249-459F-94F0-AAD9C2C47B64}';
const f = useFnoApi({ now: () => clock, fno: { extensions: [dataManagementExtension(), recurringIntegrationsExtension()] } });
/** The runtimes that answer (the first mounted, should the listener already mount them itself). */
const ri = () => (f.emulator.fno!.extensions.find((e) => e.name === 'recurring-integrations') as RecurringIntegrationsExtension).runtime;
beforeAll(() => {
  ri().dm.configure({ queuedMs: 1_000, executingMs: 2_000 });
  ri().defineJob({ activityId: IMPORT_JOB, direction: 'import', definitionGroupId: 'GroupsImport' });
});

let token: string | undefined;
async function advance(ms: number) {
  clock += ms;
  token = await appToken(f.emulator, f.fnoUrl);
}
const call = (method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}) => f.call(method, path, { ...options, token });
const encoded = (id: string) => encodeURIComponent(id);

async function jobStatus(activity: string, jobId: string) {
  const res = await call('GET', `api/connector/jobstatus/${encoded(activity)}?jobId=${encodeURIComponent(jobId)}`);
  expect(res.status).toBe(200);
  return res.json;
}

describe('import jobs: enqueue and jobstatus', () => {
  test('a CSV file enqueued with ?entity= is imported; the message id comes back as a quoted string', async () => {
    const csv = writeCsv([['CUSTOMERGROUPID', 'DESCRIPTION', 'PAYMENTTERMID'], ['RI-1', 'Recurring one', 'Net30'], ['RI-2', 'Recurring two', 'Net10']]);
    const res = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}?entity=${encodeURIComponent('Customer Groups')}&company=USSU`, {
      body: csv, headers: { 'content-type': 'application/octet-stream', 'x-ms-dyn-externalidentifier': 'batch-0001' },
    });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^"\{[0-9A-F-]{36}\}"$/);
    const messageId: string = res.json;

    const first = await jobStatus(IMPORT_JOB, messageId);
    expect(first.DataJobStatus).toMatchObject({ DataProject: 'GroupsImport', DataJobIdentifier: messageId, ExternalIdentifier: 'batch-0001', DataJobState: 'Enqueued', DataJobCompletedDateTime: '1900-01-01T00:00:00Z' });
    await advance(1_500);
    expect((await jobStatus(IMPORT_JOB, messageId)).DataJobStatus.DataJobState).toBe('InProcess');
    await advance(2_000);
    const done = await jobStatus(IMPORT_JOB, messageId);
    expect(done.DataJobStatus.DataJobState).toBe('Processed');
    expect(done.ExecutionDetail).toEqual([expect.objectContaining({ EntityName: 'Customer Groups', Company: 'ussu', StagingRecords: 2, TargetRecords: 2, TargetErrorCount: 0, TargetStatus: 'Finished' })]);
    expect(f.emulator.fno!.service.store.get('CustomerGroups', { dataAreaId: 'ussu', CustomerGroupId: 'RI-2' })?.row.Description).toBe('Recurring two');

    const status = await call('POST', 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetMessageStatus', { body: JSON.stringify({ messageId }), headers: { 'content-type': 'application/json' } });
    expect(status.json.value).toBe('Processed');
  });

  test('a package is enqueued without ?entity=; row errors give ProcessedWithErrors and an execution log', async () => {
    const pkg = writeZip([
      { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: 'GroupsImport', description: '', entities: [{ entityName: 'CustomerGroups', inputFilePath: 'groups.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) },
      { name: 'PackageHeader.xml', data: writeHeader('groups') },
      { name: 'groups.csv', data: writeCsv([['CUSTOMERGROUPID', 'DESCRIPTION', 'ISSALESTAXINCLUDEDINPRICE'], ['RI-3', 'ok', 'No'], ['RI-4', 'bad', 'Perhaps']]) },
    ]);
    const res = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}`, { body: pkg });
    expect(res.status).toBe(200);
    await advance(3_500);
    const done = await jobStatus(IMPORT_JOB, res.json);
    expect(done.DataJobStatus.DataJobState).toBe('ProcessedWithErrors');
    expect(done.ExecutionDetail[0]).toMatchObject({ Company: 'usmf', TargetRecords: 1, TargetErrorCount: 1, TargetStatus: 'Error' });
    expect(done.ExecutionLog).toContain("line 3: The value 'Perhaps' of field IsSalesTaxIncludedInPrice");
  });

  test('a broken package is a pre-processing error', async () => {
    const res = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}`, { body: Buffer.from('not a zip') });
    await advance(3_500);
    const done = await jobStatus(IMPORT_JOB, res.json);
    expect(done.DataJobStatus.DataJobState).toBe('PreProcessError');
    expect(done.ExecutionLog).toContain('not a valid ZIP archive');
  });

  test('bad activity ids, unknown jobs, empty bodies, unknown entities and wrong directions are refused clearly', async () => {
    const notGuid = await call('POST', 'api/connector/enqueue/not-a-guid?entity=CustomerGroups', { body: 'x' });
    expect(notGuid.status).toBe(400);
    expect(notGuid.json.error.innererror.message).toContain("is not a GUID");
    const unknown = await call('POST', `api/connector/enqueue/${encoded('{00000000-0000-0000-0000-000000000001}')}?entity=CustomerGroups`, { body: 'x' });
    expect(unknown.status).toBe(404);
    const empty = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}?entity=CustomerGroups`, { body: '' });
    expect(empty.json.error.innererror.message).toContain('The request has no content');
    const entity = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}?entity=NoSuchThing`, { body: 'A\r\n' });
    expect(entity.json.error.innererror.message).toBe("Entity 'NoSuchThing' does not exist in the target environment.");
    const company = await call('POST', `api/connector/enqueue/${encoded(IMPORT_JOB)}?entity=CustomerGroups&company=ZZZ`, { body: 'A\r\n' });
    expect(company.json.error.innererror.message).toContain("The company 'ZZZ' does not exist");
    const dequeue = await call('GET', `api/connector/dequeue/${encoded(IMPORT_JOB)}`);
    expect(dequeue.status).toBe(400);
    expect(dequeue.json.error.innererror.message).toContain('is an import job; dequeue needs an export job');
    const wrongMethod = await call('GET', `api/connector/enqueue/${encoded(IMPORT_JOB)}`);
    expect(wrongMethod.status).toBe(405);
  });
});

describe('export jobs: dequeue, download, ack', () => {
  test('the first dequeue starts the export (204), then the package is handed out until acknowledged', async () => {
    const activity = ri().defineJob({ direction: 'export', definitionGroupId: 'CustomerExport', company: 'usmf', recurrenceMs: 60_000 });
    const path = `api/connector/dequeue/${encoded(activity)}`;
    expect((await call('GET', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(204); // still running: no second export
    await advance(3_500);
    const first = await call('GET', path);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json)).toEqual(['CorrelationId', 'PopReceipt', 'DownloadLocation', 'LastDequeueDateTime']);
    expect(first.json.LastDequeueDateTime).toBe('');
    expect(first.json.DownloadLocation.startsWith(`${f.fnoUrl}api/connector/download/`)).toBe(true);

    const download = await new Promise<Buffer>((resolve, reject) => {
      require('node:https').get(first.json.DownloadLocation, { ca: f.emulator.caCertPem, headers: { authorization: `Bearer ${token}` } }, (res: any) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    const csv = readZip(download).find((e) => e.name === 'CustomersV3.csv')!;
    expect(parseCsv(csv.data).length - 1).toBe(f.emulator.fno!.service.store.list('CustomersV3', { company: 'usmf' }).length);
    expect((await jobStatus(activity, first.json.CorrelationId)).DataJobStatus.DataJobState).toBe('Downloaded');

    expect((await call('GET', path)).status).toBe(204); // invisible while dequeued
    await advance(31 * 60 * 1000);
    const again = await call('GET', path);
    expect(again.status).toBe(200);
    expect(again.json.CorrelationId).toBe(first.json.CorrelationId);
    expect(again.json.PopReceipt).not.toBe(first.json.PopReceipt);
    expect(again.json.LastDequeueDateTime).not.toBe('');

    const stale = await call('POST', `api/connector/ack/${encoded(activity)}`, { body: JSON.stringify(first.json), headers: { 'content-type': 'application/json' } });
    expect(stale.status).toBe(400);
    expect(stale.json.error.innererror.message).toContain('The PopReceipt is not the current one');
    const ack = await call('POST', `api/connector/ack/${encoded(activity)}`, { body: JSON.stringify(again.json), headers: { 'content-type': 'application/json' } });
    expect(ack.status).toBe(200);
    expect((await jobStatus(activity, first.json.CorrelationId)).DataJobStatus.DataJobState).toBe('Acked');
    await advance(31 * 60 * 1000);
    const next = await call('GET', path);
    expect(next.status).toBe(204); // the acknowledged package is gone; the next run has started
  });
});
