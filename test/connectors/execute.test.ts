/**
 * Executable test of the generated connectors: the dynamic connector (and a typed one for accounts/contacts) is
 * generated from the emulator's own model and then driven by an independent Swagger 2.0 client (swagger-client),
 * doing what Power Automate does with a custom connector:
 * - the dynamichosturl policy: scheme://host/basePath of the swagger is replaced by the policy's urlTemplate with
 *   `token:resourceUri` = the environment URL of the connection (the emulator);
 * - an Entra ID bearer token from the emulator's token endpoint (client credentials, `<env>/.default`), as the
 *   Service principal connection gets one;
 * - internal parameters are sent with their defaults (swagger-client applies `default`);
 * - x-ms-pageable: the @odata.nextLink is followed (mapped back through the connector's path space, as the
 *   updatenextlink policy does);
 * - x-ms-dynamic-values / -list: the referenced lookup operations are called and their value-path/value-title read.
 * Every write is checked in the emulator's store, not only in the responses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { generateConnectors, listOperations } from '../../connectors';
import { startEmulator, RunningEmulator } from '../../emulator';
import { useFixture } from '../helpers/fixture';
import { connect, extensionsIn, type Connection } from './swagger-connection';

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');

/** The value at a slash-separated path (value-path / value-title / itemTitlePath). */
function at(value: any, pointer: string): any {
  return pointer.split('/').reduce((v, key) => (v === undefined || v === null ? undefined : v[key]), value);
}

/** Every lookup extension of the document (parameters and body properties). */
const dynamicLookups = (doc: OpenAPIV2.Document) => extensionsIn(doc, ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties']);

const account = (emulator: RunningEmulator, id: string) => emulator.service.store.get('account', id);
const contact = (emulator: RunningEmulator, id: string) => emulator.service.store.get('contact', id);

describe('generated connectors executed against the emulator with swagger-client', () => {
  const fixture = useFixture(
    async () => {
      const emulator = await startEmulator({ limits: 'off' });
      const model: CsdlModel = parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8'));
      return { emulator, model };
    },
    (f) => f.emulator.stop(),
  );

  describe('dynamic connector', () => {
    let conn: Connection;
    beforeAll(async () => {
      const result = generateConnectors(fixture.model, { service: 'dataverse', style: 'dynamic' });
      expect(result.connectors).toHaveLength(1);
      conn = await connect(result.connectors[0], fixture.emulator);
    });

    test('every operation is routed by dynamichosturl and pageable ones by updatenextlink', () => {
      const ops = listOperations(conn.pkg.swagger);
      const policies = conn.pkg.apiProperties.properties.policyTemplateInstances!;
      const host = policies.find((p) => p.templateId === 'dynamichosturl')!;
      expect([...(host.parameters['x-ms-apimTemplate-operationName'] as string[])].sort()).toEqual(ops.map((o) => o.operationId).sort());
      const next = policies.find((p) => p.templateId === 'updatenextlink')!;
      expect(next.parameters['x-ms-apimTemplate-operationName']).toEqual(ops.filter((o) => o.pageable).map((o) => o.operationId));
      expect(next.parameters['x-ms-apimTemplate-operationName']).toContain('ListRows');
    });

    test('dynamic values: the table dropdown lists the emulator tables by entity set name', async () => {
      const lookups = dynamicLookups(conn.pkg.swagger).filter((l) => l.kind === 'x-ms-dynamic-values' || l.kind === 'x-ms-dynamic-list');
      expect(lookups.length).toBeGreaterThan(0);
      const tables = [...fixture.emulator.service.schema.tables.values()];
      for (const lookup of lookups) {
        const { operationId } = lookup.spec;
        const parameters: Record<string, unknown> = {};
        for (const [name, v] of Object.entries((lookup.spec.parameters ?? {}) as Record<string, any>)) {
          // Literal values only; references to other parameters are filled by the designer from the caller.
          if (typeof v !== 'object' || v === null) parameters[name] = v;
          else if ('value' in v) parameters[name] = v.value;
        }
        const res = await conn.run(operationId, parameters);
        expect(res.status).toBe(200);
        const collectionPath = lookup.spec['value-collection'] ?? lookup.spec.itemsPath;
        const valuePath = lookup.spec['value-path'] ?? lookup.spec.itemValuePath;
        const titlePath = lookup.spec['value-title'] ?? lookup.spec.itemTitlePath;
        const items = collectionPath ? at(res.body, collectionPath) : res.body;
        expect(Array.isArray(items)).toBe(true);
        const values = items.map((i: unknown) => at(i, valuePath)).filter((v: unknown) => v !== undefined && v !== null);
        expect(values).toEqual(expect.arrayContaining(['accounts', 'contacts']));
        // Every data table of the emulator is offered (metadata sets such as EntityDefinitions are PascalCase).
        for (const table of tables) if (/^[a-z]/.test(table.setName)) expect(values).toContain(table.setName);
        const titles = items.map((i: unknown) => at(i, titlePath)).filter((t: unknown) => typeof t === 'string' && t.length > 0);
        expect(titles.length).toBeGreaterThan(0);
      }
    });

    test('columns: schema lookups go through the script, and rows carry exactly the emulator columns', async () => {
      // Column schemas are answered by the connector's script.csx (Dataverse has no JSON Schema to give), so they
      // cannot be called here without it: test/connectors/dynamic-schema.test.ts runs them through the script
      // under Mono. Here: every one of them is an operation the script handles.
      const schemaLookups = dynamicLookups(conn.pkg.swagger).filter((l) => l.kind === 'x-ms-dynamic-schema' || l.kind === 'x-ms-dynamic-properties');
      expect(schemaLookups.length).toBeGreaterThan(0);
      const scripted = conn.pkg.apiProperties.properties.scriptOperations as string[];
      for (const lookup of schemaLookups) expect(scripted).toContain(lookup.spec.operationId);
      const [id] = [...fixture.emulator.service.store.rows('account').keys()];
      const res = await conn.run('GetRow', { entityset: 'accounts', id });
      const table = fixture.emulator.service.schema.tables.get('account')!;
      const known = new Set([...table.columns.keys()].flatMap((c) => [c, `_${c}_value`]));
      const returned = Object.keys(res.body).filter((k) => !k.includes('@'));
      expect(returned).toEqual(expect.arrayContaining(['accountid', 'name']));
      for (const key of returned) expect(known.has(key)).toBe(true);
    });

    test('ListRows pages with @odata.nextLink and the next page is reachable through the connector', async () => {
      const total = fixture.emulator.service.store.rows('account').size;
      expect(total).toBeGreaterThan(2);
      const first = await conn.run('ListRows', {
        entityset: 'accounts',
        $select: 'name,accountid',
        $orderby: 'name asc',
        // The Prefer header is internal; a flow's pagination threshold shows up to Dataverse as a page size.
        Prefer: 'odata.include-annotations="*",odata.maxpagesize=2',
      });
      expect(first.status).toBe(200);
      expect(first.body.value).toHaveLength(2);
      const nextLink: string = first.body['@odata.nextLink'];
      expect(typeof nextLink).toBe('string');
      const sent = conn.sent[conn.sent.length - 1];
      expect(sent.url.startsWith(`${conn.resourceUri}/api/data/v9.2/accounts?`)).toBe(true);
      expect(sent.headers['OData-Version']).toBe('4.0');

      const second = await conn.next(nextLink);
      expect(second.status).toBe(200);
      expect(second.body.value.length).toBeGreaterThan(0);
      const firstIds = first.body.value.map((r: any) => r.accountid);
      for (const row of second.body.value) expect(firstIds).not.toContain(row.accountid);
    });

    test('AddRow, GetRow, UpdateRow, UpsertRow and DeleteRow change the store', async () => {
      const { emulator } = fixture;
      const created = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Connector Row', telephone1: '555-0100' } });
      expect(created.status).toBe(201);
      const id: string = created.body.accountid;
      expect(account(emulator, id)).toMatchObject({ name: 'Connector Row', telephone1: '555-0100' });
      const createSent = conn.sent[conn.sent.length - 1];
      expect(createSent.headers.Prefer).toContain('return=representation');

      const read = await conn.run('GetRow', { entityset: 'accounts', id, $select: 'name' });
      expect(read.body.name).toBe('Connector Row');

      const updated = await conn.run('UpdateRow', { entityset: 'accounts', id, item: { name: 'Connector Row 2' } });
      expect([200, 204]).toContain(updated.status);
      expect(account(emulator, id)?.name).toBe('Connector Row 2');
      expect(conn.sent[conn.sent.length - 1].headers['If-Match']).toBe('*');

      // If-Match: * keeps UpdateRow from creating a row.
      const missing = '00000000-0000-0000-0000-00000000abcd';
      const refused = await conn.fail('UpdateRow', { entityset: 'accounts', id: missing, item: { name: 'Nope' } });
      expect(refused.status).toBe(404);
      expect(account(emulator, missing)).toBeUndefined();

      // Upsert by key: creates a missing row, then updates it.
      const upsertId = '11111111-2222-3333-4444-555555555555';
      const inserted = await conn.run('UpsertRow', { entityset: 'accounts', keyColumn: 'accountid', keyValue: upsertId, item: { name: 'Upserted' } });
      expect([200, 201, 204]).toContain(inserted.status);
      expect(account(emulator, upsertId)?.name).toBe('Upserted');
      await conn.run('UpsertRow', { entityset: 'accounts', keyColumn: 'accountid', keyValue: upsertId, item: { name: 'Upserted again' } });
      expect(account(emulator, upsertId)?.name).toBe('Upserted again');

      const deleted = await conn.run('DeleteRow', { entityset: 'accounts', id });
      expect(deleted.status).toBe(204);
      expect(account(emulator, id)).toBeUndefined();
      await conn.run('DeleteRow', { entityset: 'accounts', id: upsertId });
      expect(account(emulator, upsertId)).toBeUndefined();
    });

    test('RelateRows and UnrelateRows set and clear the lookup in the store', async () => {
      const { emulator } = fixture;
      const a = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Parent Co' } });
      const c = await conn.run('AddRow', { entityset: 'contacts', item: { firstname: 'Rel', lastname: 'Ated' } });
      const accountId: string = a.body.accountid;
      const contactId: string = c.body.contactid;
      const contactUrl = `${conn.routedBase}/contacts(${contactId})`;
      const related = await conn.run('RelateRows', {
        entityset: 'accounts',
        id: accountId,
        navigation: 'contact_customer_accounts',
        item: { '@odata.id': contactUrl },
      });
      expect(related.status).toBe(204);
      expect(Object.values(contact(emulator, contactId)!)).toContain(accountId);
      const children = await conn.run('ListRows', { entityset: 'contacts', $filter: `_parentcustomerid_value eq ${accountId}`, $select: 'fullname' });
      expect(children.body.value).toHaveLength(1);

      const unrelated = await conn.run('UnrelateRows', { entityset: 'accounts', id: accountId, navigation: 'contact_customer_accounts', $id: contactUrl });
      expect(unrelated.status).toBe(204);
      expect(Object.values(contact(emulator, contactId)!)).not.toContain(accountId);
    });

    test('PerformUnboundAction and PerformBoundAction run actions the emulator implements', async () => {
      const { emulator } = fixture;
      const a = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Shared Co' } });
      const userId = emulator.identity.applicationUserId;
      const revoked = await conn.run('PerformUnboundAction', {
        actionName: 'RevokeAccess',
        parameters: {
          Target: { '@odata.type': 'Microsoft.Dynamics.CRM.account', accountid: a.body.accountid },
          Revokee: { '@odata.type': 'Microsoft.Dynamics.CRM.systemuser', systemuserid: userId },
        },
      });
      expect([200, 204]).toContain(revoked.status);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/RevokeAccess/`);

      // A missing parameter is the emulator's 400, proving the body reached the action.
      const bad = await conn.fail('PerformUnboundAction', { actionName: 'RevokeAccess', parameters: {} });
      expect(bad.status).toBe(400);

      const email = await conn.run('AddRow', { entityset: 'emails', item: { subject: 'From the connector' } });
      const sentMail = await conn.run('PerformBoundAction', {
        entityset: 'emails',
        id: email.body.activityid,
        actionName: 'SendEmail',
        parameters: { IssueSend: false },
      });
      expect([200, 204]).toContain(sentMail.status);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/emails(${email.body.activityid})/Microsoft.Dynamics.CRM.SendEmail`);
    });
  });

  describe('typed connector for accounts and contacts', () => {
    let conn: Connection;
    beforeAll(async () => {
      const result = generateConnectors(fixture.model, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] });
      expect(result.connectors).toHaveLength(1);
      conn = await connect(result.connectors[0], fixture.emulator);
    });

    const op = (table: string, kind: string) => {
      const found = listOperations(conn.pkg.swagger).find((o) => o.table === table && o.kind === kind);
      if (!found) throw new Error(`no ${kind} operation for ${table}`);
      return found.operationId;
    };

    test('list with paging, create, get, update, upsert and delete on contacts', async () => {
      const { emulator } = fixture;
      const list = await conn.run(op('contacts', 'read'), { $select: 'fullname', Prefer: 'odata.include-annotations="*",odata.maxpagesize=1' });
      expect(list.body.value).toHaveLength(1);
      const page2 = await conn.next(list.body['@odata.nextLink']);
      expect(page2.body.value.length).toBeGreaterThan(0);

      const created = await conn.run(op('contacts', 'create'), { item: { firstname: 'Typed', lastname: 'Contact' } });
      expect(created.status).toBe(201);
      const contactid: string = created.body.contactid;
      expect(contact(emulator, contactid)).toMatchObject({ firstname: 'Typed', lastname: 'Contact' });

      const getId = listOperations(conn.pkg.swagger).find((o) => o.table === 'contacts' && o.kind === 'read' && !o.pageable)!.operationId;
      const read = await conn.run(getId, { contactid });
      expect(read.body.lastname).toBe('Contact');

      await conn.run(op('contacts', 'update'), { contactid, item: { lastname: 'Changed' } });
      expect(contact(emulator, contactid)?.lastname).toBe('Changed');
      const refused = await conn.fail(op('contacts', 'update'), { contactid: '00000000-0000-0000-0000-00000000dcba', item: { lastname: 'x' } });
      expect(refused.status).toBe(404);

      const upsertId = '22222222-3333-4444-5555-666666666666';
      await conn.run(op('contacts', 'upsert'), { contactid: upsertId, item: { lastname: 'Upserted' } });
      expect(contact(emulator, upsertId)?.lastname).toBe('Upserted');
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/contacts(contactid=${upsertId})`);

      await conn.run(op('contacts', 'delete'), { contactid });
      await conn.run(op('contacts', 'delete'), { contactid: upsertId });
      expect(contact(emulator, contactid)).toBeUndefined();
      expect(contact(emulator, upsertId)).toBeUndefined();
    });

    test('create an account with a lookup bound to a contact', async () => {
      const { emulator } = fixture;
      const c = await conn.run(op('contacts', 'create'), { item: { lastname: 'Primary' } });
      const a = await conn.run(op('accounts', 'create'), { item: { name: 'Typed Co', 'primarycontactid@odata.bind': `/contacts(${c.body.contactid})` } });
      expect(a.status).toBe(201);
      expect(Object.values(account(emulator, a.body.accountid)!)).toContain(c.body.contactid);
    });
  });

  describe('typed connector: relate, unrelate, bound and unbound actions and functions', () => {
    let conn: Connection;
    beforeAll(async () => {
      const result = generateConnectors(fixture.model, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts', 'emails'] });
      expect(result.connectors).toHaveLength(1);
      conn = await connect(result.connectors[0], fixture.emulator);
    });

    test('RelateAccount and UnrelateAccount link and unlink a contact through a typed relationship', async () => {
      const { emulator } = fixture;
      const a = await conn.run('CreateAccount', { item: { name: 'Typed Parent' } });
      const c = await conn.run('CreateContact', { item: { lastname: 'Typed Child' } });
      const accountid: string = a.body.accountid;
      const contactid: string = c.body.contactid;
      const related = await conn.run('RelateAccount', { accountid, navigation: 'contact_customer_accounts', item: { '@odata.id': `contacts(${contactid})` } });
      expect(related.status).toBe(204);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/accounts(${accountid})/contact_customer_accounts/$ref`);
      expect(Object.values(contact(emulator, contactid)!)).toContain(accountid);

      const unrelated = await conn.run('UnrelateAccount', { accountid, navigation: 'contact_customer_accounts', relatedid: contactid });
      expect(unrelated.status).toBe(204);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/accounts(${accountid})/contact_customer_accounts(${contactid})/$ref`);
      expect(Object.values(contact(emulator, contactid)!)).not.toContain(accountid);

      // A relationship outside the dropdown reaches the service and is refused there; nothing is linked.
      const bad = await conn.fail('RelateAccount', { accountid, navigation: 'no_such_relationship', item: { '@odata.id': `contacts(${contactid})` } });
      expect([400, 404]).toContain(bad.status);
      expect(Object.values(contact(emulator, contactid)!)).not.toContain(accountid);
    });

    test('WhoAmI (unbound function) answers with its typed return shape; SendEmail (bound action) runs on an email row', async () => {
      const { emulator } = fixture;
      const me = await conn.run('WhoAmI');
      expect(me.status).toBe(200);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/WhoAmI()`);
      const declared = conn.pkg.swagger.paths['/WhoAmI()'].get!.responses[200] as OpenAPIV2.ResponseObject;
      const shape = conn.pkg.swagger.definitions![((declared.schema as { $ref: string }).$ref).split('/').pop()!];
      expect(Object.keys(shape.properties!).sort()).toEqual(['BusinessUnitId', 'OrganizationId', 'UserId']);
      expect(me.body).toMatchObject({ UserId: emulator.identity.applicationUserId, OrganizationId: expect.any(String), BusinessUnitId: expect.any(String) });

      const email = await conn.run('CreateEmail', { item: { subject: 'From the typed connector' } });
      const sent = await conn.run('SendEmail', { activityid: email.body.activityid, parameters: { IssueSend: false } });
      expect([200, 204]).toContain(sent.status);
      expect(conn.sent[conn.sent.length - 1].url).toBe(`${conn.routedBase}/emails(${email.body.activityid})/Microsoft.Dynamics.CRM.SendEmail`);
      // The required parameter is declared in the body schema, and the service refuses the call without it.
      const body = conn.pkg.swagger.paths['/emails({activityid})/Microsoft.Dynamics.CRM.SendEmail'].post!.parameters!.find((p) => (p as OpenAPIV2.Parameter).in === 'body') as OpenAPIV2.InBodyParameterObject;
      expect(body.schema).toMatchObject({ required: ['IssueSend'], properties: { IssueSend: { type: 'boolean' } } });
      const refused = await conn.fail('SendEmail', { activityid: email.body.activityid, parameters: {} });
      expect(refused.status).toBe(400);
    });

    test('RetrieveVersion and a function with an enum parameter are called with OData literals in the URL', async () => {
      const version = await conn.run('RetrieveVersion');
      expect(version.body.Version).toMatch(/^9\./);
      const path = Object.keys(conn.pkg.swagger.paths).find((p) => p.startsWith('/InitializeFrom('))!;
      expect(path).toContain("TargetFieldType=Microsoft.Dynamics.CRM.TargetFieldType'{TargetFieldType}'");
      expect(path).toContain("TargetEntityName='{TargetEntityName}'");
      expect(path).toContain('EntityMoniker=@EntityMoniker');
    });
  });
});
