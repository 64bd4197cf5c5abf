/**
 * Business events raised by a Data management import, with all three integration features mounted together: rows
 * imported into a state a trigger watches raise the event once per row, naming the user who ran the import.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dataManagementExtension, type DataManagementExtension } from '../../emulator/fno/dmf';
import { businessEventsExtension, type BusinessEventsExtension } from '../../emulator/fno/events';
import { writeCsv } from '../../emulator/fno/package/csv';
import { writeHeader, writeManifest } from '../../emulator/fno/package/descriptors';
import { recurringIntegrationsExtension } from '../../emulator/fno/recurring';
import { writeZip } from '../../emulator/fno/zip/zip-writer';
import { claimsOf, httpsRequest, useFnoApi } from '../helpers/emulator';

const f = useFnoApi({ fno: { extensions: [dataManagementExtension(), recurringIntegrationsExtension(), businessEventsExtension()] } });
beforeAll(() => (f.emulator.fno!.extensions.find((e) => e.name === 'data-management') as DataManagementExtension).runtime.configure({ queuedMs: 20, executingMs: 20 }));
const ACTIONS = 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.';

test('an import that confirms purchase orders raises PurchaseOrderConfirmedBusinessEvent per row, for the importing user', async () => {
  const received: any[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?code=abc`;
    expect((await f.call('POST', 'data/BusinessEventsEndpoints', { body: { EndpointName: 'local', EndpointUrl: url } })).status).toBe(201);
    expect((await f.call('POST', 'data/BusinessEventsConfigurations', { body: { BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', LegalEntity: '', EndpointName: 'local' } })).status).toBe(201);

    const pkg = writeZip([
      { name: 'Manifest.xml', data: writeManifest({ definitionGroupName: 'PoImport', description: '', entities: [{ entityName: 'Purchase order headers V2', inputFilePath: 'po.csv', sourceFormat: 'CSV', executionUnit: 1, levelInExecutionUnit: 1, sequenceInLevel: 1 }] }) },
      { name: 'PackageHeader.xml', data: writeHeader('po') },
      { name: 'po.csv', data: writeCsv([['PURCHASEORDERNUMBER', 'DOCUMENTAPPROVALSTATUS'], ['USPO-00001', 'Confirmed'], ['USPO-00002', 'Confirmed']]) },
    ]);
    const write = JSON.parse((await f.call('POST', `${ACTIONS}GetAzureWriteUrl`, { body: { uniqueFileName: 'po.zip' } })).json.value);
    expect((await httpsRequest(f.emulator, 'PUT', write.BlobUrl, { headers: { 'x-ms-blob-type': 'BlockBlob' }, body: pkg })).status).toBe(201);
    const started = await f.call('POST', `${ACTIONS}ImportFromPackage`, { body: { packageUrl: write.BlobUrl, definitionGroupId: 'PoImport', executionId: '', execute: true, overwrite: false, legalEntityId: 'usmf' } });
    const executionId = started.json.value;
    let status = '';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !['Succeeded', 'PartiallySucceeded', 'Failed'].includes(status)) {
      status = (await f.call('POST', `${ACTIONS}GetExecutionSummaryStatus`, { body: { executionId } })).json.value;
      if (status === 'NotRun' || status === 'Executing') await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe('Succeeded');
    await (f.emulator.fno!.extensions.find((e) => e.name === 'business-events') as BusinessEventsExtension).runtime.idle();
    // USPO-00002 was already Confirmed: only the transition raises the event.
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ BusinessEventId: 'PurchaseOrderConfirmedBusinessEvent', BusinessEventLegalEntity: 'USMF', PurchaseOrderNumber: 'USPO-00001' });
    expect(received[0].InitiatingUserAADObjectId).toBe(`{${String(claimsOf(f.token).oid).toUpperCase()}}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
