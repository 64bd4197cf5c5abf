/**
 * The typed connector style on real metadata (Dataverse v8.2, Business Central v2.0, Microsoft Graph v1.0) and on
 * tiny hand-written CSDL: valid Swagger 2.0, PascalCase unique operationIds, ≤512 schemas, the split behaviour,
 * name collisions and reserved words.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { GeneratorError } from '../../connectors/errors';
import { measureDocument } from '../../connectors/limits';
import { buildTypedDocuments } from '../../connectors/typed';
import { LIMITS, type GenerateOptions, type GeneratorWarning } from '../../connectors/types';
import { METADATA_FIXTURES } from '../helpers/shared';

const FIXTURES = METADATA_FIXTURES;
const dataverse = parseCsdl(fs.readFileSync(`${FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));
const bc = parseCsdl(fs.readFileSync(`${FIXTURES}/businesscentral/bc-api-v2.0-metadata.xml`, 'utf8'));
const graph = parseCsdl(zlib.gunzipSync(fs.readFileSync(`${FIXTURES}/other/msgraph-v1.0-Prod.csdl.xml.gz`)).toString('utf8'));

async function validate(doc: OpenAPIV2.Document): Promise<void> {
  await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)), { dereference: { maxDepth: 100000 } } as never);
}

function operations(doc: OpenAPIV2.Document): OpenAPIV2.OperationObject[] {
  return Object.values(doc.paths).flatMap((item) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const).map((m) => (item as Record<string, OpenAPIV2.OperationObject>)[m]).filter(Boolean),
  );
}

function checkConnectorRules(doc: OpenAPIV2.Document): void {
  const ids = operations(doc).map((o) => o.operationId!);
  expect(ids.every((id) => /^[A-Z][A-Za-z0-9]*$/.test(id))).toBe(true);
  expect(new Set(ids.map((i) => i.toLowerCase())).size).toBe(ids.length);
  for (const op of operations(doc)) {
    expect(op.summary!.length).toBeLessThanOrEqual(80);
    expect(op.summary).not.toMatch(/[/\\<>*%&?]|[^A-Za-z0-9]$/);
    expect(op.description).toMatch(/\.$/);
    expect(op.description).not.toBe(op.summary);
    for (const p of op.parameters ?? []) {
      const param = '$ref' in p ? doc.parameters![(p.$ref as string).split('/').pop()!] : p;
      expect(param['x-ms-summary']).toBeTruthy();
      expect(param.description).toBeTruthy();
      if (param['x-ms-visibility'] === 'internal' && param.required) expect(param.default).toBeDefined();
    }
  }
  const m = measureDocument(doc);
  expect(m.schemas).toBeLessThanOrEqual(LIMITS.maxSchemas);
  expect(m.bytes).toBeLessThanOrEqual(LIMITS.maxSwaggerBytes);
  expect(doc.info.title.length).toBeLessThanOrEqual(30);
}

const options = (extra: Partial<GenerateOptions> = {}): GenerateOptions => ({ service: 'dataverse', style: 'typed', ...extra });

describe('typed style: Dataverse v8.2', () => {
  const warnings: GeneratorWarning[] = [];
  const docs = buildTypedDocuments(dataverse, options({ tables: ['accounts', 'contact'] }), warnings);
  const doc = docs[0];

  test('one valid document with the six operations and relate/unrelate per table; unbound operations left out with a warning', async () => {
    expect(docs).toHaveLength(1);
    await validate(doc);
    checkConnectorRules(doc);
    // Triggers are added beside the operations by their own module; this checks the operations.
    const ids = operations(doc).filter((o) => !(o as Record<string, unknown>)['x-ms-trigger'] && !/RowChanges$/.test(o.operationId!)).map((o) => o.operationId).sort();
    const perTable = (s: string) => ['List', 'Get', 'Create', 'Update', 'Upsert', 'Delete', 'Relate', 'Unrelate'].map((v) => `${v}${v === 'List' ? `${s}s` : s}`);
    // v8.2 binds no action or function to account or contact (only to their base type, which is left out).
    expect(ids).toEqual([...perTable('Account'), ...perTable('Contact')].sort());
    const skipped = warnings.find((w) => w.code === 'SkippedOperation' && w.where === 'unbound actions and functions');
    expect(skipped?.message).toMatch(/^The 144 unbound actions and functions \(\d+ KB, \d+ schemas\) do not fit next to the chosen tables; generate with --split/);
  });

  test('paths, key syntax, paging, If-Match only on Update', () => {
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/accounts', '/accounts({accountid})', '/accounts(accountid={accountid})', '/contacts({contactid})']),
    );
    const list = doc.paths['/accounts'].get!;
    expect((list as Record<string, unknown>)['x-ms-pageable']).toEqual({ nextLinkName: '@odata.nextLink' });
    const names = (list.parameters as { $ref: string }[]).map((p) => doc.parameters![p.$ref.split('/').pop()!].name);
    expect(names).toEqual(expect.arrayContaining(['$select', '$filter', '$orderby', '$top', '$expand', '$count']));
    const listSchema = (list.responses[200] as OpenAPIV2.ResponseObject).schema as OpenAPIV2.SchemaObject;
    expect(listSchema.properties!.value).toMatchObject({ type: 'array', items: { $ref: '#/definitions/Account' } });
    const refs = (op: OpenAPIV2.OperationObject) => (op.parameters as { $ref?: string }[]).map((p) => p.$ref).filter(Boolean);
    expect(refs(doc.paths['/accounts({accountid})'].patch!)).toContain('#/parameters/IfMatchAny');
    expect(refs(doc.paths['/accounts(accountid={accountid})'].patch!)).not.toContain('#/parameters/IfMatchAny');
    expect(doc.parameters!.IfMatchAny).toMatchObject({ name: 'If-Match', in: 'header', default: '*', 'x-ms-visibility': 'internal' });
    const key = doc.paths['/accounts({accountid})'].get!.parameters!.find((p) => (p as OpenAPIV2.Parameter).in === 'path') as OpenAPIV2.Parameter;
    // Power Automate's schema knows no uuid format: GUIDs are plain strings in the connector.
    expect(key).toMatchObject({ name: 'accountid', type: 'string', required: true, 'x-ms-url-encoding': 'double' });
    expect(key.format).toBeUndefined();
  });

  test('schemas: Edm types, read-only keys and computed columns, lookups as @odata.bind, no navigation', () => {
    const row = doc.definitions!.Account.properties!;
    expect(row.accountid).toMatchObject({ type: 'string', readOnly: true });
    expect(row.versionnumber).toMatchObject({ type: 'integer', format: 'int64' });
    expect(row.revenue).toMatchObject({ type: 'number', format: 'double' });
    expect(row.createdon).toMatchObject({ type: 'string', format: 'date-time' });
    expect(row._parentaccountid_value).toMatchObject({ type: 'string' });
    expect(row.parentaccountid).toBeUndefined(); // navigation stays out
    expect(row.contact_customer_accounts).toBeUndefined();
    const create = doc.definitions!.AccountCreate.properties!;
    expect(create['parentaccountid@odata.bind']).toMatchObject({ type: 'string' });
    expect(create['parentaccountid@odata.bind'].description).toContain('accounts(');
    expect(create._parentaccountid_value).toBeUndefined();
    expect(create.accountid).toBeDefined();
    expect(doc.definitions!.AccountUpdate.properties!.accountid).toBeUndefined();
    expect(Object.values(row).every((p) => (p as OpenAPIV2.SchemaObject).description)).toBe(true);
  });

  test("'*' without split is refused with the size, the limit and what to do", () => {
    let error: GeneratorError | undefined;
    try {
      buildTypedDocuments(dataverse, options({ tables: ['*'] }), []);
    } catch (e) {
      error = e as GeneratorError;
    }
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error!.code).toBe('TooLarge');
    expect(error!.message).toMatch(/\d+ schemas/);
    expect(error!.message).toContain('512');
    expect(error!.message).toContain('use --split or fewer --tables');
  });

  test("'*' with split: several valid documents within the limits, every table once", async () => {
    const w: GeneratorWarning[] = [];
    const split = buildTypedDocuments(dataverse, options({ tables: ['*'], split: true }), w);
    expect(split.length).toBeGreaterThan(1);
    expect(w.filter((x) => x.code === 'Split').length).toBeGreaterThan(0);
    const titles = split.map((d) => d.info.title);
    expect(new Set(titles).size).toBe(split.length);
    expect(titles[1]).toMatch(/ 2$/);
    const listed = split.flatMap((d) => Object.values(d.paths).filter((item) => item.get && (item.get as Record<string, unknown>)['x-ms-pageable']));
    expect(listed.length).toBe(dataverse.entitySets.size);
    // With --split the unbound operations are in the first connector, once.
    const unbound = split.map((d) => Object.keys(d.paths).filter((p) => p === '/WhoAmI()').length);
    expect(unbound).toEqual([1, ...split.slice(1).map(() => 0)]);
    for (const d of split) {
      checkConnectorRules(d);
      await validate(d);
    }
  }, 120_000);

  test('unknown table names are refused with close matches', () => {
    expect(() => buildTypedDocuments(dataverse, options({ tables: ['acounts'] }), [])).toThrow(/acounts.*accounts/);
    try {
      buildTypedDocuments(dataverse, options({ tables: ['nosuchtable'] }), []);
    } catch (e) {
      expect((e as GeneratorError).code).toBe('UnknownTable');
    }
  });
});

describe('typed style: Business Central v2.0 and Microsoft Graph v1.0', () => {
  test('Business Central: a few tables, enums with x-ms-enum-values', async () => {
    const w: GeneratorWarning[] = [];
    const docs = buildTypedDocuments(bc, options({ service: 'fno', tables: ['companies', 'customers', 'salesOrders', 'items'] }), w);
    expect(docs).toHaveLength(1);
    await validate(docs[0]);
    checkConnectorRules(docs[0]);
    const withEnum = Object.values(docs[0].definitions!).flatMap((d) => Object.values(d.properties ?? {})).find((p) => (p as OpenAPIV2.SchemaObject).enum);
    expect(withEnum).toBeDefined();
    expect((withEnum as Record<string, unknown>)['x-ms-enum-values']).toBeDefined();
  });

  test('Business Central: every entity set with split', async () => {
    const docs = buildTypedDocuments(bc, options({ service: 'fno', split: true }), []);
    for (const d of docs) {
      checkConnectorRules(d);
      await validate(d);
    }
  }, 60_000);

  test('Graph: a handful of entity sets, complex types as shared definitions, string keys quoted', async () => {
    const w: GeneratorWarning[] = [];
    const docs = buildTypedDocuments(graph, options({ service: 'fno', tables: ['users', 'groups', 'applications', 'drives', 'sites'] }), w);
    expect(docs.length).toBeGreaterThanOrEqual(1);
    for (const d of docs) {
      await validate(d);
      checkConnectorRules(d);
    }
    const doc = docs[0];
    expect(Object.keys(doc.paths)).toContain("/users('{id}')");
    expect(doc.definitions!.User).toBeDefined();
    expect(Object.keys(doc.definitions!).length).toBeGreaterThan(15);
  }, 60_000);
});

describe('typed style: names', () => {
  const csdl = (body: string) =>
    parseCsdl(`<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Test.Ns" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      ${body}
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`);

  test('names that collide after PascalCase, reserved words and very long names stay valid, with warnings', async () => {
    const long = `table_${'x'.repeat(90)}`;
    const model: CsdlModel = csdl(`
      <EntityType Name="new_item"><Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.Guid" Nullable="false"/><Property Name="default" Type="Edm.String"/>
        <Property Name="odd" Type="Test.Ns.NoSuchType"/><Property Name="when" Type="Edm.Date" Nullable="false"/></EntityType>
      <EntityType Name="newItem"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityType Name="delete"><Key><PropertyRef Name="code"/></Key><Property Name="code" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityType Name="${long}"><Key><PropertyRef Name="company"/><PropertyRef Name="no"/></Key>
        <Property Name="company" Type="Edm.String" Nullable="false"/><Property Name="no" Type="Edm.String" Nullable="false"/></EntityType>
      <EntityType Name="nokey"><Property Name="a" Type="Edm.String"/></EntityType>
      <EntityContainer Name="C">
        <EntitySet Name="new_items" EntityType="Test.Ns.new_item"/>
        <EntitySet Name="newItems" EntityType="Test.Ns.newItem"/>
        <EntitySet Name="delete" EntityType="Test.Ns.delete"/>
        <EntitySet Name="${long}s" EntityType="Test.Ns.${long}"/>
        <EntitySet Name="nokeys" EntityType="Test.Ns.nokey"/>
      </EntityContainer>`);
    const warnings: GeneratorWarning[] = [];
    const [doc] = buildTypedDocuments(model, options({ service: 'fno' }), warnings);
    await validate(doc);
    checkConnectorRules(doc);
    const ids = operations(doc).map((o) => o.operationId!);
    expect(ids).toEqual(expect.arrayContaining(['ListNewItems', 'ListNewItems2', 'GetNewItem', 'GetNewItem2', 'ListDeleteRecord', 'DeleteDeleteRecord']));
    expect(ids.every((id) => id.length <= 64)).toBe(true);
    const codes = new Set(warnings.map((w) => w.code));
    for (const code of ['NameCollision', 'ReservedWord', 'NameTruncated', 'UnknownType', 'SkippedOperation']) expect(codes).toContain(code);
    expect(doc.definitions!.NewItem.properties!.odd).toMatchObject({ type: 'string' });
    expect(doc.definitions!.NewItem2).toBeDefined();
    expect(doc.definitions!.NewItemCreate.required).toEqual(['when']);
    // Composite string key: named, quoted; Upsert uses the reverse order.
    const paths = Object.keys(doc.paths).filter((p) => p.includes('company'));
    expect(paths).toEqual(expect.arrayContaining([expect.stringContaining("(company='{company}',no='{no}')"), expect.stringContaining("(no='{no}',company='{company}')")]));
    expect(Object.keys(doc.paths)).toContain("/delete('{code}')");
  });
});
