/**
 * The row trigger of the generated Dataverse connectors ("When a row is added, modified or deleted"):
 * - its definition: x-ms-trigger, the x-ms-notification-url property, path-level x-ms-notification-content, the
 *   internal unsubscribe operation, scriptOperations and settings.json `script`, in both styles;
 * - its script.csx part against the definition (the operation it targets, the headers it reads and writes, the
 *   route its Location must name), so the two cannot drift apart;
 * - run end to end by the independent swagger-client the way Power Automate runs a webhook trigger: subscribe with a
 *   loopback callback URL through the connector (script.csx compiled and executed under Mono, standing where the
 *   gateway does, see test/helpers/csx-runner.ts), a change in the emulator reaches the callback and matches the
 *   declared notification schema, and DELETE on the returned Location removes the subscription.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { generateConnectors } from '../../connectors';
import { scriptPartsOf } from '../../connectors/script';
import { validateConnector } from '../../connectors/validate';
import {
  ACTION_SUBSCRIBE_OPERATION,
  ACTION_TRIGGER_PATH,
  CALLBACK_PATH,
  ENTITY_ID_HEADER,
  LOCATION_HEADER,
  LOCATION_METHOD,
  SUBSCRIBE_OPERATION,
  UNSUBSCRIBE_OPERATION,
  UNSUBSCRIBE_PATH,
  subscriptionLocation,
} from '../../connectors/triggers';
import type { RunningEmulator } from '../../emulator';
import { connect, notificationValidator as validatorAt, subscription as subscriptionAt, useEmulatorAndReceiver } from './trigger-harness';

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');
const model: CsdlModel = parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8'));
const dynamic = () => generateConnectors(model, { service: 'dataverse', style: 'dynamic' }).connectors[0];
const typed = (tables: string[]) => generateConnectors(model, { service: 'dataverse', style: 'typed', tables }).connectors;

const subscribeOf = (doc: OpenAPIV2.Document) => (doc.paths[CALLBACK_PATH] as any).post;
const subscriptionBody = (doc: OpenAPIV2.Document) => subscribeOf(doc).parameters.find((p: any) => p.in === 'body').schema;
const notificationSchema = (doc: OpenAPIV2.Document) => (doc.paths[CALLBACK_PATH] as any)['x-ms-notification-content'].schema;

describe('row trigger definition', () => {
  test.each([
    ['dynamic', dynamic()],
    ['typed', typed(['accounts', 'contacts'])[0]],
  ])('%s: webhook trigger, notification URL, notification content, internal unsubscribe, script wiring', (_style, pkg) => {
    const doc = pkg.swagger;
    const subscribe = subscribeOf(doc);
    expect(subscribe).toMatchObject({ operationId: SUBSCRIBE_OPERATION, 'x-ms-trigger': 'single', summary: 'When a row is added, modified or deleted' });
    const body = subscriptionBody(doc);
    expect(body.properties.url).toMatchObject({ 'x-ms-notification-url': true, 'x-ms-visibility': 'internal', type: 'string' });
    expect(body.required).toEqual(expect.arrayContaining(['message', 'entityname', 'scope', 'url', 'version']));
    expect(body.properties.message.enum).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(notificationSchema(doc).properties.SdkMessage.enum).toEqual(['Create', 'Update', 'Delete']);
    const unsubscribe = (doc.paths[UNSUBSCRIBE_PATH] as any).delete;
    expect(unsubscribe).toMatchObject({ operationId: UNSUBSCRIBE_OPERATION, 'x-ms-visibility': 'internal' });
    expect(unsubscribe.parameters[0]).toMatchObject({ name: 'callbackregistrationid', in: 'path', required: true, 'x-ms-url-encoding': 'double' });
    expect(pkg.apiProperties.properties.scriptOperations).toContain(SUBSCRIBE_OPERATION);
    expect(pkg.settings.script).toBe('script.csx');
    expect(pkg.script?.text).toContain(`case "${SUBSCRIBE_OPERATION}":`);
    expect(pkg.runbook).toContain('## 7. Triggers');
    expect(pkg.runbook).toMatch(/Why the connector ships script\.csx/);
    expect(pkg.runbook).toContain('When an action is performed');
  });

  test('dynamic: any table by logical name; rows are open objects', () => {
    const doc = dynamic().swagger;
    const table = subscriptionBody(doc).properties.entityname;
    expect(table).toMatchObject({ type: 'string', 'x-ms-visibility': 'important' });
    expect(table.enum).toBeUndefined();
    expect(table.description).toMatch(/logical name/);
    expect(notificationSchema(doc).additionalProperties).toBeUndefined();
  });

  test('typed: the tables of the connector, and their columns in the notification schema', () => {
    const [pkg] = typed(['accounts', 'contacts']);
    const body = subscriptionBody(pkg.swagger);
    expect(body.properties.entityname.enum).toEqual(['account', 'contact']);
    const properties = notificationSchema(pkg.swagger).properties;
    for (const column of ['accountid', 'name', 'contactid', 'lastname', '_parentcustomerid_value']) expect(properties).toHaveProperty(column);
    // A column both tables define differently (other choices) keeps no type, so neither table's rows are refused.
    const rowOf = (doc: OpenAPIV2.Document, set: string) => {
      const ref: string = (doc.paths[`/${set}`] as any).get.responses[200].schema.properties.value.items.$ref;
      return (doc.definitions as any)[ref.replace('#/definitions/', '')];
    };
    const accountRow = rowOf(pkg.swagger, 'accounts');
    const contactRow = rowOf(pkg.swagger, 'contacts');
    expect(accountRow.properties.statuscode).not.toEqual(contactRow.properties.statuscode);
    expect(properties.statuscode.type).toBeUndefined();
    expect(properties.name).toEqual(accountRow.properties.name);
    // With one table the notification is exactly that table's row, plus the change type.
    const [only] = typed(['contacts']);
    const single = notificationSchema(only.swagger).properties;
    const contact = rowOf(only.swagger, 'contacts');
    expect(Object.keys(single).sort()).toEqual([...Object.keys(contact.properties), 'SdkMessage', '@odata.type'].sort());
    for (const [name, schema] of Object.entries(contact.properties)) expect(single[name]).toEqual(schema);
  });

  test('a typed connector holding the callbackregistrations table keeps its own operations and has no trigger', () => {
    const result = generateConnectors(model, { service: 'dataverse', style: 'typed', tables: ['callbackregistrations'] });
    const doc = result.connectors[0].swagger;
    expect(subscribeOf(doc)['x-ms-trigger']).toBeUndefined();
    expect(result.connectors[0].script).toBeUndefined();
    expect(result.warnings.map((w) => w.message).join('\n')).toMatch(/row trigger is left out/);
  });

  test('the script part targets the subscribe operation, reads OData-EntityId and names the unsubscribe route', () => {
    const pkg = dynamic();
    const parts = scriptPartsOf(pkg.swagger).filter((p) => p.operationIds.includes(SUBSCRIBE_OPERATION));
    expect(parts).toHaveLength(1);
    const [part] = parts;
    expect(part.method).toBe(LOCATION_METHOD);
    // One part sets the Location of both subscribe operations (the action trigger's too: test/connectors/action-trigger.test.ts).
    expect(part.operationIds).toEqual([subscribeOf(pkg.swagger).operationId, ACTION_SUBSCRIBE_OPERATION]);
    expect(part.csharp).toContain(`TryGetValues("${ENTITY_ID_HEADER}"`);
    expect(part.csharp).toContain(`response.Headers.${LOCATION_HEADER} =`);
    expect(part.csharp).toContain('Context.OriginalRequestUri');
    expect(pkg.script!.text).toContain(part.csharp.split('\n')[0].trim());
    // The Location the rule builds from the subscribe URL is the unsubscribe route of the same document.
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const location = subscriptionLocation(`https://org.crm.dynamics.com/api/data/v9.2/callbackregistrations(${id})`, `https://gateway.example/x${CALLBACK_PATH}?q=1`);
    expect(location).toBe(`https://gateway.example/x${UNSUBSCRIBE_PATH.replace('{callbackregistrationid}', id)}`);
    expect(subscriptionLocation(undefined, 'https://gateway.example/x')).toBeUndefined();
  });
});

describe('validate: trigger rules', () => {
  const triggerIssues = async (swagger: OpenAPIV2.Document) => {
    const report = await validateConnector({ swagger });
    const pick = (list: Array<{ rule: string }>) => list.map((i) => i.rule).filter((r) => r.startsWith('trigger-'));
    return { errors: pick(report.errors), warnings: pick(report.warnings) };
  };
  const copy = () => JSON.parse(JSON.stringify(dynamic().swagger)) as OpenAPIV2.Document;

  test('the generated trigger passes', async () => {
    expect(await triggerIssues(dynamic().swagger)).toEqual({ errors: [], warnings: [] });
  });

  test('a webhook trigger without a notification URL, or with an unknown kind, is an error', async () => {
    const noUrl = copy();
    delete subscriptionBody(noUrl).properties.url['x-ms-notification-url'];
    expect((await triggerIssues(noUrl)).errors).toEqual(['trigger-notification-url']);
    const badKind = copy();
    subscribeOf(badKind)['x-ms-trigger'] = 'webhook';
    expect((await triggerIssues(badKind)).errors).toEqual(['trigger-kind']);
  });

  test('no notification content or no DELETE to unsubscribe is a warning', async () => {
    const broken = copy();
    delete broken.paths[ACTION_TRIGGER_PATH];
    delete (broken.paths[CALLBACK_PATH] as any)['x-ms-notification-content'];
    for (const item of Object.values(broken.paths)) delete (item as any).delete;
    expect(await triggerIssues(broken)).toEqual({ errors: [], warnings: ['trigger-notification-content', 'trigger-unsubscribe'] });
  });
});

const subscription = (doc: OpenAPIV2.Document, callbackUrl: string, chosen: Record<string, unknown>) => subscriptionAt(doc, CALLBACK_PATH, callbackUrl, chosen);
const notificationValidator = (doc: OpenAPIV2.Document) => validatorAt(doc, CALLBACK_PATH);
const callbackRows = (emulator: RunningEmulator) => [...emulator.service.store.rows('callbackregistration').values()];

describe('row trigger run by swagger-client through script.csx against the emulator', () => {
  // The receiver gets what a callback registration receives from Dataverse (emulator/webhooks/callback-payload.ts).
  const fx = useEmulatorAndReceiver();

  test('dynamic: subscribe, a created, updated and deleted account reaches the callback, DELETE on Location unsubscribes', async () => {
    const { emulator, receiver } = fx;
    const conn = await connect(dynamic(), emulator);
    try {
      const doc = conn.pkg.swagger;
      const validate = notificationValidator(doc);
      receiver.received.length = 0;

      const subscribed = await conn.run(SUBSCRIBE_OPERATION, {
        subscriptionRequest: subscription(doc, receiver.url, { entityname: 'account', message: 7, scope: 4 }),
      });
      expect(subscribed.status).toBe(204);
      const location = subscribed.headers.location;
      expect(location).toBe(subscriptionLocation(subscribed.headers['odata-entityid'], `${conn.connectorBase}${CALLBACK_PATH}`));
      expect(conn.proxy.executions.map((e) => [e.operationId, e.outcome])).toEqual([[SUBSCRIBE_OPERATION, 'ok']]);
      const [row] = callbackRows(emulator);
      expect(row).toMatchObject({ entityname: 'account', message: 7, scope: 4, version: 1, url: receiver.url });
      expect(location.endsWith(`(${row.callbackregistrationid})`)).toBe(true);

      const created = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Trigger Co', telephone1: '555-0199' } });
      const id: string = created.body.accountid;
      await conn.run('UpdateRow', { entityset: 'accounts', id, item: { telephone1: '555-0200' } });
      await conn.run('DeleteRow', { entityset: 'accounts', id });
      await emulator.webhooks.idle();
      const bodies = receiver.received.map((r) => r.body);
      expect(bodies.map((b) => b.SdkMessage)).toEqual(['Create', 'Update', 'Delete']);
      expect(bodies[0]).toMatchObject({ '@odata.type': '#Microsoft.Dynamics.CRM.account', accountid: id, name: 'Trigger Co', telephone1: '555-0199' });
      expect(bodies[1]).toMatchObject({ accountid: id, telephone1: '555-0200' });
      expect(bodies[2]).toEqual({ '@odata.type': '#Microsoft.Dynamics.CRM.account', SdkMessage: 'Delete', accountid: id });
      for (const body of bodies) expect({ valid: validate(body), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
      expect(receiver.received[0].headers['x-ms-dynamics-request-name']).toBe('Create');

      const removed = await conn.unsubscribe(location);
      expect(removed.status).toBe(204);
      expect(callbackRows(emulator)).toHaveLength(0);
      await conn.run('AddRow', { entityset: 'accounts', item: { name: 'After unsubscribe' } });
      await emulator.webhooks.idle();
      expect(receiver.received).toHaveLength(3);
    } finally {
      await conn.proxy.stop();
    }
  }, 120_000);

  test('typed: a contact change matches the typed notification schema; Modified with columns fires only for them', async () => {
    const { emulator, receiver } = fx;
    const conn = await connect(typed(['accounts', 'contacts'])[0], emulator);
    try {
      const doc = conn.pkg.swagger;
      const validate = notificationValidator(doc);
      receiver.received.length = 0;
      const subscribed = await conn.run(SUBSCRIBE_OPERATION, {
        subscriptionRequest: subscription(doc, receiver.url, { entityname: 'contact', message: 4, scope: 4, filteringattributes: 'lastname' }),
      });
      expect(subscribed.status).toBe(204);
      expect(subscribed.headers.location).toBe(subscriptionLocation(subscribed.headers['odata-entityid'], `${conn.connectorBase}${CALLBACK_PATH}`));

      const account = await conn.run('CreateAccount', { item: { name: 'Typed Trigger Co' } });
      const created = await conn.run('CreateContact', {
        item: { firstname: 'Tri', lastname: 'Gger', 'parentcustomerid_account@odata.bind': `/accounts(${account.body.accountid})` },
      });
      const contactid: string = created.body.contactid;
      await conn.run('UpdateContact', { contactid, item: { jobtitle: 'not a filtering column' } });
      await conn.run('UpdateContact', { contactid, item: { lastname: 'Changed' } });
      await emulator.webhooks.idle();
      const bodies = receiver.received.map((r) => r.body);
      expect(bodies.map((b) => b.SdkMessage)).toEqual(['Create', 'Update']);
      expect(bodies[0]).toMatchObject({ contactid, firstname: 'Tri', lastname: 'Gger', _parentcustomerid_value: account.body.accountid });
      expect(bodies[1]).toMatchObject({ contactid, lastname: 'Changed' });
      for (const body of bodies) expect({ valid: validate(body), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });

      expect((await conn.unsubscribe(subscribed.headers.location)).status).toBe(204);
      expect(callbackRows(emulator)).toHaveLength(0);
    } finally {
      await conn.proxy.stop();
    }
  }, 120_000);
});
