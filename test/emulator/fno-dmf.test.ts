/**
 * The Data management package API over real HTTPS with an F&O token: GetAzureWriteUrl's string-in-string value,
 * package upload to the SAS blob endpoint, ImportFromPackage of 10,000 rows, jobs progressing NotRun → Executing →
 * final on the emulator clock, an export that re-imports unchanged, row-level errors (PartiallySucceeded), a broken
 * package (Failed), a job that never finishes, an unknown company and malformed action calls.
 */
import { dataManagementExtension, type DataManagementExtension } from '../../emulator/fno/dmf';
import { writeCsv, parseCsv } from '../../emulator/fno/package/csv';
import { writeHeader, writeManifest } from '../../emulator/fno/package/descriptors';
import { readZip } from '../../emulator/fno/zip/zip-reader';
import { writeZip } from '../../emulator/fno/zip/zip-writer';
import { appToken, httpsRequest, useFnoApi } from '../helpers/emulator';

/** The emulator's clock, moved by the tests: job progress is checked without sleeping. */
let clock = Date.now();
const f = useFnoApi({ now: () => clock, fno: { extensions: [dataManagementExtension()] } });
const ACTIONS = 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.';

/** The Data management that answers (the first mounted, should the listener already mount one itself). */
const dm = () => (f.emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime;
beforeAll(() => dm().configure({ queuedMs: 1_000, executingMs: 2_000 }));

/** A token renewed whenever the clock jumps far (tokens expire on the emulator clock too). */
let token: string | undefined;

async function advance(ms: number) {
  clock += ms;
  token = await appToken(f.emulator, f.fnoUrl);
}

async function action(_api: unknown, name: string, body: unknown) {
  return f.call('POST', ACTIONS + name, { body, token });
}

async function value(name: string, body: unknown): Promise<any> {
  const res = await action(f, name, body);
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
  return res.json.value;
}

/** Moves the clock past the job's time and returns the statuses seen on the way. */
async function runToEnd(executionId: string): Promise<string[]> {
  const seen = [await value('GetExecutionSummaryStatus', { executionId })];
  for (let i = 0; i < 10 && ['NotRun', 'Executing'].includes(seen[seen.length - 1]); i++) {
    clock += 1_000;
    seen.push(await value('GetExecutionSummaryStatus', { executionId }));
  }
  return seen;
}

function customerPackage(rows: string[][], columns = ['CUSTOMERACCOUNT', 'ORGANIZATIONNAME', 'CUSTOMERGROUPID', 'SALESCURRENCYCODE', 'CREDITLIMIT', 'ONHOLDSTATUS']): Buffer {
  return writeZip([
    { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: 'CustomerImport', description: 'Customers', entities: [{ entityName: 'Customers V3', inputFilePath: 'Customers V3.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) },
    { name: 'PackageHeader.xml', data: writeHeader('Customers') },
    { name: 'Customers V3.csv', data: writeCsv([columns, ...rows]) },
  ]);
}

async function upload(name: string, data: Buffer): Promise<string> {
  const write = JSON.parse(await value('GetAzureWriteUrl', { uniqueFileName: name }));
  const put = await httpsRequest(f.emulator, 'PUT', write.BlobUrl, { headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip' }, body: data });
  expect(put.status).toBe(201);
  return write.BlobUrl;
}

async function importPackage(data: Buffer, options: { company?: string; group?: string } = {}): Promise<string> {
  const url = await upload(`pkg-${Math.random().toString(36).slice(2)}.zip`, data);
  return value('ImportFromPackage', { packageUrl: url, definitionGroupId: options.group ?? 'CustomerImport', executionId: '', execute: true, overwrite: true, legalEntityId: options.company ?? 'USMF' });
}

describe('GetAzureWriteUrl and the blob endpoint', () => {
  test('value is a JSON document inside the string, with a brace GUID and a SAS URL on the emulator', async () => {
    const res = await action(f, 'GetAzureWriteUrl', { uniqueFileName: 'upload-1.zip' });
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`${f.fnoUrl}data/$metadata#Edm.String`);
    expect(typeof res.json.value).toBe('string');
    const inner = JSON.parse(res.json.value);
    expect(Object.keys(inner)).toEqual(['BlobId', 'BlobUrl']);
    expect(inner.BlobId).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
    const url = new URL(inner.BlobUrl);
    expect(url.origin).toBe(new URL(f.fnoUrl).origin);
    expect(url.pathname).toBe('/dmfblobs/dmf/upload-1.zip');
    expect([...url.searchParams.keys()].sort()).toEqual(['se', 'sig', 'sp', 'sr', 'sv']);
  });

  test('upload needs x-ms-blob-type and the exact signature; download needs read permission; errors never echo the signature', async () => {
    const { BlobUrl } = JSON.parse(await value('GetAzureWriteUrl', { uniqueFileName: 'upload-2.zip' }));
    const noType = await httpsRequest(f.emulator, 'PUT', BlobUrl, { body: 'x' });
    expect(noType.status).toBe(400);
    expect(noType.text).toContain('<Code>MissingRequiredHeader</Code>');
    const url = new URL(BlobUrl);
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', sig.slice(0, -4) + (sig.endsWith('AAA=') ? 'BBB=' : 'AAA='));
    const forged = await httpsRequest(f.emulator, 'PUT', url.toString(), { headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>AuthenticationFailed</Code>');
    expect(forged.text).not.toContain(sig);
    const other = new URL(BlobUrl);
    other.pathname = '/dmfblobs/dmf/another-name.zip';
    expect((await httpsRequest(f.emulator, 'PUT', other.toString(), { headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' })).status).toBe(403);
    const put = await httpsRequest(f.emulator, 'PUT', BlobUrl, { headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'package bytes' });
    expect(put.status).toBe(201);
    expect((await httpsRequest(f.emulator, 'GET', BlobUrl)).status).toBe(403); // a write URL cannot read
  });

  test('a SAS URL stops working when it expires', async () => {
    const { BlobUrl } = JSON.parse(await value('GetAzureWriteUrl', { uniqueFileName: 'upload-3.zip' }));
    await advance(61 * 60 * 1000);
    const late = await httpsRequest(f.emulator, 'PUT', BlobUrl, { headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' });
    expect(late.status).toBe(403);
    expect(late.text).toContain('expired');
  });

  test('unsafe file names are refused', async () => {
    const res = await action(f, 'GetAzureWriteUrl', { uniqueFileName: '../escape.zip' });
    expect(res.status).toBe(400);
    expect(res.json.error.innererror.message).toContain("must be a plain file name");
  });
});

describe('import and export', () => {
  const COUNT = 10_000;
  const rows = Array.from({ length: COUNT }, (_, i) => {
    const n = String(i).padStart(5, '0');
    return [`IMP-${n}`, `Imported "customer" ${n}, Ltd.`, i % 2 ? '10' : '30', 'USD', `${i * 1.5}`, i % 3 ? 'No' : 'Invoice'];
  });

  test('ImportFromPackage of 10,000 rows goes NotRun → Executing → Succeeded and the rows are in /data', async () => {
    const executionId = await importPackage(customerPackage(rows));
    expect(executionId).toMatch(/^CustomerImport-\d{14}-\d+$/);
    const seen = await runToEnd(executionId);
    expect(seen[0]).toBe('NotRun');
    expect(seen).toContain('Executing');
    expect(seen[seen.length - 1]).toBe('Succeeded');
    expect(await value('GetExecutionErrors', { executionId })).toBe('[]');
    const imported = f.emulator.fno!.service.store.list('CustomersV3', { company: 'usmf' }).filter((r) => String(r.row.CustomerAccount).startsWith('IMP-'));
    expect(imported).toHaveLength(COUNT);
    const one = await f.call('GET', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='IMP-00042')", { token });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ OrganizationName: 'Imported "customer" 00042, Ltd.', CustomerGroupId: '30', CreditLimit: 63, OnHoldStatus: 'Invoice' });
  });

  test('ExportToPackage writes Manifest.xml, PackageHeader.xml and a UTF-8 CSV that re-imports unchanged', async () => {
    const exportId = await value('ExportToPackage', { definitionGroupId: 'CustomerExport', packageName: 'Customers.zip', executionId: '', reExecute: false, legalEntityId: 'usmf' });
    expect(await value('GetExportedPackageUrl', { executionId: exportId })).toBe('');
    expect((await runToEnd(exportId)).pop()).toBe('Succeeded');
    const url = await value('GetExportedPackageUrl', { executionId: exportId });
    const download = await new Promise<Buffer>((resolve, reject) => {
      require('node:https').get(url, { ca: f.emulator.caCertPem }, (res: any) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    const entries = new Map(readZip(download).map((e) => [e.name, e.data]));
    expect([...entries.keys()].sort()).toEqual(['CustomersV3.csv', 'Manifest.xml', 'PackageHeader.xml']);
    const manifest = entries.get('Manifest.xml')!.toString('utf8');
    expect(manifest).toContain('<DefinitionGroupName>CustomerExport</DefinitionGroupName>');
    expect(manifest).toContain('<InputFilePath>CustomersV3.csv</InputFilePath>');
    const csv = entries.get('CustomersV3.csv')!;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(csv);
    expect(records[0]).toContain('CUSTOMERACCOUNT');
    expect(records[0]).not.toContain('DATAAREAID');
    const usmf = f.emulator.fno!.service.store.list('CustomersV3', { company: 'usmf' });
    expect(records.length - 1).toBe(usmf.length);
    expect(usmf.length).toBeGreaterThanOrEqual(COUNT);

    // Round trip: the exported package imported back changes nothing, and a second export is byte-identical.
    const before = usmf.map((r) => r.row);
    const reimport = await importPackage(download, { group: 'CustomerReimport' });
    expect((await runToEnd(reimport)).pop()).toBe('Succeeded');
    expect(f.emulator.fno!.service.store.list('CustomersV3', { company: 'usmf' }).map((r) => r.row)).toEqual(before);
    const again = await value('ExportToPackage', { definitionGroupId: 'CustomerExport', packageName: 'Customers.zip', executionId: '', reExecute: false, legalEntityId: 'usmf' });
    expect((await runToEnd(again)).pop()).toBe('Succeeded');
    const second = dm().blobs.get(dm().executions.get(again)!.outcome!.packageBlob!)!.data;
    expect(readZip(second).find((e) => e.name === 'CustomersV3.csv')!.data.equals(csv)).toBe(true);
  });

  test('ExportToPackagePreview exports at most count rows per entity', async () => {
    const id = await value('ExportToPackagePreview', { definitionGroupId: 'CustomerExport', packageName: 'Preview', executionId: '', reExecute: false, legalEntityId: 'usmf', count: 3 });
    expect((await runToEnd(id)).pop()).toBe('Succeeded');
    const blob = dm().blobs.get(dm().executions.get(id)!.outcome!.packageBlob!)!.data;
    expect(parseCsv(readZip(blob).find((e) => e.name === 'CustomersV3.csv')!.data)).toHaveLength(4);
  });

  test('bad rows become row-level errors with their line; the good ones go in (PartiallySucceeded)', async () => {
    const executionId = await importPackage(customerPackage([
      ['ERR-1', 'Good one', '10', 'USD', '100', 'No'],
      ['ERR-2', 'Bad credit limit', '10', 'USD', 'lots', 'No'],
      ['ERR-3', 'Bad hold status', '10', 'USD', '1', 'Sometimes'],
      ['', 'No key', '10', 'USD', '1', 'No'],
      ['ERR-5', 'Unknown group', 'NOPE', 'USD', '1', 'No'],
      ['ERR-6', 'Too few fields'],
      ['ERR-7', 'Good two', '30', 'USD', '0', 'All'],
    ]));
    expect((await runToEnd(executionId)).pop()).toBe('PartiallySucceeded');
    const errors: string[] = JSON.parse(await value('GetExecutionErrors', { executionId }));
    expect(errors).toHaveLength(5);
    expect(errors[0]).toBe("Customers V3, Customers V3.csv line 3: The value 'lots' of field CreditLimit is not a number (use . as the decimal separator).");
    expect(errors[1]).toContain('line 4: The value \'Sometimes\' of field OnHoldStatus is not a member of CustVendorBlocked');
    expect(errors[2]).toContain('line 5: The key field CustomerAccount is empty.');
    expect(errors[3]).toContain('line 6: ');
    expect(errors[3]).toContain('NOPE');
    expect(errors[4]).toContain('line 7: The record has 2 fields but the header has 6.');
    const store = f.emulator.fno!.service.store;
    expect(store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'ERR-1' })).toBeDefined();
    expect(store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'ERR-7' })).toBeDefined();
    expect(store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'ERR-2' })).toBeUndefined();
    expect(await value('GenerateImportTargetErrorKeysFile', { executionId, entityName: 'Customers V3' })).toBe(true);
    const fileUrl = await value('GetImportTargetErrorKeysFileUrl', { executionId, entityName: 'Customers V3' });
    const file = await httpsRequest(f.emulator, 'GET', fileUrl);
    expect(file.status).toBe(200);
    expect(file.text).toContain('line 3');
  });

  test('a broken package fails the job with the reason in GetExecutionErrors', async () => {
    const notZip = await importPackage(Buffer.from('CUSTOMERACCOUNT\r\nC-1\r\n'));
    expect((await runToEnd(notZip)).pop()).toBe('Failed');
    expect(JSON.parse(await value('GetExecutionErrors', { executionId: notZip }))).toEqual([expect.stringContaining('The package is not a valid ZIP archive')]);
    const noHeader = writeZip([{ name: 'Manifest.xml', data: writeManifest({ definitionGroupName: 'G', description: '', entities: [{ entityName: 'CustomersV3', inputFilePath: 'c.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) }]);
    const missing = await importPackage(noHeader);
    expect((await runToEnd(missing)).pop()).toBe('Failed');
    expect(await value('GetExecutionErrors', { executionId: missing })).toContain('no PackageHeader.xml');
  });

  test('a job of a held project never finishes, however far the clock moves; releasing it completes it', async () => {
    dm().holdProject('StuckImport');
    const executionId = await importPackage(customerPackage([['STUCK-1', 'Stuck', '10', 'USD', '1', 'No']]), { group: 'StuckImport' });
    await advance(10 * 60 * 1000);
    expect(await value('GetExecutionSummaryStatus', { executionId })).toBe('Executing');
    expect(f.emulator.fno!.service.store.get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'STUCK-1' })).toBeUndefined();
    dm().executions.release(executionId);
    expect(await value('GetExecutionSummaryStatus', { executionId })).toBe('Succeeded');
  });

  test('a canceled job reports Canceled', async () => {
    const executionId = await importPackage(customerPackage([['CANCEL-1', 'x', '10', 'USD', '1', 'No']]));
    expect(dm().executions.cancel(executionId)).toBe(true);
    expect(await value('GetExecutionSummaryStatus', { executionId })).toBe('Canceled');
  });
});

describe('bad calls', () => {
  test('an unknown company is refused when the job is requested', async () => {
    const url = await upload('company.zip', customerPackage([['X-1', 'x', '10', 'USD', '1', 'No']]));
    const res = await action(f, 'ImportFromPackage', { packageUrl: url, definitionGroupId: 'CustomerImport', executionId: '', execute: true, overwrite: false, legalEntityId: 'ZZZZ' });
    expect(res.status).toBe(400);
    expect(res.json.error.innererror.message).toContain("The company 'ZZZZ' does not exist");
    const exp = await action(f, 'ExportToPackage', { definitionGroupId: 'CustomerExport', packageName: 'p', executionId: '', reExecute: false, legalEntityId: 'nope' });
    expect(exp.status).toBe(400);
  });

  test('missing, unknown or mistyped parameters are named', async () => {
    const missing = await action(f, 'GetExecutionSummaryStatus', {});
    expect(missing.status).toBe(400);
    expect(missing.json.error.innererror.message).toBe("The parameter 'executionId' of the operation 'GetExecutionSummaryStatus' is missing.");
    const unknown = await action(f, 'GetExecutionSummaryStatus', { executionId: 'x', extra: 1 });
    expect(unknown.json.error.innererror.message).toContain("The parameter 'extra' in the request payload is not a valid parameter");
    const typed = await action(f, 'ImportFromPackage', { packageUrl: 'x', definitionGroupId: 'g', executionId: '', execute: 'yes', overwrite: false, legalEntityId: 'usmf' });
    expect(typed.json.error.innererror.message).toContain("The parameter 'execute' of the operation 'ImportFromPackage' must be a boolean");
    const badJson = await f.call('POST', ACTIONS + 'GetExecutionSummaryStatus', { body: '{', token, headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
  });

  test('a package URL that is not the emulator blob storage is refused; nothing is fetched', async () => {
    const res = await action(f, 'ImportFromPackage', { packageUrl: 'https://contoso.blob.core.windows.net/dmf/x.zip?sig=abc', definitionGroupId: 'g', executionId: '', execute: true, overwrite: false, legalEntityId: 'usmf' });
    expect(res.status).toBe(400);
    expect(res.json.error.innererror.message).toContain('URL returned by GetAzureWriteUrl');
  });

  test('export needs an existing export project; an unknown execution is Unknown', async () => {
    const none = await action(f, 'ExportToPackage', { definitionGroupId: 'NoSuchProject', packageName: 'p', executionId: '', reExecute: false, legalEntityId: 'usmf' });
    expect(none.json.error.innererror.message).toBe("The data project 'NoSuchProject' does not exist.");
    const imp = await action(f, 'ExportToPackage', { definitionGroupId: 'CustomerImport', packageName: 'p', executionId: '', reExecute: false, legalEntityId: 'usmf' });
    expect(imp.json.error.innererror.message).toContain('is an import project');
    expect(await value('GetExecutionSummaryStatus', { executionId: 'never-started' })).toBe('Unknown');
  });

  test('the actions need a bearer token; the blob endpoint does not', async () => {
    const res = await httpsRequest(f.emulator, 'POST', `${f.fnoUrl}${ACTIONS}GetAzureWriteUrl`, { headers: { 'content-type': 'application/json' }, body: '{"uniqueFileName":"a"}' });
    expect(res.status).toBe(401);
  });
});
