/**
 * Design-time column schemas of the dynamic connector, run for real: the generated script.csx is compiled with
 * Mono together with the documented ScriptBase types and a gateway stand-in (test/helpers/csx-runner.ts), and
 * swagger-client calls the connector through it the way Power Automate does (dynamichosturl path, Entra token,
 * scriptOperations through Script.ExecuteAsync, everything else straight to the environment). The columns the
 * script reports are checked against the emulator's own EntityDefinitions, read independently, and a row shaped
 * by the schema is created through the connector and checked in the emulator's store.
 *
 * Needs Mono (scripts/ci/install-mono.sh); without it the suite fails and says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors } from '../../connectors';
import { GET_TABLE_SCHEMA, SCHEMA_VALUE_PATH } from '../../connectors/dynamic/table-schema';
import { appToken, httpsRequest } from '../helpers/emulator';
import { monoAvailable, useScriptedConnection } from './script-harness';
import { extensionsIn } from './swagger-connection';

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');

/** The JSON Schema type and format the columns of an AttributeType must have. */
const EXPECTED_TYPES: Record<string, { type: string; format?: string }> = {
  String: { type: 'string' },
  Memo: { type: 'string' },
  EntityName: { type: 'string' },
  Integer: { type: 'integer', format: 'int32' },
  BigInt: { type: 'integer', format: 'int64' },
  Decimal: { type: 'number', format: 'decimal' },
  Money: { type: 'number', format: 'decimal' },
  Double: { type: 'number', format: 'double' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  Uniqueidentifier: { type: 'string', format: 'uuid' },
  Picklist: { type: 'integer', format: 'int32' },
  State: { type: 'integer', format: 'int32' },
  Status: { type: 'integer', format: 'int32' },
};
const LOOKUPS = new Set(['Lookup', 'Customer', 'Owner']);

describe('dynamic connector: column schemas through script.csx under Mono', () => {
  if (!monoAvailable()) return;

  const [pkg] = generateConnectors(parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8')), { service: 'dataverse', style: 'dynamic' }).connectors;
  const fixture = useScriptedConnection(pkg, { limits: 'off' });

  /** The account definition as the emulator serves it, read directly (not through the connector). */
  async function accountDefinition(): Promise<{ attributes: any[]; relationships: any[]; options: Map<string, number[]> }> {
    const { emulator } = fixture;
    const token = await appToken(emulator, emulator.dataverseUrl);
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    const base = `${emulator.dataverseUrl}api/data/v9.2/EntityDefinitions(LogicalName='account')`;
    const table = await httpsRequest(emulator, 'GET', `${base}?$select=LogicalName&$expand=Attributes,ManyToOneRelationships`, { headers });
    expect(table.status).toBe(200);
    const picklists = await httpsRequest(emulator, 'GET', `${base}/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet`, { headers });
    const options = new Map<string, number[]>(picklists.json.value.map((a: any) => [a.LogicalName, a.OptionSet.Options.map((o: any) => o.Value)]));
    return { attributes: table.json.Attributes, relationships: table.json.ManyToOneRelationships, options };
  }

  test('the package ships script.csx for GetTableSchema and every schema extension points at it', () => {
    expect(pkg.apiProperties.properties.scriptOperations).toContain(GET_TABLE_SCHEMA);
    expect(pkg.settings.script).toBe('script.csx');
    expect(pkg.script!.text).toContain(`case "${GET_TABLE_SCHEMA}":`);
    // Action bodies have their own schema operation (action-parameters.test.ts); every other lookup is for rows.
    const lookups = extensionsIn(pkg.swagger, ['x-ms-dynamic-schema', 'x-ms-dynamic-properties']).filter((l) => l.spec.operationId !== 'GetActionParameters');
    const kinds = new Set(lookups.map((l) => l.kind));
    expect(kinds).toEqual(new Set(['x-ms-dynamic-schema', 'x-ms-dynamic-properties']));
    for (const l of lookups) expect(l.spec.operationId).toBe(GET_TABLE_SCHEMA);
    // Bodies of AddRow, UpdateRow, UpsertRow and the rows of ListRows, GetRow (and the write responses).
    const where = lookups.map((l) => l.where).join('\n');
    for (const id of ['AddRow', 'UpdateRow', 'UpsertRow', 'ListRows', 'GetRow']) {
      const op = Object.values(pkg.swagger.paths).flatMap((item) => Object.values(item as Record<string, any>)).find((o) => o?.operationId === id);
      expect(op).toBeDefined();
      expect(JSON.stringify(op)).toContain(GET_TABLE_SCHEMA);
    }
    expect(where).toContain('#/paths//{entityset}/post/parameters');
  });

  test('create schema of accounts: the writable columns of EntityDefinitions with their types, choices, lookups and required columns', async () => {
    const { conn, proxy } = fixture;
    const res = await conn.run(GET_TABLE_SCHEMA, { entityset: 'accounts', purpose: 'create' });
    expect(res.status).toBe(200);
    expect(conn.sent[conn.sent.length - 1].url).toContain("/api/data/v9.2/EntityDefinitions(EntitySetName='accounts')");
    expect(res.body.table).toMatchObject({ LogicalName: 'account', EntitySetName: 'accounts', PrimaryIdAttribute: 'accountid', PrimaryNameAttribute: 'name' });
    const schema = res.body[SCHEMA_VALUE_PATH];
    expect(schema.type).toBe('object');
    const props: Record<string, any> = schema.properties;

    const { attributes, relationships, options } = await accountDefinition();
    let plain = 0;
    let binds = 0;
    for (const a of attributes) {
      if (a.AttributeOf || a.AttributeType === 'Virtual') continue;
      if (LOOKUPS.has(a.AttributeType)) {
        for (const r of relationships.filter((x: any) => x.ReferencingAttribute === a.LogicalName)) {
          const bind = `${r.ReferencingEntityNavigationPropertyName}@odata.bind`;
          if (a.IsValidForCreate) {
            expect(props[bind]).toMatchObject({ type: 'string' });
            binds++;
          } else expect(props[bind]).toBeUndefined();
        }
        expect(props[a.LogicalName]).toBeUndefined();
        continue;
      }
      const expected = EXPECTED_TYPES[a.AttributeType];
      if (!a.IsValidForCreate || !expected) {
        expect({ column: a.LogicalName, schema: props[a.LogicalName] }).toEqual({ column: a.LogicalName, schema: undefined });
        continue;
      }
      // Date-only columns are `date`; the emulator's are all date and time.
      expect({ column: a.LogicalName, type: props[a.LogicalName]?.type, format: props[a.LogicalName]?.format }).toEqual({ column: a.LogicalName, format: undefined, ...expected });
      plain++;
    }
    expect(plain).toBeGreaterThan(10);
    // Every lookup the definition lets a create set has its binds (contacts' customer lookup is checked below).
    expect(binds).toBe(Object.keys(props).filter((k) => k.endsWith('@odata.bind')).length);
    // Columns the schema names all exist in the definition (nothing invented).
    const known = new Set([...attributes.map((a: any) => a.LogicalName), ...relationships.map((r: any) => `${r.ReferencingEntityNavigationPropertyName}@odata.bind`)]);
    for (const name of Object.keys(props)) expect(known.has(name)).toBe(true);

    // Choices: the option values as an enum, labelled.
    expect(props.industrycode.enum).toEqual(options.get('industrycode'));
    expect(props.industrycode['x-ms-enum-values'][0]).toEqual({ value: 1, displayName: 'Accounting' });
    // Text length from StringAttributeMetadata, required from RequiredLevel.
    expect(props.name.maxLength).toBe(160);
    expect(props.name['x-ms-summary']).toBeTruthy();
    expect(schema.required).toContain('name');
    expect(schema.required).not.toContain('accountid');
    expect(schema.required).not.toContain('statecode');
    // Dataverse lets a create set the primary key, never statecode.
    expect(props.accountid).toMatchObject({ type: 'string', format: 'uuid' });
    expect(props.statecode).toBeUndefined();

    const run = proxy.executions.filter((e) => e.operationId === GET_TABLE_SCHEMA);
    expect(run.length).toBeGreaterThan(0);
    expect(run.every((e) => e.outcome === 'ok')).toBe(true);
  });

  test('update, upsert and read schemas differ as Dataverse allows', async () => {
    const { conn } = fixture;
    const update = (await conn.run(GET_TABLE_SCHEMA, { entityset: 'accounts', purpose: 'update' })).body.schema;
    expect(update.properties.accountid).toBeUndefined();
    expect(update.properties.name).toMatchObject({ type: 'string' });
    expect(update.required).toBeUndefined();
    const upsert = (await conn.run(GET_TABLE_SCHEMA, { entityset: 'accounts', purpose: 'upsert' })).body.schema;
    expect(upsert.properties.accountid).toBeDefined();
    expect(upsert.properties.statecode).toBeDefined();
    expect(upsert.required).toBeUndefined();
    const read = (await conn.run(GET_TABLE_SCHEMA, { entityset: 'accounts', purpose: 'read' })).body.schema;
    expect(read.properties._primarycontactid_value).toMatchObject({ type: 'string', format: 'uuid' });
    expect(read.properties['primarycontactid@odata.bind']).toBeUndefined();
    expect(read.properties.createdon).toMatchObject({ type: 'string', format: 'date-time', readOnly: true });
    expect(read.properties['statecode@OData.Community.Display.V1.FormattedValue']).toMatchObject({ type: 'string' });
    expect(read.properties['@odata.etag']).toMatchObject({ type: 'string' });
  });

  test('a row read through the connector has only columns the read schema names', async () => {
    const { conn, emulator } = fixture;
    const read = (await conn.run(GET_TABLE_SCHEMA, { entityset: 'contacts', purpose: 'read' })).body.schema;
    const [id] = [...emulator.service.store.rows('contact').keys()];
    const row = await conn.run('GetRow', { entityset: 'contacts', id });
    expect(row.status).toBe(200);
    const columns = Object.keys(row.body).filter((k) => !k.startsWith('@odata.') && !k.includes('@Microsoft.Dynamics.CRM.') && !k.endsWith('@OData.Community.Display.V1.FormattedValue'));
    expect(columns.length).toBeGreaterThan(5);
    for (const c of columns) expect({ column: c, known: c in read.properties }).toEqual({ column: c, known: true });
  });

  test('a row shaped by the create schema is accepted by the emulator', async () => {
    const { conn, emulator } = fixture;
    const schema = (await conn.run(GET_TABLE_SCHEMA, { entityset: 'contacts', purpose: 'create' })).body.schema;
    const props: Record<string, any> = schema.properties;
    const account = await conn.run('AddRow', { entityset: 'accounts', item: { name: 'Schema Parent' } });
    const accountId: string = account.body.accountid;

    // One value of each kind the schema offers, chosen from the schema itself: required text, a choice, a whole
    // number, a date and the customer lookup bound to the account.
    const item: Record<string, unknown> = {};
    for (const name of schema.required ?? []) item[name] = 'Shaped'.slice(0, props[name].maxLength ?? 6);
    const choice = Object.keys(props).find((k) => props[k].enum?.length > 1)!;
    item[choice] = props[choice].enum[1];
    const integer = Object.keys(props).find((k) => props[k].type === 'integer' && props[k].format === 'int32' && !props[k].enum)!;
    item[integer] = 42;
    const date = Object.keys(props).find((k) => props[k].format === 'date-time' || props[k].format === 'date')!;
    item[date] = props[date].format === 'date' ? '2026-01-31' : '2026-01-31T10:00:00Z';
    const bind = Object.keys(props).find((k) => k.endsWith('@odata.bind') && props[k]['x-ms-summary'].includes('(account)'))!;
    expect(bind).toBe('parentcustomerid_account@odata.bind');
    // A customer lookup: one bind per target table.
    expect(props['parentcustomerid_contact@odata.bind']).toMatchObject({ type: 'string' });
    item[bind] = `/accounts(${accountId})`;
    expect(Object.keys(item).length).toBeGreaterThanOrEqual(5);
    for (const key of Object.keys(item)) expect(props[key]).toBeDefined();

    const created = await conn.run('AddRow', { entityset: 'contacts', item });
    expect(created.status).toBe(201);
    const stored = emulator.service.store.get('contact', created.body.contactid)!;
    expect(stored).toMatchObject({ [choice]: props[choice].enum[1], [integer]: 42 });
    for (const name of schema.required ?? []) expect(stored[name]).toBe(item[name]);
    expect(Object.values(stored)).toContain(accountId);
  });

  test('every table the dropdown offers gets a schema through the script', async () => {
    const { conn, emulator } = fixture;
    const tables = (await conn.run('GetTables')).body.value as Array<{ EntitySetName: string; LogicalName: string }>;
    const sets = tables.filter((t) => /^[a-z]/.test(t.EntitySetName));
    expect(sets.length).toBeGreaterThan(5);
    for (const t of sets) {
      const res = await conn.run(GET_TABLE_SCHEMA, { entityset: t.EntitySetName, purpose: 'create' });
      expect(res.status).toBe(200);
      expect(res.body.table.LogicalName).toBe(t.LogicalName);
      const primary = emulator.service.schema.tables.get(t.LogicalName)!.primaryId;
      expect(res.body.schema.properties[primary]).toMatchObject({ type: 'string', format: 'uuid' });
    }
  }, 300_000);

  test('bad input gets a clear error from the script, and Dataverse errors pass through', async () => {
    const refusals: Array<[entityset: string, purpose: string, status: number, message: string | ReturnType<typeof expect.stringContaining>]> = [
      ['nosuchtables', 'create', 404, "No table has the entity set name 'nosuchtables'."],
      ["accounts') or (1 eq 1", 'create', 400, expect.stringContaining('is not an entity set name')],
      ['accounts', 'delete', 400, expect.stringContaining("The purpose 'delete'")],
    ];
    for (const [entityset, purpose, status, message] of refusals) {
      const refused = await fixture.conn.fail(GET_TABLE_SCHEMA, { entityset, purpose });
      expect({ entityset, purpose, status: refused.status, message: refused.body.error.message }).toEqual({ entityset, purpose, status, message });
    }
  });
});
