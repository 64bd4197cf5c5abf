import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { buildDynamicDocument } from '../../connectors/dynamic';
import { SUMMARY_RESTRICTED } from '../../connectors/names';
import { LIMITS, type GeneratorWarning } from '../../connectors/types';
import { METADATA_FIXTURES } from '../helpers/shared';

const ROOT = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

type Json = Record<string, unknown>;

const inputs: Array<[string, () => CsdlModel]> = [
  ['emulator model', () => parseCsdl(readFileSync(join(ROOT, 'emulator/model/dataverse.xml'), 'utf8'))],
  ['crm v8.2 fixture', () => parseCsdl(readFileSync(`${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'))],
];

function operations(doc: OpenAPIV2.Document): Array<{ path: string; method: string; op: Json }> {
  const out: Array<{ path: string; method: string; op: Json }> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Json)) if (METHODS.includes(method)) out.push({ path, method, op: op as Json });
  }
  return out;
}

/** Parameters with $refs to #/parameters resolved. */
function params(doc: OpenAPIV2.Document, op: Json): Json[] {
  return ((op.parameters as Json[]) ?? []).map((p) => (typeof p.$ref === 'string' ? ((doc.parameters as Json)[p.$ref.split('/').pop()!] as Json) : p));
}

/** Every object in the document with its JSON pointer. */
function walk(value: unknown, pointer: string, visit: (v: Json, pointer: string) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${pointer}/${i}`, visit));
  else if (value && typeof value === 'object') {
    visit(value as Json, pointer);
    for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${k}`, visit);
  }
}

describe.each(inputs)('dynamic Dataverse connector for the %s', (_name, load) => {
  let doc: OpenAPIV2.Document;
  let warnings: GeneratorWarning[];
  let model: CsdlModel;

  beforeAll(() => {
    model = load();
    warnings = [];
    doc = buildDynamicDocument(model, { service: 'dataverse', style: 'dynamic' }, warnings);
  });

  it('is valid Swagger 2.0', async () => {
    await expect(SwaggerParser.validate(JSON.parse(JSON.stringify(doc)))).resolves.toBeTruthy();
  });

  it('has the generic operations at the Web API paths', () => {
    const table = Object.fromEntries(operations(doc).map(({ path, method, op }) => [op.operationId as string, `${method.toUpperCase()} ${path}`]));
    expect(table).toEqual({
      ListRows: 'GET /{entityset}',
      GetRow: 'GET /{entityset}({id})',
      AddRow: 'POST /{entityset}',
      UpdateRow: 'PATCH /{entityset}({id})',
      UpsertRow: 'PATCH /{entityset}({keyColumn}={keyValue})',
      DeleteRow: 'DELETE /{entityset}({id})',
      RelateRows: 'POST /{entityset}({id})/{navigation}/$ref',
      UnrelateRows: 'DELETE /{entityset}({id})/{navigation}/$ref',
      PerformBoundAction: 'POST /{entityset}({id})/Microsoft.Dynamics.CRM.{actionName}',
      PerformUnboundAction: 'POST /{actionName}/',
      GetActionParameters: 'GET /{actionName}/$parameters',
      PerformChangeset: 'POST /$batch',
      UploadFileOrImage: 'PUT /{entityset}({id})/{column}',
      DownloadFileOrImage: 'GET /{entityset}({id})/{column}/$value',
      GetTables: 'GET /EntityDefinitions',
      GetTableSchema: "GET /EntityDefinitions(EntitySetName='{entityset}')",
      SubscribeRowChanges: 'POST /callbackregistrations',
      SubscribeActionPerformed: 'POST /callbackregistrations/',
      UnsubscribeRowChanges: 'DELETE /callbackregistrations({callbackregistrationid})',
    });
    expect(doc.basePath).toBe('/api/data/v9.2');
    expect(warnings).toEqual([]);
  });

  it('has unique PascalCase operationIds and valid summaries and descriptions', () => {
    const ids = operations(doc).map(({ op }) => op.operationId as string);
    expect(new Set(ids.map((i) => i.toLowerCase())).size).toBe(ids.length);
    for (const { op } of operations(doc)) {
      expect(op.operationId).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      const summary = op.summary as string;
      expect(summary.length).toBeLessThanOrEqual(LIMITS.summaryLength);
      expect(summary).not.toMatch(SUMMARY_RESTRICTED);
      expect(summary).toMatch(/[A-Za-z0-9]$/);
      expect(summary).not.toBe(op.operationId);
      const description = op.description as string;
      expect(description).toMatch(/\.$/);
      expect(description.replace(/\.$/, '').toLowerCase()).not.toBe(summary.toLowerCase());
    }
  });

  it('describes every visible parameter and gives every internal one a required default', () => {
    for (const { op } of operations(doc)) {
      for (const p of params(doc, op)) {
        if (p['x-ms-visibility'] === 'internal') {
          expect(p.required).toBe(true);
          expect(p.default).toBeDefined();
        } else {
          expect(typeof p['x-ms-summary']).toBe('string');
          expect(typeof p.description).toBe('string');
          expect(p.description).not.toBe('');
        }
        if (p.in === 'path') expect(p['x-ms-url-encoding']).toBe('double');
      }
    }
  });

  it('sends If-Match only on UpdateRow and makes ListRows pageable', () => {
    const byId = Object.fromEntries(operations(doc).map(({ op }) => [op.operationId as string, op]));
    const ifMatch = (id: string) => params(doc, byId[id]).find((p) => p.name === 'If-Match');
    expect(ifMatch('UpdateRow')).toMatchObject({ default: '*', 'x-ms-visibility': 'internal', required: true });
    expect(ifMatch('UpsertRow')).toBeUndefined();
    expect(byId.ListRows['x-ms-pageable']).toEqual({ nextLinkName: '@odata.nextLink' });
    expect(params(doc, byId.ListRows).map((p) => p.name)).toEqual(
      expect.arrayContaining(['$select', '$filter', '$orderby', '$expand', 'fetchXml', '$top', '$count', '$skiptoken']),
    );
  });

  it('lists the actions of the metadata', () => {
    const byId = Object.fromEntries(operations(doc).map(({ op }) => [op.operationId as string, op]));
    const unbound = params(doc, byId.PerformUnboundAction).find((p) => p.name === 'actionName')!;
    const imports = new Set([...model.actionImports.values()]);
    const expected = [...new Set(model.actions.filter((a) => !a.bound && imports.has(a.qualifiedName)).map((a) => a.name))].sort();
    expect([...((unbound.enum as string[]) ?? [])].sort()).toEqual(expected);
  });

  it('refers only to operations that exist from x-ms-dynamic-* extensions', () => {
    const ids = new Set(operations(doc).map(({ op }) => op.operationId as string));
    let count = 0;
    walk(doc, '', (v, pointer) => {
      for (const key of ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties']) {
        const ext = v[key] as Json | undefined;
        if (!ext) continue;
        count++;
        expect({ pointer, operationId: ext.operationId, exists: ids.has(ext.operationId as string) }).toMatchObject({ exists: true });
      }
    });
    expect(count).toBeGreaterThan(0);
  });

  it('keeps schemas off default responses and avoids empty schemas and type arrays', () => {
    for (const { op } of operations(doc)) {
      const responses = op.responses as Record<string, Json>;
      expect(responses.default).toBeDefined();
      expect(responses.default.schema).toBeUndefined();
      expect(Object.keys(responses).some((code) => /^2\d\d$/.test(code))).toBe(true);
    }
    walk(doc, '', (v, pointer) => {
      if (v.schema && typeof v.schema === 'object') expect({ pointer, empty: Object.keys(v.schema).length === 0 }).toMatchObject({ empty: false });
      if ('type' in v && !pointer.endsWith('/properties')) expect({ pointer, isArray: Array.isArray(v.type) }).toMatchObject({ isArray: false });
    });
  });

  it('stays within the schema count and size limits', () => {
    let schemas = 0;
    walk(doc, '', (v, pointer) => {
      if (/\/(schema|items|definitions\/[^/]+|properties\/[^/]+)$/.test(pointer)) schemas++;
    });
    expect(schemas).toBeLessThanOrEqual(LIMITS.maxSchemas);
    expect(Object.keys(doc.definitions ?? {}).length).toBeLessThanOrEqual(LIMITS.maxSchemas);
    expect(Buffer.byteLength(JSON.stringify(doc, null, 4))).toBeLessThanOrEqual(LIMITS.maxSwaggerBytes);
  });
});

describe('buildDynamicDocument options', () => {
  const model = parseCsdl(readFileSync(join(ROOT, 'emulator/model/dataverse.xml'), 'utf8'));

  it('refuses Finance and Operations', () => {
    expect(() => buildDynamicDocument(model, { service: 'fno', style: 'dynamic' }, [])).toThrow(/Dataverse only/);
  });

  it('warns that a table list does not apply', () => {
    const warnings: GeneratorWarning[] = [];
    buildDynamicDocument(model, { service: 'dataverse', style: 'dynamic', tables: ['accounts'] }, warnings);
    expect(warnings.map((w) => w.code)).toEqual(['Other']);
  });

  it('is deterministic', () => {
    const a = JSON.stringify(buildDynamicDocument(model, { service: 'dataverse', style: 'dynamic' }, []));
    const b = JSON.stringify(buildDynamicDocument(model, { service: 'dataverse', style: 'dynamic' }, []));
    expect(a).toBe(b);
  });
});
