/**
 * The F&O environment as a whole: priority-based and service protection 429s, injected faults, extensions mounted
 * on its listener, a synthetic 3,000-entity-style model, and startEmulator without it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSyntheticFnoCsdl } from '../../scripts/bench/synthetic-csdl';
import { startEmulator } from '../../emulator';
import type { FnoChange, FnoExtensionFactory } from '../../emulator/fno';
import { startFnoApi, useFnoApi } from '../helpers/emulator';

describe('throttling', () => {
  const f = useFnoApi({ limits: { windowSeconds: 300, maxRequests: 12, maxExecutionMs: 1_000_000, maxConcurrent: 10 }, fno: { priorityRetryAfterSeconds: 7 } });

  test('high resource utilisation throttles Low priority callers first, with Retry-After', async () => {
    const fno = f.emulator.fno!;
    fno.throttling.setPriority(f.emulator.clientId, 'Low');
    fno.throttling.setUtilization(0.75);
    const low = await f.call('GET', 'data/LegalEntities');
    expect(low.status).toBe(429);
    expect(low.headers['retry-after']).toBe('7');
    expect(low.json.error.message).toBe('This request could not be processed at this time due to system experiencing high resource utilization.');
    fno.throttling.setPriority(f.emulator.clientId, 'High');
    expect((await f.call('GET', 'data/LegalEntities')).status).toBe(200);
    fno.throttling.setUtilization(0.96);
    expect((await f.call('GET', 'data/LegalEntities')).status).toBe(429);
    fno.throttling.setUtilization(0);
  });

  test('the user-based request limit answers 429 with F&O wording and Retry-After', async () => {
    let res;
    for (let i = 0; i < 20; i++) {
      res = await f.call('GET', 'data/LegalEntities?$select=LegalEntityId');
      if (res.status === 429) break;
      expect(res.status).toBe(200);
    }
    expect(res!.status).toBe(429);
    expect(res!.json.error.message).toBe('Number of requests exeeded the limit of 12 over the time window of 300 seconds.');
    expect(Number(res!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('faults and extensions', () => {
  const changes: FnoChange[] = [];
  const probe: FnoExtensionFactory = (service) => {
    const unsubscribe = service.store.onChange((c) => changes.push(c));
    return {
      name: 'probe',
      publicHandlers: [async (req) => (req.url.pathname === '/blob/probe' ? { status: 201, headers: {}, body: 'stored' } : undefined)],
      handlers: [
        async (req, ctx) =>
          req.url.pathname === '/data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus'
            ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: 'Succeeded', caller: ctx.userId, companies: ctx.service.companies() }) }
            : undefined,
      ],
      close: unsubscribe,
    };
  };
  const f = useFnoApi({ fno: { extensions: [probe], builtInExtensions: false } });

  test('extension handlers run after authentication and before /data; public handlers need no token', async () => {
    const unauthenticated = await f.call('POST', 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus', { token: 'x', body: {} });
    expect(unauthenticated.status).toBe(401);
    const res = await f.call('POST', 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetExecutionSummaryStatus', { body: { executionId: 'x' } });
    expect(res.json).toEqual({ value: 'Succeeded', caller: f.emulator.entra.applicationUserIdFor(f.emulator.clientId), companies: ['demf', 'usmf', 'ussu'] });
    const blob = await f.call('PUT', 'blob/probe', { token: 'none', body: 'x' });
    expect(blob.status).toBe(201);
    expect(f.emulator.fno!.extensions.map((e) => e.name)).toContain('probe');
  });

  test('a declared action no extension handles answers 501', async () => {
    const res = await f.call('POST', 'data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetMessageStatus', { body: { messageId: 'm' } });
    expect(res.status).toBe(501);
    expect(res.json.error.innererror.message).toContain('GetMessageStatus');
  });

  test('store changes made over OData reach onChange listeners', async () => {
    changes.length = 0;
    await f.call('PATCH', "data/VendorsV2(dataAreaId='usmf',VendorAccountNumber='US-101')", { body: { CreditLimit: 10 } });
    expect(changes).toEqual([expect.objectContaining({ op: 'update', entitySet: 'VendorsV2', company: 'usmf', key: { dataAreaId: 'usmf', VendorAccountNumber: 'US-101' } })]);
    expect((changes[0] as { row: Record<string, unknown> }).row.CreditLimit).toBe(10);
  });

  test('injected throttling faults and 503s have F&O bodies', async () => {
    f.emulator.fno!.faults.script([{ kind: '429-requests', retryAfterSeconds: 9 }, { kind: '503' }]);
    const throttled = await f.call('GET', 'data/LegalEntities');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('9');
    expect(throttled.json.error.message).toBe('Number of requests exeeded the limit of 6000 over the time window of 300 seconds.');
    const unavailable = await f.call('GET', 'data/LegalEntities');
    expect(unavailable.status).toBe(503);
    expect(unavailable.json.error.code).toBe('');
    expect((await f.call('GET', 'data/LegalEntities')).status).toBe(200);
  });
});

describe('models and options', () => {
  test('a synthetic F&O model is served and its sets take rows with dataAreaId-led keys', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fno-synthetic-'));
    const file = path.join(dir, 'fno.xml');
    try {
      const stats = await writeSyntheticFnoCsdl(file, { entityTypes: 60, propertiesPerType: 12, seed: 7 });
      const api = await startFnoApi({ fno: { metadataFile: file } });
      try {
        const metadata = await api.call('GET', 'data/$metadata');
        expect(metadata.text).toBe(fs.readFileSync(file, 'utf8'));
        const sets = (await api.call('GET', 'data/')).json.value;
        expect(sets.length).toBe(stats.entitySets);
        const created = await api.call('POST', 'data/Customer0000sV2', { body: { CustomerId: 'C-1', IsActive: 'Yes' } });
        expect(created.status).toBe(201);
        expect(created.json).toMatchObject({ dataAreaId: 'usmf', CustomerId: 'C-1', IsActive: 'Yes' });
        const read = await api.call('GET', "data/Customer0000sV2(dataAreaId='usmf',CustomerId='C-1')");
        expect(read.status).toBe(200);
        expect((await api.call('GET', 'data/Customer0000sV2?cross-company=true')).json.value.length).toBe(1);
      } finally {
        await api.emulator.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with a data directory the F&O rows survive a restart, ETags included', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fno-data-'));
    try {
      const first = await startFnoApi({ dataDir });
      let etag: string;
      try {
        const created = await first.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'US-950', CustomerGroupId: '30', SalesCurrencyCode: 'USD' } });
        expect(created.status).toBe(201);
        etag = created.json['@odata.etag'];
        expect((await first.call('DELETE', "data/VendorsV2(dataAreaId='usmf',VendorAccountNumber='US-104')")).status).toBe(204);
      } finally {
        await first.emulator.stop();
      }
      const second = await startFnoApi({ dataDir });
      try {
        const read = await second.call('GET', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-950')");
        expect(read.status).toBe(200);
        expect(read.json['@odata.etag']).toBe(etag);
        expect((await second.call('GET', "data/VendorsV2(dataAreaId='usmf',VendorAccountNumber='US-104')")).status).toBe(404);
        expect((await second.call('GET', 'data/VendorsV2/$count')).text).toBe('3');
      } finally {
        await second.emulator.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('fno: false starts only Dataverse; a bad F&O model fails the start with a clear error', async () => {
    const emulator = await startEmulator({ fno: false, limits: 'off' });
    try {
      expect(emulator.fnoUrl).toBeUndefined();
      expect(JSON.parse(emulator.readyLine()).fnoUrl).toBeUndefined();
    } finally {
      await emulator.stop();
    }
    await expect(startEmulator({ fno: { defaultCompany: 'nope' } })).rejects.toThrow("The default company 'nope' is not a legal entity");
  });
});
