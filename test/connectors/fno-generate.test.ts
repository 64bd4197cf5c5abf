/**
 * The generated Finance and Operations connectors (dynamic and typed, from the emulator's F&O model) pass the
 * project's validator with no errors, and carry what F&O needs: the F&O resource and /data route, cross-company
 * and $skip, keys with dataAreaId, enums with x-ms-enum-values, x-ms-pageable lists, bound actions, and the
 * business event trigger with its envelope schema, script parts and runbook section.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import { FNO_RESOURCE, generateConnectors, listOperations, URL_TEMPLATES } from '../../connectors';
import { ENDPOINT_PATH, ENDPOINTS_PATH, SUBSCRIBE_BUSINESS_EVENT, UNSUBSCRIBE_BUSINESS_EVENT } from '../../connectors/fno';
import { validateConnectorFolder } from '../../connectors/validate';
import { writeConnectors } from '../../connectors/write';

const FNO_MODEL = path.resolve(__dirname, '..', '..', 'emulator', 'fno', 'model', 'fno.xml');
const model = parseCsdl(fs.readFileSync(FNO_MODEL, 'utf8'));

const param = (doc: OpenAPIV2.Document, p: any): any => (p.$ref ? doc.parameters![p.$ref.replace('#/parameters/', '')] : p);
const paramsOf = (doc: OpenAPIV2.Document, op: any) => (op.parameters ?? []).map((p: any) => param(doc, p));
const op = (doc: OpenAPIV2.Document, id: string): any => {
  for (const item of Object.values(doc.paths)) for (const o of Object.values(item as object)) if ((o as any)?.operationId === id) return o;
  throw new Error(`no operation ${id}`);
};

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'fno-connectors-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe.each([
  ['dynamic', { service: 'fno', style: 'dynamic' }],
  ['typed', { service: 'fno', style: 'typed', tables: ['CustomersV3', 'SalesOrderHeadersV2', 'PurchaseOrderHeadersV2'] }],
] as const)('F&O %s connector', (style, options) => {
  const result = generateConnectors(model, { ...options, tables: 'tables' in options ? [...options.tables] : undefined });
  const pkg = result.connectors[0];
  const doc = pkg.swagger;

  test('the written folder validates without errors', async () => {
    expect(result.connectors).toHaveLength(1);
    const [folder] = await writeConnectors(result, path.join(out, style));
    const report = await validateConnectorFolder(folder);
    expect(report.errors).toEqual([]);
    expect(fs.readFileSync(path.join(folder, 'script.csx'), 'utf8')).toMatch(/case "SubscribeBusinessEvent":/);
  });

  test('auth and routing: AAD for the F&O environment, /data through dynamichosturl, next links through updatenextlink', () => {
    expect(doc.basePath).toBe('/data');
    const props = pkg.apiProperties.properties;
    const token = (props.connectionParameters as any).token;
    expect(token.oAuthSettings.identityProvider).toBe('aad');
    expect(token.oAuthSettings.customParameters.resourceUri.value).toBe(FNO_RESOURCE);
    expect((props.connectionParameters as any)['token:resourceUri'].uiDefinition.displayName).toMatch(/Finance and Operations environment URL/);
    const host = props.policyTemplateInstances!.find((p) => p.templateId === 'dynamichosturl')!;
    expect(host.parameters['x-ms-apimTemplateParameter.urlTemplate']).toBe(URL_TEMPLATES.fno);
    const pageable = listOperations(doc).filter((o) => o.pageable).map((o) => o.operationId);
    expect(pageable.length).toBeGreaterThan(0);
    expect(props.policyTemplateInstances!.find((p) => p.templateId === 'updatenextlink')!.parameters['x-ms-apimTemplate-operationName']).toEqual(pageable);
    expect(props.scriptOperations).toEqual([SUBSCRIBE_BUSINESS_EVENT, UNSUBSCRIBE_BUSINESS_EVENT]);
  });

  test('lists take cross-company and $skip; every keyed operation takes cross-company', () => {
    for (const o of listOperations(doc).filter((x) => x.pageable)) {
      const names = paramsOf(doc, op(doc, o.operationId)).map((p: any) => p.name);
      expect(names).toEqual(expect.arrayContaining(['cross-company', '$skip', '$filter', '$select', '$top']));
    }
    for (const [p, item] of Object.entries(doc.paths)) {
      if (!p.includes('(') || p.startsWith(ENDPOINT_PATH)) continue;
      for (const o of Object.values(item as object)) {
        if (!o?.operationId) continue;
        expect(paramsOf(doc, o).map((x: any) => x.name)).toContain('cross-company');
      }
    }
    expect(doc.parameters!.CrossCompany).toMatchObject({ in: 'query', type: 'boolean', default: false });
  });

  test('the business event trigger: subscribe with the notification URL, envelope schema, unsubscribe route, runbook', () => {
    const subscribe = (doc.paths[ENDPOINTS_PATH] as any).post;
    expect(subscribe).toMatchObject({ operationId: SUBSCRIBE_BUSINESS_EVENT, 'x-ms-trigger': 'single', summary: 'When a business event occurs' });
    const body = doc.definitions!.BusinessEventSubscription as any;
    expect(body.properties.NotificationUrl).toMatchObject({ 'x-ms-notification-url': true, 'x-ms-visibility': 'internal' });
    expect(body.properties.BusinessEventId['x-ms-dynamic-values']).toMatchObject({ 'value-path': 'BusinessEventId', 'value-collection': 'value' });
    const envelope = doc.definitions!.BusinessEvent as any;
    expect(Object.keys(envelope.properties).sort()).toEqual(
      ['BusinessEventId', 'BusinessEventLegalEntity', 'ContextRecordSubject', 'ControlNumber', 'EventId', 'EventTime', 'EventTimeIso8601', 'InitiatingUserAADObjectId', 'MajorVersion', 'MinorVersion', 'ParentContextRecordSubjects'].sort(),
    );
    expect((doc.paths[ENDPOINTS_PATH] as any)['x-ms-notification-content'].schema).toEqual({ $ref: '#/definitions/BusinessEvent' });
    expect((doc.paths[ENDPOINT_PATH] as any).delete).toMatchObject({ operationId: UNSUBSCRIBE_BUSINESS_EVENT, 'x-ms-visibility': 'internal' });
    expect(pkg.runbook).toMatch(/## 7\. Triggers/);
    expect(pkg.runbook).toMatch(/not confirmed against a real environment/);
    expect(pkg.runbook).toMatch(/Key Vault/);
  });
});

test('typed: composite keys with dataAreaId, enums with x-ms-enum-values, bound actions', () => {
  const { connectors } = generateConnectors(model, { service: 'fno', style: 'typed', tables: ['SalesOrderHeadersV2'] });
  const doc = connectors[0].swagger;
  const get = op(doc, 'GetSalesOrderHeaderV2');
  expect(paramsOf(doc, get).filter((p: any) => p.in === 'path').map((p: any) => p.name)).toEqual(['dataAreaId', 'SalesOrderNumber']);
  const status = (doc.definitions!.SalesOrderHeaderV2 as any).properties.SalesOrderStatus;
  expect(status.enum).toEqual(expect.arrayContaining(['Invoiced']));
  expect(status['x-ms-enum-values'].map((v: any) => v.value)).toEqual(status.enum);
  expect(Object.keys(doc.paths).some((p) => p.endsWith('/Microsoft.Dynamics.DataEntities.CancelSalesOrder'))).toBe(true);
});

test('dynamic: the entity dropdown reads the service document; actions name the F&O namespace', () => {
  const { connectors } = generateConnectors(model, { service: 'fno', style: 'dynamic' });
  const doc = connectors[0].swagger;
  expect((doc.paths['/'] as any).get).toMatchObject({ operationId: 'GetEntitySets', 'x-ms-visibility': 'internal' });
  expect((doc.parameters!.EntitySet as any)['x-ms-dynamic-values']).toMatchObject({ operationId: 'GetEntitySets', 'value-path': 'name' });
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(['/{entityset}', '/{entityset}({key})', '/{entityset}({key})/Microsoft.Dynamics.DataEntities.{actionName}', '/{entityset}/Microsoft.Dynamics.DataEntities.{actionName}']),
  );
});
