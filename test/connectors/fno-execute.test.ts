/**
 * The generated Finance and Operations connectors, driven by an independent Swagger 2.0 client (swagger-client)
 * against the emulator's F&O environment the way Power Automate drives a custom connector: the dynamichosturl
 * template with token:resourceUri = the F&O environment URL, a bearer token from the emulator's Entra endpoint for
 * `<fnoUrl>/.default` (Service principal connection), internal parameters with their defaults, x-ms-dynamic-values
 * lookups called through their operations, and @odata.nextLink pages followed through the connector's URL space.
 * Every write is checked in the emulator's store. The business event trigger runs through the connector's
 * script.csx under Mono (test/helpers/csx-runner.ts): subscribe, a sales order reaching Invoiced delivers the event
 * to a loopback callback, DELETE on Location unsubscribes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors, type ConnectorPackage } from '../../connectors';
import { ENDPOINT_NAME_PREFIX, ENDPOINT_PATH, ENDPOINTS_PATH, SUBSCRIBE_BUSINESS_EVENT, UNSUBSCRIBE_BUSINESS_EVENT } from '../../connectors/fno';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { BusinessEventsExtension } from '../../emulator/fno/events';
import type { ScriptProxy } from '../helpers/csx-runner';
import { useFixture } from '../helpers/fixture';
import { useEmulatorAndReceiver } from './callback-receiver';
import { startConnectorScript } from './script-harness';
import { connect as connectThrough, routeValue, type Connection } from './swagger-connection';

const FNO_MODEL = path.resolve(__dirname, '..', '..', 'emulator', 'fno', 'model', 'fno.xml');
const model = parseCsdl(fs.readFileSync(FNO_MODEL, 'utf8'));

/** A Service principal connection to the emulator's F&O environment; with `proxy`, through the connector's script. */
const connect = (pkg: ConnectorPackage, emulator: RunningEmulator, proxy?: ScriptProxy) => connectThrough(pkg, emulator, { service: 'fno', proxy });

/** Runs an x-ms-dynamic-values lookup the way the designer does and returns [value, title] pairs. */
async function lookup(conn: Connection, spec: any): Promise<Array<[string, string]>> {
  const res = await conn.run(spec.operationId, spec.parameters ?? {});
  return (res.body[spec['value-collection']] as any[]).map((row) => [row[spec['value-path']], row[spec['value-title']]]);
}

const store = (emulator: RunningEmulator) => emulator.fno!.service.store;

describe('generated F&O connectors executed with swagger-client against the emulator', () => {
  const fx = useFixture(
    async () => ({ emulator: await startEmulator({ limits: 'off' }) }),
    (f) => f.emulator.stop(),
  );

  describe('dynamic connector', () => {
    let conn: Connection;
    beforeAll(async () => {
      const { connectors } = generateConnectors(model, { service: 'fno', style: 'dynamic' });
      conn = await connect(connectors[0], fx.emulator);
    });

    test('the entity dropdown lists the entity sets of the service document', async () => {
      const spec = (conn.pkg.swagger.parameters!.EntitySet as any)['x-ms-dynamic-values'];
      const sets = (await lookup(conn, spec)).map(([value]) => value);
      expect(sets).toEqual([...model.entitySets.keys()]);
    });

    test('list: default company only, cross-company for all, $filter/$select/$orderby and $skip paging through nextLink', async () => {
      const own = await conn.run('ListRecords', { entityset: 'CustomersV3', $select: 'dataAreaId,CustomerAccount', $orderby: 'CustomerAccount' });
      expect(own.body.value.map((r: any) => r.dataAreaId)).toEqual(['usmf', 'usmf', 'usmf', 'usmf', 'usmf']);
      const all = await conn.run('ListRecords', { entityset: 'CustomersV3', 'cross-company': true, $select: 'CustomerAccount' });
      expect(all.body.value).toHaveLength(15);
      const one = await conn.run('ListRecords', { entityset: 'CustomersV3', 'cross-company': true, $filter: "dataAreaId eq 'demf'", $select: 'CustomerAccount' });
      expect(one.body.value.map((r: any) => r.CustomerAccount).sort()).toEqual(['DE-001', 'DE-002', 'DE-003', 'DE-004', 'DE-005']);
      const skipped = await conn.run('ListRecords', { entityset: 'CustomersV3', $orderby: 'CustomerAccount', $skip: 3, $select: 'CustomerAccount' });
      expect(skipped.body.value.map((r: any) => r.CustomerAccount)).toEqual(['US-004', 'US-005']);

      // Server-driven paging: F&O pages at 10,000 records; a page of 4 (Prefer odata.maxpagesize, sent by the test,
      // not by the connector) shows the $skip next links the pageable operation follows.
      conn.extraHeaders.Prefer = 'odata.maxpagesize=4';
      try {
        const first = await conn.run('ListRecords', { entityset: 'CustomersV3', 'cross-company': true, $orderby: 'CustomerAccount', $select: 'CustomerAccount' });
        const accounts: string[] = first.body.value.map((r: any) => r.CustomerAccount);
        const links: string[] = [];
        let link: string | undefined = first.body['@odata.nextLink'];
        for (let pages = 0; link && pages < 20; pages++) {
          links.push(link);
          const page = await conn.next(link);
          accounts.push(...page.body.value.map((r: any) => r.CustomerAccount));
          link = page.body['@odata.nextLink'];
        }
        expect(links).toHaveLength(3);
        expect(links.every((l) => /[?&]\$skip=\d+/.test(decodeURIComponent(l)) && /cross-company=true/.test(l))).toBe(true);
        expect(accounts).toEqual([...accounts].sort());
        expect(new Set(accounts).size).toBe(15);
      } finally {
        delete conn.extraHeaders.Prefer;
      }
    });

    test('get, create, update with If-Match and delete by a composite key, in another company with cross-company', async () => {
      const got = await conn.run('GetRecord', { entityset: 'CustomersV3', key: "dataAreaId='usmf',CustomerAccount='US-002'" });
      expect(got.body).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'US-002' });
      const hidden = await conn.fail('GetRecord', { entityset: 'CustomersV3', key: "dataAreaId='demf',CustomerAccount='DE-001'" });
      expect(hidden.status).toBe(404);
      const other = await conn.run('GetRecord', { entityset: 'CustomersV3', key: "dataAreaId='demf',CustomerAccount='DE-001'", 'cross-company': true });
      expect(other.body.CustomerAccount).toBe('DE-001');

      const created = await conn.run('CreateRecord', {
        entityset: 'CustomersV3',
        item: { dataAreaId: 'usmf', CustomerAccount: "US-O'9", OrganizationName: "O'Brien & Sons", CustomerGroupId: '10', SalesCurrencyCode: 'USD' },
      });
      expect(created.status).toBe(201);
      const key = "dataAreaId='usmf',CustomerAccount='US-O''9'";
      expect(store(fx.emulator).get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: "US-O'9" })?.row).toMatchObject({ OrganizationName: "O'Brien & Sons" });

      const etag: string = (await conn.run('GetRecord', { entityset: 'CustomersV3', key })).body['@odata.etag'];
      await conn.run('UpdateRecord', { entityset: 'CustomersV3', key, item: { CreditLimit: 5000 }, 'If-Match': etag });
      expect(store(fx.emulator).get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: "US-O'9" })?.row).toMatchObject({ CreditLimit: 5000 });
      const stale = await conn.fail('UpdateRecord', { entityset: 'CustomersV3', key, item: { CreditLimit: 1 }, 'If-Match': etag });
      expect(stale.status).toBe(412);
      await conn.run('UpdateRecord', { entityset: 'CustomersV3', key, item: { CreditLimit: 7000 } });
      expect(store(fx.emulator).get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: "US-O'9" })?.row).toMatchObject({ CreditLimit: 7000 });

      const removed = await conn.run('DeleteRecord', { entityset: 'CustomersV3', key });
      expect(removed.status).toBe(204);
      expect(store(fx.emulator).get('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: "US-O'9" })).toBeUndefined();
    });

    test('entity actions: bound to a record and to the collection', async () => {
      const total = await conn.run('PerformRecordAction', { entityset: 'SalesOrderHeadersV2', key: "dataAreaId='usmf',SalesOrderNumber='000001'", actionName: 'CalculateTotalAmount', parameters: {} });
      expect(total.status).toBe(200);
      expect(total.body).toHaveProperty('value');
      const catalog = await conn.run('PerformCollectionAction', { entityset: 'BusinessEventsCatalogs', actionName: 'getBusinessEventsCatalog', parameters: { _businessEventsCategory: 'Alerts' } });
      expect(catalog.status).toBe(200);
    });
  });

  describe('typed connector', () => {
    let conn: Connection;
    beforeAll(async () => {
      const { connectors } = generateConnectors(model, { service: 'fno', style: 'typed', tables: ['CustomersV3', 'SalesOrderHeadersV2'] });
      conn = await connect(connectors[0], fx.emulator);
    });

    test('list with cross-company and $skip, get by key fields, update an enum field, bound action', async () => {
      const page = await conn.run('ListCustomersV3', { 'cross-company': true, $filter: "dataAreaId eq 'ussu'", $orderby: 'CustomerAccount', $select: 'CustomerAccount', $skip: 2 });
      expect(page.body.value.map((r: any) => r.CustomerAccount)).toEqual(['SU-003', 'SU-004', 'SU-005']);
      const got = await conn.run('GetCustomerV3', { dataAreaId: 'ussu', CustomerAccount: 'SU-002', 'cross-company': true });
      expect(got.body.CustomerAccount).toBe('SU-002');
      await conn.run('UpdateCustomerV3', { dataAreaId: 'ussu', CustomerAccount: 'SU-002', 'cross-company': true, item: { OnHoldStatus: 'Invoice' } });
      expect(store(fx.emulator).get('CustomersV3', { dataAreaId: 'ussu', CustomerAccount: 'SU-002' })?.row).toMatchObject({ OnHoldStatus: 'Invoice' });
      const total = await conn.run('CalculateTotalAmountSalesOrderHeaderV2', { dataAreaId: 'usmf', SalesOrderNumber: '000001' });
      expect(total.status).toBe(200);
    });
  });
});

// Needs Mono (scripts/ci/install-mono.sh); without it starting the script fails and says what to install.
describe('business event trigger through script.csx (Mono) against the emulator', () => {
  const fx = useEmulatorAndReceiver();
  const events = () => (fx.emulator.fno!.extensions.find((e) => e.name === 'business-events') as BusinessEventsExtension).runtime;

  test.each(['dynamic', 'typed'] as const)('%s: subscribe, an invoiced sales order reaches the callback, DELETE on Location unsubscribes', async (style) => {
    const { emulator, receiver } = fx;
    const { connectors } = generateConnectors(model, { service: 'fno', style, tables: style === 'typed' ? ['SalesOrderHeadersV2'] : undefined });
    const pkg = connectors[0];
    const proxy = await startConnectorScript(pkg, emulator, { service: 'fno' });
    try {
      const conn = await connect(pkg, emulator, proxy);
      receiver.received.length = 0;
      const subscription = conn.pkg.swagger.definitions!.BusinessEventSubscription as any;
      // The designer's dropdowns, called through the connector.
      const eventChoices = await lookup(conn, subscription.properties.BusinessEventId['x-ms-dynamic-values']);
      expect(eventChoices).toContainEqual(['SalesOrderInvoicedBusinessEvent', expect.any(String)]);
      const companies = await lookup(conn, subscription.properties.LegalEntity['x-ms-dynamic-values']);
      expect(companies.map(([v]) => v)).toContain('USMF');

      const subscribed = await conn.run(SUBSCRIBE_BUSINESS_EVENT, {
        subscription: { BusinessEventId: 'SalesOrderInvoicedBusinessEvent', LegalEntity: 'USMF', NotificationUrl: receiver.url },
      });
      expect(subscribed.status).toBe(201);
      expect(proxy.executions.map((e) => [e.operationId, e.outcome])).toEqual([[SUBSCRIBE_BUSINESS_EVENT, 'ok']]);
      const [endpoint] = events().subscriptions.listEndpoints();
      expect(endpoint.name.startsWith(ENDPOINT_NAME_PREFIX)).toBe(true);
      expect(endpoint.url).toBe(receiver.url);
      expect(events().subscriptions.listActivations()).toEqual([{ businessEventId: 'SalesOrderInvoicedBusinessEvent', legalEntity: 'usmf', endpointName: endpoint.name }]);
      const location: string = subscribed.headers.location;
      expect(location).toBe(`${conn.routedBase}${ENDPOINTS_PATH}('${endpoint.name}')`);

      // A change in F&O raises the event: a sales order of the subscribed company becomes Invoiced.
      const number = style === 'dynamic' ? '000002' : '000003';
      if (style === 'dynamic') {
        await conn.run('UpdateRecord', { entityset: 'SalesOrderHeadersV2', key: `dataAreaId='usmf',SalesOrderNumber='${number}'`, item: { SalesOrderStatus: 'Invoiced' } });
      } else {
        await conn.run('UpdateSalesOrderHeaderV2', { dataAreaId: 'usmf', SalesOrderNumber: number, item: { SalesOrderStatus: 'Invoiced' } });
      }
      await events().idle();
      expect(receiver.received).toHaveLength(1);
      const event = receiver.received[0].body;
      expect(event).toMatchObject({ BusinessEventId: 'SalesOrderInvoicedBusinessEvent', BusinessEventLegalEntity: expect.stringMatching(/^usmf$/i), SalesOrderNumber: number });
      // The declared envelope covers what arrives (every declared field is present with its declared type).
      const envelope = (conn.pkg.swagger.definitions!.BusinessEvent as any).properties as Record<string, any>;
      for (const [name, schema] of Object.entries(envelope)) {
        expect(event).toHaveProperty(name);
        const value = event[name];
        const type = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
        expect({ name, type: value === null && schema['x-nullable'] ? schema.type : type }).toEqual({ name, type: schema.type });
      }

      // Unsubscribe: the platform's DELETE on Location is the internal operation whose route it names.
      const removed = await conn.run(UNSUBSCRIBE_BUSINESS_EVENT, { endpointName: routeValue(location, conn.routedBase, ENDPOINT_PATH, 'endpointName', "[^']+") });
      expect(removed.status).toBe(204);
      expect(proxy.executions.map((e) => [e.operationId, e.outcome])).toEqual([[SUBSCRIBE_BUSINESS_EVENT, 'ok'], [UNSUBSCRIBE_BUSINESS_EVENT, 'ok']]);
      expect(events().subscriptions.listActivations()).toEqual([]);
      expect(events().subscriptions.listEndpoints()).toEqual([]);
      // The same event for the same company after unsubscribing has nowhere to go (raise answers undefined).
      expect(events().raise('SalesOrderInvoicedBusinessEvent', 'usmf', { SalesOrderNumber: number })).toBeUndefined();
      await events().idle();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  }, 180_000);

  test('a refused activation leaves no endpoint behind', async () => {
    const { emulator, receiver } = fx;
    const { connectors } = generateConnectors(model, { service: 'fno', style: 'dynamic' });
    const pkg = connectors[0];
    const proxy = await startConnectorScript(pkg, emulator, { service: 'fno' });
    try {
      const conn = await connect(pkg, emulator, proxy);
      const refused = await conn.fail(SUBSCRIBE_BUSINESS_EVENT, { subscription: { BusinessEventId: 'NoSuchBusinessEvent', NotificationUrl: receiver.url } });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toMatch(/NoSuchBusinessEvent/);
      expect(events().subscriptions.listEndpoints()).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 180_000);
});
