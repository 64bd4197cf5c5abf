/**
 * Data management through FnoClient against the emulator: a 10,000-row import and an export that gives the same
 * rows back, a job that ends PartiallySucceeded with its row errors, a broken package, a job that never finishes,
 * an unknown company, and package transfer that never carries the bearer token.
 */
import { D365Error } from '../../client/http/errors';
import { createPipeline } from '../../client/http/pipeline';
import { createNodeTransport } from '../../client/http/transport';
import type { HttpRequest, Transport } from '../../client/http/types';
import { buildPackage, FnoClient, parseWriteUrl } from '../../client/fno';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { dataManagementExtension, type DataManagementExtension } from '../../emulator/fno/dmf';
import type { FnoExtensionFactory } from '../../emulator/fno';
import { writeZip as emulatorWriteZip } from '../../emulator/fno/zip/zip-writer';
import { appToken } from '../helpers/emulator';

let emulator: RunningEmulator;
let fnoUrl: string;
let token: string;
let wire: HttpRequest[];
let blobWire: HttpRequest[];
let client: FnoClient;
let dm: DataManagementExtension['runtime'];
let closeAll: () => void;

/** Data management is mounted through the extensions option when the emulator does not mount it by itself. */
async function startWithDataManagement(): Promise<RunningEmulator> {
  const first = await startEmulator({ limits: 'off' });
  if (first.fno?.extensions.some((e) => e.name === 'data-management')) return first;
  await first.stop();
  const extensions: FnoExtensionFactory[] = [dataManagementExtension({ queuedMs: 100, executingMs: 200 })];
  return startEmulator({ limits: 'off', fno: { extensions } });
}

beforeAll(async () => {
  emulator = await startWithDataManagement();
  fnoUrl = emulator.fnoUrl!;
  dm = (emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime;
  token = await appToken(emulator, fnoUrl);
  const transport = createNodeTransport({ ca: emulator.caCertPem });
  const blobs = createNodeTransport({ ca: emulator.caCertPem });
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
  const blobTransport: Transport = (request) => {
    blobWire.push(request);
    return blobs(request);
  };
  client = new FnoClient({ environmentUrl: fnoUrl, send: pipeline.send, blobTransport });
  closeAll = () => {
    pipeline.close();
    transport.close();
    blobs.close();
  };
});
afterAll(async () => {
  closeAll?.();
  await emulator?.stop();
});
beforeEach(() => {
  wire = [];
  blobWire = [];
});

const poll = { timeBudgetMs: 120_000, initialDelayMs: 100, maxDelayMs: 1_000 };

async function errorOf(promise: Promise<unknown>): Promise<D365Error> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(D365Error);
    return e as D365Error;
  }
  throw new Error('expected the call to fail');
}

/** Values that test the CSV writer and reader: separators, quotes, line ends, blanks at the ends, non-ASCII. */
function description(i: number): string {
  switch (i % 7) {
    case 0: return `Group ${i}, wholesale`;
    case 1: return `"Quoted" ${i} O'Brien`;
    case 2: return `Line one ${i}\r\nline two`;
    case 3: return ` padded ${i} `;
    case 4: return `Müller & Söhne ${i} €`;
    case 5: return '';
    default: return `plain ${i}`;
  }
}

describe('import and export', () => {
  test('imports 10,000 rows from a package the client wrote and exports them back unchanged', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      CustomerGroupId: `RT${String(i).padStart(5, '0')}`,
      Description: description(i),
      PaymentTermId: i % 3 === 0 ? '' : `Net${i % 90}`,
      IsSalesTaxIncludedInPrice: i % 2 ? 'Yes' : 'No',
    }));
    const started = Date.now();
    const imported = await client.importRows(rows, { entityName: 'CustomerGroups', definitionGroupId: 'CG-Import-10k', company: 'demf', ...poll });
    const importMs = Date.now() - started;
    expect(imported).toMatchObject({ status: 'Succeeded', succeeded: true, errors: [] });
    expect(await client.count('CustomerGroups', "startswith(CustomerGroupId,'RT')", { company: 'demf' })).toBe(10_000);
    expect(await client.get('CustomerGroups', { dataAreaId: 'demf', CustomerGroupId: 'RT00002' })).toMatchObject({ Description: description(2) });

    dm.defineDataProject('CG-Export-10k', 'Export', ['CustomerGroups']);
    const exportStarted = Date.now();
    const exported = await client.exportRows({ definitionGroupId: 'CG-Export-10k', company: 'demf', ...poll });
    const exportMs = Date.now() - exportStarted;
    expect(exported.status).toBe('Succeeded');
    const entity = exported.opened.entities[0];
    expect(entity.columns).toEqual(expect.arrayContaining(['CustomerGroupId', 'Description', 'PaymentTermId', 'IsSalesTaxIncludedInPrice']));
    const back = entity.rows
      .filter((r) => r.CustomerGroupId.startsWith('RT'))
      .map((r) => ({ CustomerGroupId: r.CustomerGroupId, Description: r.Description, PaymentTermId: r.PaymentTermId, IsSalesTaxIncludedInPrice: r.IsSalesTaxIncludedInPrice }));
    expect(back).toHaveLength(10_000);
    expect(back).toEqual(rows);
    process.stdout.write(`fno-dmf: 10,000 rows imported in ${importMs} ms, exported and unpacked in ${exportMs} ms (package ${exported.package!.length} bytes)\n`);

    // Package transfer went to the SAS URLs through the blob transport, never with the token.
    expect(blobWire.map((r) => r.method)).toEqual(['PUT', 'GET']);
    for (const request of blobWire) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.url).toMatch(/[?&]sig=/);
    }
    expect(blobWire[0].headers['x-ms-blob-type']).toBe('BlockBlob');
    expect(wire.some((r) => /\/dmfblobs\//.test(r.url))).toBe(false);
    expect(wire.every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });

  test('a job with bad rows ends PartiallySucceeded, and its row errors are surfaced with their lines', async () => {
    const rows = [
      { CustomerGroupId: 'PS-1', Description: 'good', IsSalesTaxIncludedInPrice: 'No' },
      { CustomerGroupId: 'PS-2', Description: 'bad enum', IsSalesTaxIncludedInPrice: 'Maybe' },
      { CustomerGroupId: 'PS-3', Description: 'good', IsSalesTaxIncludedInPrice: 'Yes' },
      { CustomerGroupId: '', Description: 'no key', IsSalesTaxIncludedInPrice: 'No' },
      { CustomerGroupId: 'PS-TOO-LONG-ID', Description: 'too long', IsSalesTaxIncludedInPrice: 'No' },
    ];
    const result = await client.importRows(rows, { entityName: 'CustomerGroups', definitionGroupId: 'CG-Partial', company: 'usmf', ...poll });
    expect(result.status).toBe('PartiallySucceeded');
    expect(result.succeeded).toBe(false);
    expect(result.errors.map((e) => e.line)).toEqual([3, 5, 6]);
    expect(result.errors.every((e) => e.entity === 'CustomerGroups')).toBe(true);
    expect(result.errors[0].message).toMatch(/Maybe/);
    expect(result.errors[1].message).toMatch(/CustomerGroupId/);
    expect((await client.list('CustomerGroups', { filter: "CustomerGroupId eq 'PS-1' or CustomerGroupId eq 'PS-3'" }, { company: 'usmf' })).rows).toHaveLength(2);
    // The same errors, read again by execution id.
    expect(await client.executionErrors(result.executionId)).toEqual(result.errors);
  });
});

describe('import from a file', () => {
  test('a ready CSV data file is packaged as it is and imported', async () => {
    const file = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('VENDORGROUPID,DESCRIPTION\r\nVF-1,"From a file, with comma"\r\nVF-2,Second\r\n', 'utf8')]);
    const result = await client.importFile(file, { entityName: 'VendorGroups', sourceFormat: 'CSV', definitionGroupId: 'VG-File', company: 'ussu', ...poll });
    expect(result).toMatchObject({ status: 'Succeeded', errors: [] });
    const page = await client.list('VendorGroups', { filter: "startswith(VendorGroupId,'VF-')", orderBy: ['VendorGroupId'], select: ['VendorGroupId', 'Description'] }, { company: 'ussu' });
    expect(page.rows.map((r) => [r.VendorGroupId, r.Description])).toEqual([['VF-1', 'From a file, with comma'], ['VF-2', 'Second']]);
  });
});

describe('bad input', () => {
  test('a file that is not a package is refused before anything is uploaded', async () => {
    const e = await errorOf(client.importPackage(Buffer.from('PK not really a zip'), { definitionGroupId: 'CG-Broken', company: 'usmf', ...poll }));
    expect(e.code).toBe('InvalidPackage');
    expect(e.message).toMatch(/not a valid ZIP archive/);
    expect(wire).toHaveLength(0);
    expect(blobWire).toHaveLength(0);
  });

  test('a package the service cannot open ends Failed with the reason', async () => {
    const good = buildPackage({ definitionGroupId: 'CG-Broken', entities: [{ entityName: 'CustomerGroups', rows: [{ CustomerGroupId: 'B1', IsSalesTaxIncludedInPrice: 'No' }] }] });
    // Same descriptors, but the data file the manifest names is missing.
    const { readZip } = await import('../../client/fno/package/zip-reader');
    const broken = emulatorWriteZip(readZip(good).filter((e) => !e.name.endsWith('.csv')));
    const result = await client.importPackage(broken, { definitionGroupId: 'CG-Broken', company: 'usmf', verify: false, ...poll });
    expect(result.status).toBe('Failed');
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/CustomerGroups\.csv.*not in the package/);
    // The client's own check says the same before uploading.
    await expect(client.importPackage(broken, { definitionGroupId: 'CG-Broken', company: 'usmf', ...poll })).rejects.toThrow(/CustomerGroups\.csv' of 'CustomerGroups' is not in the package/);
  });

  test('a job that never finishes runs into the time budget, and the error names the execution and its last status', async () => {
    dm.holdProject('CG-Hang');
    const e = await errorOf(client.importRows([{ CustomerGroupId: 'H1', IsSalesTaxIncludedInPrice: 'No' }], {
      entityName: 'CustomerGroups', definitionGroupId: 'CG-Hang', company: 'usmf', timeBudgetMs: 1_500, initialDelayMs: 100, maxDelayMs: 400,
    }));
    expect(e.code).toBe('TimeBudgetExceeded');
    const id = /execution '([^']+)'/.exec(e.message)?.[1];
    expect(id).toBeDefined();
    expect(e.message).toMatch(/last status was (Executing|NotRun)/);
    expect(e.message).toMatch(/1500 ms/);
    expect(['Executing', 'NotRun']).toContain(await client.executionStatus(id!));
  });

  test('an unknown company is named for imports and exports', async () => {
    const imp = await errorOf(client.importRows([{ CustomerGroupId: 'U1', IsSalesTaxIncludedInPrice: 'No' }], { entityName: 'CustomerGroups', definitionGroupId: 'CG-Unknown', company: 'zzzz', ...poll }));
    expect(imp.code).toBe('UnknownCompany');
    expect(imp.message).toMatch(/Unknown company 'zzzz'/);
    const exp = await errorOf(client.exportRows({ definitionGroupId: 'CustomerExport', company: 'zzzz', ...poll }));
    expect(exp.code).toBe('UnknownCompany');
  });

  test('an export of a project that does not exist, or exports nothing, says why', async () => {
    const missing = await errorOf(client.exportRows({ definitionGroupId: 'No-Such-Project', company: 'usmf', ...poll }));
    expect(missing.status).toBe(400);
    expect(missing.message).toMatch(/data project 'No-Such-Project' does not exist/);
    dm.defineDataProject('Empty-Export', 'Export', []);
    const empty = await client.exportPackage({ definitionGroupId: 'Empty-Export', company: 'usmf', ...poll });
    expect(empty).toMatchObject({ status: 'Failed', succeeded: false });
    expect(empty.package).toBeUndefined();
    expect(empty.errors[0].message).toMatch(/has no entities to export/);
    await expect(client.exportRows({ definitionGroupId: 'Empty-Export', company: 'usmf', ...poll })).rejects.toThrow(/ended Failed without a package: .*no entities to export/);
  });

  test('without a company the job runs in the caller\'s default company', async () => {
    const result = await client.importRows([{ CustomerGroupId: 'DEF-1', Description: 'default company', IsSalesTaxIncludedInPrice: 'No' }], { entityName: 'CustomerGroups', definitionGroupId: 'CG-Default', ...poll });
    expect(result.status).toBe('Succeeded');
    expect(await client.get('CustomerGroups', { dataAreaId: 'usmf', CustomerGroupId: 'DEF-1' })).toMatchObject({ Description: 'default company' });
  });

  test('a refused blob upload is a clear error that does not repeat the signature', async () => {
    const { getWriteUrl, uploadPackage } = await import('../../client/fno/dmf');
    const { blobUrl } = await getWriteUrl(client.context, 'tampered.zip');
    const url = new URL(blobUrl);
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', `${sig.slice(0, -2)}xx`);
    const e = await errorOf(uploadPackage(client.context, url.href, Buffer.from('zip')));
    expect(e.status).toBe(403);
    expect(e.code).toBe('AuthenticationFailed');
    expect(e.message).toMatch(/upload data package: the blob storage answered HTTP 403 AuthenticationFailed/);
    expect(e.message).not.toContain(sig.slice(0, 12));
    expect(blobWire[0].headers.authorization).toBeUndefined();
    await expect(uploadPackage(client.context, blobUrl.replace(/^https:/, 'http:'), Buffer.from('zip'))).rejects.toThrow(/must use https/);
  });

  test('GetAzureWriteUrl: the URL is read from the JSON string inside the value', () => {
    const value = JSON.stringify({ BlobId: '{5A2A0B2E-6C1F-4E0E-9D55-2C3B8F1A9E01}', BlobUrl: 'https://acct.blob.core.windows.net/dmf/p.zip?sv=2014-02-14&sr=b&sig=abc%3D&se=2030-01-01T00%3A00%3A00Z&sp=w' });
    expect(parseWriteUrl(value)).toEqual({ blobId: '{5A2A0B2E-6C1F-4E0E-9D55-2C3B8F1A9E01}', blobUrl: 'https://acct.blob.core.windows.net/dmf/p.zip?sv=2014-02-14&sr=b&sig=abc%3D&se=2030-01-01T00%3A00%3A00Z&sp=w' });
    expect(() => parseWriteUrl('https://acct.blob.core.windows.net/dmf/p.zip')).toThrow(/not the expected JSON string/);
    expect(() => parseWriteUrl(JSON.stringify({ BlobId: 'x' }))).toThrow(/no BlobUrl/);
  });
});
