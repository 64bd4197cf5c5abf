/**
 * The Finance & Operations node's Data Management and Recurring Integration resources against the emulator: input
 * items imported through a package the client writes and exported back as the same rows, binary packages both
 * ways, job status, and the bad inputs (a broken package, a job that never finishes within its time budget, an
 * unknown company) as NodeOperationErrors with their codes.
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { buildPackage, readPackage, writeZip } from '../../client/fno';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { DataManagementExtension } from '../../emulator/fno/dmf';
import type { RecurringIntegrationsExtension } from '../../emulator/fno/recurring';
import { FinanceOperations } from '../../nodes/FinanceOperations/FinanceOperations.node';
import { emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { binaryData, rl, runNode, type Params } from '../helpers/n8n-context';

const node = new FinanceOperations();
let emulator: RunningEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;
let dm: DataManagementExtension['runtime'];
let ri: RecurringIntegrationsExtension['runtime'];

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  credentials = { dynamics365AppRegistrationApi: emulatorFnoCredentialData(emulator) as ICredentialDataDecryptedObject };
  dm = (emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime;
  ri = (emulator.fno!.extensions.find((e) => e.name === 'recurring-integrations') as RecurringIntegrationsExtension).runtime;
});
afterAll(async () => {
  await emulator?.stop();
});

const run = (params: Params, extra: { items?: IDataObject[]; inputs?: INodeExecutionData[]; continueOnFail?: boolean } = {}) => runNode(node, { params, credentials, ...extra });
const groupsOf = (company: string) => emulator.fno!.service.store.list('CustomerGroups', { company }).map((r) => r.row);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, budgetMs = 60_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const rows = Array.from({ length: 25 }, (_, i) => ({
  CustomerGroupId: `NDM-${String(i).padStart(2, '0')}`,
  Description: i % 3 === 0 ? `Group ${i}, "quoted" O'Brien` : `Group ${i}`,
  PaymentTermId: i % 2 ? 'Net30' : '',
  IsSalesTaxIncludedInPrice: i % 2 ? 'Yes' : 'No',
}));

describe('data management', () => {
  test('imports input items as one job and exports the same rows back as items', async () => {
    const imported = await run({ resource: 'dataManagement', operation: 'import', source: 'items', dataProject: rl('NodeImport-CG', 'id'), company: rl('ussu'), dmfEntity: 'CustomerGroups', options: { timeBudgetSeconds: 120 } }, { items: rows });
    expect(imported).toHaveLength(1);
    expect(imported[0].json).toMatchObject({ status: 'Succeeded', succeeded: true, errors: [], dataProject: 'NodeImport-CG', company: 'ussu', entity: 'CustomerGroups', rows: 25 });
    expect(imported[0].pairedItem).toEqual(rows.map((_, item) => ({ item })));
    expect(groupsOf('ussu').filter((r) => String(r.CustomerGroupId).startsWith('NDM-'))).toHaveLength(25);

    dm.defineDataProject('NodeExport-CG', 'Export', ['CustomerGroups']);
    const exported = await run({ resource: 'dataManagement', operation: 'export', dataProject: rl('NodeExport-CG'), company: rl('ussu'), output: 'items', options: { timeBudgetSeconds: 120 } });
    const back = exported
      .map((o) => o.json)
      .filter((r) => String(r.CustomerGroupId).startsWith('NDM-'))
      .map((r) => ({ CustomerGroupId: r.CustomerGroupId, Description: r.Description, PaymentTermId: r.PaymentTermId, IsSalesTaxIncludedInPrice: r.IsSalesTaxIncludedInPrice }));
    expect(back).toEqual(rows);
    expect(exported.length).toBe(groupsOf('ussu').length);
  });

  test('exports a data package as binary and imports a binary package', async () => {
    dm.defineDataProject('NodeExport-Bin', 'Export', ['CustomerGroups']);
    const [exported] = await run({ resource: 'dataManagement', operation: 'export', dataProject: rl('NodeExport-Bin'), company: rl('usmf'), output: 'binary', binaryPropertyName: 'package', options: {} });
    expect(exported.json).toMatchObject({ status: 'Succeeded', dataProject: 'NodeExport-Bin', company: 'usmf' });
    const zip = Buffer.from(exported.binary!.package.data, 'base64');
    expect(exported.binary!.package).toMatchObject({ fileName: 'NodeExport-Bin.zip', mimeType: 'application/zip' });
    const opened = readPackage(zip);
    expect(opened.entities[0].rows.length).toBe(groupsOf('usmf').length);

    const pkg = buildPackage({ definitionGroupId: 'NodeImport-Bin', entities: [{ entityName: 'CustomerGroups', rows: [{ CustomerGroupId: 'NDM-BIN', Description: 'from a package', IsSalesTaxIncludedInPrice: 'No' }] }] });
    const [imported] = await run(
      { resource: 'dataManagement', operation: 'import', source: 'binary', dataProject: rl('NodeImport-Bin', 'id'), company: rl('demf'), binaryPropertyName: 'data', options: {} },
      { inputs: [{ json: {}, binary: { data: binaryData(pkg, 'groups.zip', 'application/zip') } }] },
    );
    expect(imported.json).toMatchObject({ status: 'Succeeded', succeeded: true });
    expect(groupsOf('demf').find((r) => r.CustomerGroupId === 'NDM-BIN')).toMatchObject({ Description: 'from a package' });
  });

  test('a broken package is a NodeOperationError naming what is wrong; with Continue On Fail each item gets its own', async () => {
    const inputs = [
      { json: {}, binary: { data: binaryData(Buffer.from('this is not a zip file'), 'broken.zip') } },
      { json: {}, binary: { data: binaryData(writeZip([{ name: 'data.csv', data: Buffer.from('A,B\n1,2\n') }]), 'nomanifest.zip') } },
    ];
    const notZip = await run({ resource: 'dataManagement', operation: 'import', source: 'binary', dataProject: rl('NodeImport-Bin', 'id'), binaryPropertyName: 'data', options: {} }, { inputs: [inputs[0]] }).catch((e) => e);
    expect(notZip).toBeInstanceOf(NodeOperationError);
    expect(notZip.message).toMatch(/^The package is not a valid ZIP archive/);
    expect(notZip.context.code).toBe('InvalidPackage');
    const out = await run({ resource: 'dataManagement', operation: 'import', source: 'binary', dataProject: rl('NodeImport-Bin', 'id'), binaryPropertyName: 'data', options: {} }, { inputs, continueOnFail: true });
    expect(out.map((o) => o.json)).toEqual([
      { error: expect.stringMatching(/^The package is not a valid ZIP archive/), code: 'InvalidPackage' },
      { error: 'The package has no Manifest.xml at its root.', code: 'InvalidPackage' },
    ]);
  });

  test('a job that never finishes ends at the time budget with its execution ID; Get Job Status reads it later', async () => {
    dm.holdProject('NodeImport-Held');
    const error = await run({ resource: 'dataManagement', operation: 'import', source: 'items', dataProject: rl('NodeImport-Held', 'id'), dmfEntity: 'CustomerGroups', options: { timeBudgetSeconds: 2 } }, { items: rows.slice(0, 2) }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.context.code).toBe('TimeBudgetExceeded');
    expect(error.message).toMatch(/^Data management execution '([^']+)' did not finish within the time budget of 2000 ms; its last status was (Executing|NotRun)/);
    const executionId = /execution '([^']+)'/.exec(error.message)![1];
    const [status] = await run({ resource: 'dataManagement', operation: 'getStatus', executionId, options: {} });
    expect(status.json).toEqual({ executionId, status: expect.stringMatching(/^(Executing|NotRun)$/), final: false });
  });

  test('an unknown company is a NodeOperationError; Get Job Status of a finished job says it is final', async () => {
    const error = await run({ resource: 'dataManagement', operation: 'import', source: 'items', dataProject: rl('NodeImport-CG', 'id'), company: rl('zz99', 'id'), dmfEntity: 'CustomerGroups', options: {} }, { items: rows.slice(0, 1) }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.context.code).toBe('UnknownCompany');
    expect(error.message).toMatch(/^Unknown company 'zz99'/);

    const [job] = await run({ resource: 'dataManagement', operation: 'import', source: 'items', dataProject: rl('NodeImport-CG', 'id'), company: rl('usmf'), dmfEntity: 'CustomerGroups', options: { wait: false } }, { items: rows.slice(0, 3) });
    const [status] = await run({ resource: 'dataManagement', operation: 'getStatus', executionId: job.json.executionId, options: { wait: true, timeBudgetSeconds: 120 } });
    expect(status.json).toEqual({ executionId: job.json.executionId, status: 'Succeeded', final: true });
  });
});

describe('recurring integrations', () => {
  test('enqueued items are imported by the recurring job; Get Message Status waits for it and tells how it went', async () => {
    const activityId = ri.defineJob({ direction: 'import', definitionGroupId: 'NodeRI-Import', company: 'ussu' });
    const items = [{ CustomerGroupId: 'NRI-1', Description: 'recurring one', IsSalesTaxIncludedInPrice: 'No' }, { CustomerGroupId: 'NRI-2', Description: 'recurring two', IsSalesTaxIncludedInPrice: 'Yes' }];
    const out = await run({ resource: 'recurring', operation: 'enqueue', activityId, source: 'items', recurringEntity: 'CustomerGroups', company: rl('ussu'), options: { externalId: 'node-batch-1' } }, { items });
    expect(out).toHaveLength(1);
    expect(out[0].json).toMatchObject({ messageId: expect.any(String), activityId, entity: 'CustomerGroups', rows: 2 });
    expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
    const [status] = await run({ resource: 'recurring', operation: 'getStatus', activityId, messageId: out[0].json.messageId, options: { wait: true, timeBudgetSeconds: 120 } });
    expect(status.json).toMatchObject({ messageId: out[0].json.messageId, status: 'Processed', DataJobStatus: { ExternalIdentifier: 'node-batch-1', DataJobState: 'Processed' } });
    expect((status.json.ExecutionDetail as IDataObject[])[0]).toMatchObject({ Company: 'ussu', TargetRecords: 2, TargetErrorCount: 0 });
    expect(groupsOf('ussu').filter((r) => String(r.CustomerGroupId).startsWith('NRI-')).map((r) => r.Description)).toEqual(['recurring one', 'recurring two']);
  });

  test('dequeue hands out the export package as binary and acknowledges it; nothing waiting is one item that says so', async () => {
    dm.defineDataProject('NodeRI-Export', 'Export', ['CustomerGroups']);
    const activityId = ri.defineJob({ direction: 'export', definitionGroupId: 'NodeRI-Export', company: 'demf', recurrenceMs: 3_600_000 });
    const params = { resource: 'recurring', operation: 'dequeue', activityId, binaryPropertyName: 'package', ack: true };
    // The first dequeue starts the job's run; poll (bounded) until its package is there.
    const out = await until('a dequeued package', async () => {
      const [item] = await run(params);
      return item.json.dequeued ? item : undefined;
    });
    expect(out.json).toMatchObject({ dequeued: true, activityId, acknowledged: true, message: { CorrelationId: expect.any(String), DownloadLocation: expect.any(String) } });
    const opened = readPackage(Buffer.from(out.binary!.package.data, 'base64'));
    expect(opened.entities[0].rows.length).toBe(groupsOf('demf').length);
    const [none] = await run(params);
    expect(none.json).toEqual({ dequeued: false, activityId });
  });

  test('an activity ID that is not a GUID is a NodeOperationError', async () => {
    const error = await run({ resource: 'recurring', operation: 'dequeue', activityId: 'job-1', binaryPropertyName: 'data', ack: true }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/is not a GUID/);
  });
});
