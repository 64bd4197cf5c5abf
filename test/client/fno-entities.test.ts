/**
 * FnoClient against the emulator's F&O environment: entity reads and writes with composite keys and the company
 * scope, paging with host-pinned nextLinks, entity actions, custom services, and the errors users meet.
 */
import { connectFno, type ClientEvent, type FnoConnection } from '../../client';
import { clearSharedTokenCaches } from '../../client/auth';
import { D365Error } from '../../client/http/errors';
import { createNodeTransport } from '../../client/http/transport';
import { createPipeline } from '../../client/http/pipeline';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { FnoClient } from '../../client/fno';
import { filterBuilder, typed } from '../../client/odata';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { appToken } from '../helpers/emulator';

let emulator: RunningEmulator;
let fnoUrl: string;
let token: string;
/** What reached the wire through the token-carrying pipeline. */
let wire: HttpRequest[];
let client: FnoClient;
let closeAll: () => void;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  fnoUrl = emulator.fnoUrl!;
  token = await appToken(emulator, fnoUrl);
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

async function errorOf(promise: Promise<unknown>): Promise<D365Error> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(D365Error);
    return e as D365Error;
  }
  throw new Error('expected the call to fail');
}

describe('entities', () => {
  test('reads a row by its composite key, dataAreaId filled from the company, with doubled quotes in the literal', async () => {
    const row = await client.get('CustomersV3', { CustomerAccount: 'US-004' }, { company: 'usmf' });
    expect(row).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'US-004', OrganizationName: "O'Brien & Sons Retail" });
    expect(String(row['@odata.etag'])).toMatch(/^W\/"/);
    expect(decodeURIComponent(wire.at(-1)!.url)).toContain("CustomersV3(dataAreaId='usmf',CustomerAccount='US-004')");

    // Another company's row, by key: the client scopes the call so it is reachable.
    const other = await client.get('CustomersV3', { dataAreaId: 'demf', CustomerAccount: 'DE-004' }, { select: ['CustomerAccount', 'dataAreaId'] });
    expect(other).toMatchObject({ dataAreaId: 'demf', CustomerAccount: 'DE-004' });
    expect(other.OrganizationName).toBeUndefined();
  });

  test('a key field value with a quote is quoted and doubled, and found by filter too', async () => {
    const account = "Q'1";
    await client.create('CustomersV3', {
      CustomerAccount: account, OrganizationName: "It's O'Neil", CustomerGroupId: '10', SalesCurrencyCode: 'USD', PartyType: 'Organization',
    }, { company: 'ussu' });
    const row = await client.get('CustomersV3', { CustomerAccount: account }, { company: 'ussu' });
    expect(row.OrganizationName).toBe("It's O'Neil");
    expect(decodeURIComponent(wire.at(-1)!.url)).toContain("CustomerAccount='Q''1'");
    const f = filterBuilder();
    const page = await client.list('CustomersV3', { filter: f.eq('OrganizationName', "It's O'Neil"), select: ['CustomerAccount'] }, { company: 'ussu' });
    expect(page.rows.map((r) => r.CustomerAccount)).toEqual([account]);
    await client.delete('CustomersV3', { CustomerAccount: account }, { company: 'ussu' });
  });

  test('lists with select, filter, orderby, top, skip, count and one level of expand, in the default company', async () => {
    const page = await client.list('CustomersV3', {
      select: ['CustomerAccount', 'OrganizationName'],
      filter: "CustomerGroupId eq '10' or CustomerGroupId eq '20'",
      orderBy: [{ column: 'CustomerAccount', descending: true }],
      top: 3,
      skip: 1,
      count: true,
    });
    expect(page.count).toBeGreaterThanOrEqual(page.rows.length);
    const accounts = page.rows.map((r) => String(r.CustomerAccount));
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts.every((a) => a.startsWith('US-'))).toBe(true);
    expect([...accounts].sort().reverse()).toEqual(accounts);

    const orders = await client.list('SalesOrderHeadersV2', {
      filter: "SalesOrderNumber eq '000001'",
      select: ['SalesOrderNumber'],
      expand: ['SalesOrderLines', { property: 'Customer', select: ['CustomerAccount', 'OrganizationName'] }],
    }, { company: 'usmf' });
    expect(orders.rows).toHaveLength(1);
    const [order] = orders.rows as { SalesOrderLines: { SalesOrderNumber: string }[]; Customer: Record<string, unknown> }[];
    expect(order.SalesOrderLines.length).toBeGreaterThan(0);
    expect(order.SalesOrderLines.every((l) => l.SalesOrderNumber === '000001')).toBe(true);
    expect(order.Customer).toMatchObject({ CustomerAccount: 'US-001', OrganizationName: 'Forest Wholesales' });
    await expect(client.list('SalesOrderHeadersV2', { expand: [{ property: 'A', expand: [{ property: 'B' }] }] })).rejects.toThrow(/one level only/);
  });

  test('cross-company reads every legal entity; a company scope reads one', async () => {
    const all: string[] = [];
    for await (const row of client.iterateRows('CustomersV3', { select: ['dataAreaId', 'CustomerAccount'] }, { crossCompany: true })) all.push(String(row.dataAreaId));
    expect(new Set(all)).toEqual(new Set(['usmf', 'ussu', 'demf']));
    const de = await client.list('CustomersV3', { select: ['dataAreaId'] }, { company: 'DEMF' });
    expect(de.rows.length).toBeGreaterThan(0);
    expect(de.rows.every((r) => r.dataAreaId === 'demf')).toBe(true);
    expect(decodeURIComponent(wire.at(-1)!.url)).toMatch(/cross-company=true/);
    expect(await client.count('CustomersV3', undefined, { company: 'demf' })).toBe(de.rows.length);
  });

  test('iterates every page by following nextLinks, page size from Prefer', async () => {
    const pages: number[] = [];
    const accounts: string[] = [];
    for await (const page of client.iteratePages('CustomersV3', { select: ['CustomerAccount'], orderBy: ['CustomerAccount'] }, { crossCompany: true, pageSize: 4 })) {
      pages.push(page.rows.length);
      accounts.push(...page.rows.map((r) => String(r.CustomerAccount)));
    }
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.slice(0, -1).every((n) => n === 4)).toBe(true);
    expect(new Set(accounts).size).toBe(accounts.length);
    expect(accounts).toEqual([...accounts].sort());
    expect(wire.filter((r) => /\$skip=/.test(decodeURIComponent(r.url))).length).toBe(pages.length - 1);
    const capped: unknown[] = [];
    for await (const row of client.iterateRows('CustomersV3', {}, { crossCompany: true, pageSize: 4, maxRows: 6 })) capped.push(row);
    expect(capped).toHaveLength(6);
  });

  test('creates, updates with the ETag read, refuses a stale ETag, upserts and deletes', async () => {
    const created = await client.create('CustomerGroups', { CustomerGroupId: 'T-ETAG', Description: 'first', IsSalesTaxIncludedInPrice: 'No' }, { company: 'usmf' });
    expect(created.key).toEqual({ dataAreaId: 'usmf', CustomerGroupId: 'T-ETAG' });
    const read = await client.get('CustomerGroups', created.key!);
    const etag = String(read['@odata.etag']);
    const updated = await client.update('CustomerGroups', created.key!, { Description: 'second' }, { ifMatch: etag });
    expect(wire.at(-1)!.headers['if-match']).toBe(etag);
    expect(updated.etag).toBeDefined();
    expect(updated.etag).not.toBe(etag);
    const stale = await errorOf(client.update('CustomerGroups', created.key!, { Description: 'third' }, { ifMatch: etag }));
    expect(stale.status).toBe(412);
    expect((await client.get('CustomerGroups', created.key!)).Description).toBe('second');

    const inserted = await client.upsert('CustomerGroups', { CustomerGroupId: 'T-UPS' }, { Description: 'made', IsSalesTaxIncludedInPrice: 'Yes' }, { company: 'ussu' });
    expect(inserted.created).toBe(true);
    const again = await client.upsert('CustomerGroups', { CustomerGroupId: 'T-UPS' }, { Description: 'changed' }, { company: 'ussu' });
    expect(again.created).toBe(false);
    expect(await client.get('CustomerGroups', { dataAreaId: 'ussu', CustomerGroupId: 'T-UPS' })).toMatchObject({ Description: 'changed', IsSalesTaxIncludedInPrice: 'Yes' });

    await client.delete('CustomerGroups', created.key!);
    await client.delete('CustomerGroups', { CustomerGroupId: 'T-UPS' }, { company: 'ussu' });
    const gone = await errorOf(client.get('CustomerGroups', created.key!));
    expect(gone.status).toBe(404);
  });

  test('keys are typed by the model: enums, numbers and dates as F&O literals', async () => {
    const { rowPath } = await import('../../client/fno/paths');
    const { entitySetShape } = await import('../../client/fno/schema');
    const lines = await entitySetShape(client.context, 'PurchaseOrderLinesV2');
    expect(lines.companySpecific).toBe(true);
    expect(decodeURIComponent(rowPath(lines, { PurchaseOrderNumber: "P'1", LineNumber: 2 }, 'usmf'))).toBe("PurchaseOrderLinesV2(dataAreaId='usmf',PurchaseOrderNumber='P''1',LineNumber=2)");
    expect(decodeURIComponent(rowPath(lines, { PurchaseOrderNumber: 'P1', LineNumber: '3' }, 'usmf'))).toMatch(/LineNumber=3\)$/);
    // Explicit types for keys the model does not declare (an enum and a date).
    const loose = { set: 'Anything', key: [], columnType: () => undefined };
    expect(decodeURIComponent(rowPath(loose, { Flag: typed('Microsoft.Dynamics.DataEntities.NoYes', 'Yes'), Day: typed('Edm.Date', '2024-01-31') }, undefined)))
      .toBe("Anything(Flag=Microsoft.Dynamics.DataEntities.NoYes'Yes',Day=2024-01-31)");
    // An enum or date key declared by a model gets its literal from the declared type.
    const declared = { set: 'Declared', key: ['Flag', 'Day'], companySpecific: false, columnType: (c: string) => ({ Flag: 'Microsoft.Dynamics.DataEntities.NoYes', Day: 'Edm.Date' })[c] };
    expect(decodeURIComponent(rowPath(declared, { Day: '2024-02-29', Flag: 'Yes' }, 'usmf'))).toBe("Declared(Flag=Microsoft.Dynamics.DataEntities.NoYes'Yes',Day=2024-02-29)");
    expect(() => rowPath(declared, { Flag: 'Yes', Day: '2024-02-30' }, undefined)).toThrow(/Invalid key for 'Declared'/);
    expect(() => rowPath(lines, { PurchaseOrderNumber: 'P1' }, 'usmf')).toThrow(/missing: LineNumber/);
    expect(() => rowPath(lines, { Nope: 1, PurchaseOrderNumber: 'P1', LineNumber: 1 }, 'usmf')).toThrow(/'Nope' is not a key field/);
    expect(() => rowPath(lines, 'P1', 'usmf')).toThrow(/give them by name/);
    const customers = await entitySetShape(client.context, 'CustomersV3');
    expect(() => rowPath(customers, { CustomerAccount: 'US-001' }, undefined)).toThrow(/needs dataAreaId/);
  });
});

describe('entity actions', () => {
  test('a bound action with an enum parameter changes the row; a value-returning action answers its value', async () => {
    const key = { dataAreaId: 'usmf', CustomerAccount: 'US-002' };
    const ok = await client.callAction<boolean>('CustomersV3', key, 'SetOnHoldStatus', { OnHoldStatus: 'Invoice' });
    expect(ok).toBe(true);
    expect(decodeURIComponent(wire.at(-1)!.url)).toContain("CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')/Microsoft.Dynamics.DataEntities.SetOnHoldStatus");
    expect((await client.get('CustomersV3', key)).OnHoldStatus).toBe('Invoice');
    const total = await client.callAction<number>('SalesOrderHeadersV2', { SalesOrderNumber: '000001' }, 'Microsoft.Dynamics.DataEntities.CalculateTotalAmount', {}, { company: 'usmf' });
    expect(typeof total).toBe('number');
    expect(total).toBeGreaterThan(0);
  });

  test('an action failing in X++ becomes a D365Error with the service message', async () => {
    const e = await errorOf(client.callAction('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'US-002' }, 'SetOnHoldStatus', { OnHoldStatus: 'Sometimes' }));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/action SetOnHoldStatus|SetOnHoldStatus/);
    expect(e.message).toMatch(/Sometimes/);
  });
});

describe('custom services', () => {
  test('discovers groups, services and operations with their parameter and return types', async () => {
    const groups = await client.discoverServices();
    const credit = groups.find((g) => g.name === 'ContosoIntegrationServices');
    expect(credit).toBeDefined();
    const op = credit!.services.find((s) => s.name === 'CustomerCreditService')!.operations.find((o) => o.name === 'GetCreditInfo');
    expect(op).toEqual({ name: 'GetCreditInfo', parameters: [{ name: '_dataAreaId', type: 'str' }, { name: '_customerAccount', type: 'str' }], returnType: 'ContosoCustomerCreditContract' });
    expect(groups.find((g) => g.name === 'UserSessionService')?.services[0].operations.map((o) => o.name)).toContain('GetUserSessionInfo');
  });

  test('calls an operation with JSON parameters and reads its data contract', async () => {
    const info = await client.callService<Record<string, unknown>>('ContosoIntegrationServices', 'CustomerCreditService', 'GetCreditInfo', { _dataAreaId: 'usmf', _customerAccount: 'US-001' });
    expect(info).toMatchObject({ CustomerAccount: 'US-001', Company: 'usmf', CreditLimit: 100000 });
    const last = wire.at(-1)!;
    expect(last.method).toBe('POST');
    expect(JSON.parse(String(last.body))).toEqual({ _dataAreaId: 'usmf', _customerAccount: 'US-001' });
  });

  test('a service fault and an unknown service are clear errors', async () => {
    const fault = await errorOf(client.callService('ContosoIntegrationServices', 'CustomerCreditService', 'GetCreditInfo', { _dataAreaId: 'usmf', _customerAccount: 'NOPE' }));
    expect(fault.message).toMatch(/Customer NOPE does not exist/);
    const missing = await errorOf(client.callService('ContosoIntegrationServices', 'NoSuchService', 'Run'));
    expect(missing.status).toBe(404);
    expect(missing.message).toMatch(/NoSuchService/);
  });
});

describe('bad input and safety', () => {
  test('an unknown company is named as such, for reads by key, queries and writes', async () => {
    const byKey = await errorOf(client.get('CustomersV3', { CustomerAccount: 'US-001' }, { company: 'zzzz' }));
    expect(byKey.code).toBe('UnknownCompany');
    expect(byKey.message).toMatch(/Unknown company 'zzzz'/);
    const query = await errorOf(client.list('CustomersV3', {}, { company: 'zzzz' }));
    expect(query.code).toBe('UnknownCompany');
    for (const company of ['usmf', 'ussu', 'demf']) expect(query.message).toContain(company);
    const write = await errorOf(client.create('CustomerGroups', { CustomerGroupId: 'X', Description: 'x', IsSalesTaxIncludedInPrice: 'No' }, { company: 'zzzz' }));
    expect(write.code).toBe('UnknownCompany');
    await expect(client.list('CustomersV3', {}, { company: "us'mf" })).rejects.toThrow(/not a dataAreaId/);
  });

  test('F&O error bodies become clear messages: unknown field, unsupported operator, wrong set name case', async () => {
    const field = await errorOf(client.list('CustomersV3', { select: ['NoSuchField'] }));
    expect(field.status).toBe(400);
    expect(field.message).toMatch(/NoSuchField/);
    expect(field.message).not.toMatch(/^An error has occurred/);
    const op = await errorOf(client.list('CustomersV3', { filter: "CustomerGroupId in ('10','20')" }));
    expect(op.message).toMatch(/'in' operator is not supported/);
    const set = await errorOf(client.list('customersv3'));
    expect(set.status).toBe(404);
    expect(set.message).toMatch(/did you mean 'CustomersV3'/);
  });

  test('a nextLink to a foreign host is refused before any request, and the token never leaves', async () => {
    await expect(client.nextPage('https://evil.example/data/CustomersV3?$skip=4')).rejects.toMatchObject({ code: 'OriginMismatch' });
    expect(wire).toHaveLength(0);

    // A service (or a proxy) that rewrites the nextLink to another host: iteration stops at that page.
    const foreign = fnoUrl.replace('127.0.0.1', 'localhost');
    const tampering = new FnoClient({
      environmentUrl: fnoUrl,
      send: async (request: HttpRequest): Promise<HttpResponse> => {
        const response = await client.context.send(request);
        const body = response.body.toString('utf8').replace(/"@odata\.nextLink":"https:\/\/127\.0\.0\.1:/, '"@odata.nextLink":"https://localhost:');
        return { ...response, body: Buffer.from(body) };
      },
    });
    const seen: number[] = [];
    const run = (async () => {
      for await (const page of tampering.iteratePages('CustomersV3', {}, { crossCompany: true, pageSize: 5 })) seen.push(page.rows.length);
    })();
    await expect(run).rejects.toMatchObject({ code: 'OriginMismatch' });
    // The link is checked as soon as its page arrives, before the page is handed out or anything else is sent.
    expect(seen).toEqual([]);
    expect(wire.filter((r) => !r.url.endsWith('/$metadata'))).toHaveLength(1);
    expect(wire.every((r) => r.url.startsWith(fnoUrl))).toBe(true);
    expect(wire.some((r) => r.url.startsWith(foreign))).toBe(false);
  });
});

describe('connectFno', () => {
  let fno: FnoConnection;
  afterEach(() => fno?.close());

  test('gets a token for <fno url>/.default from Entra and works with the default company of the connection', async () => {
    clearSharedTokenCaches();
    fno = connectFno({
      environmentUrl: fnoUrl,
      credentials: { kind: 'secret', clientSecret: emulator.clientSecret, clientId: emulator.clientId, authorityUrl: emulator.authorityUrl },
      ca: emulator.caCertPem,
      company: 'ussu',
    });
    const page = await fno.list('CustomersV3', { select: ['dataAreaId', 'CustomerAccount'] });
    expect(page.rows.length).toBe(5);
    expect(page.rows.every((r) => r.dataAreaId === 'ussu')).toBe(true);
    // A Dataverse token is not accepted by F&O: the audience is the F&O URL.
    const session = await fno.callService<{ Company: string }>('UserSessionService', 'AifUserSessionService', 'GetUserSessionInfo');
    expect(session?.Company).toBe('USMF');
  });

  test('F&O 429s are waited out as the service asks, then the call succeeds', async () => {
    clearSharedTokenCaches();
    const events: ClientEvent[] = [];
    fno = connectFno({
      environmentUrl: fnoUrl,
      credentials: { kind: 'secret', clientSecret: emulator.clientSecret, clientId: emulator.clientId, authorityUrl: emulator.authorityUrl },
      ca: emulator.caCertPem,
      events: (e) => events.push(e),
      retry: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 5 },
    });
    const expected = (await fno.list('CustomersV3', { select: ['CustomerAccount'] })).rows;
    emulator.fno!.faults.script([{ kind: '429-requests', retryAfterSeconds: 1 }, { kind: '429-concurrency', retryAfterSeconds: 1 }]);
    const page = await fno.list('CustomersV3', { select: ['CustomerAccount'] });
    expect(page.rows).toEqual(expected);
    const throttles = events.filter((e): e is Extract<ClientEvent, { type: 'throttle' }> => e.type === 'throttle');
    expect(throttles.map((e) => e.limit)).toEqual(['fno-throttling', 'fno-throttling']);
    expect(throttles.every((e) => e.retryAfterMs >= 1000)).toBe(true);
    expect(JSON.stringify(events)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});
