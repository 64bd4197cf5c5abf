/**
 * Relate/unrelate, bound and unbound actions and functions in the typed style, on the emulator's model and on the
 * real Dataverse v8.2 metadata: paths, typed parameters and return schemas, unique PascalCase names, the limits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import { listOperations } from '../../connectors';
import { measureDocument } from '../../connectors/limits';
import { buildTypedDocuments } from '../../connectors/typed';
import { LIMITS, type GeneratorWarning } from '../../connectors/types';
import { METADATA_FIXTURES } from '../helpers/shared';

const emulatorModel = parseCsdl(fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml'), 'utf8'));
const crm = parseCsdl(fs.readFileSync(`${METADATA_FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));

type Op = OpenAPIV2.OperationObject;
const params = (doc: OpenAPIV2.Document, op: Op) =>
  (op.parameters ?? []).map((p) => ('$ref' in p ? doc.parameters![(p.$ref as string).split('/').pop()!] : p)) as OpenAPIV2.Parameter[];

function allIds(docs: OpenAPIV2.Document[]): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch'];
  return docs.flatMap((d) =>
    Object.values(d.paths).flatMap((item) => Object.entries(item as Record<string, Op>).filter(([m]) => methods.includes(m)).map(([, o]) => o.operationId!)),
  );
}

describe('typed style: relate and unrelate', () => {
  const [doc] = buildTypedDocuments(emulatorModel, { service: 'dataverse', style: 'typed', tables: ['accounts'] }, []);

  test('one pair per table: the relationship is a dropdown of collection navigation properties naming the related table', () => {
    const relate = doc.paths['/accounts({accountid})/{navigation}/$ref'].post!;
    const unrelate = doc.paths['/accounts({accountid})/{navigation}({relatedid})/$ref'].delete!;
    expect([relate.operationId, unrelate.operationId]).toEqual(['RelateAccount', 'UnrelateAccount']);
    const nav = params(doc, relate).find((p) => p.name === 'navigation')! as OpenAPIV2.Parameter & Record<string, any>;
    const account = emulatorModel.entityTypes.get('Microsoft.Dynamics.CRM.account')!;
    const collections = [...account.allNavigation.values()].filter((n) => n.collection).map((n) => n.name).sort();
    expect([...nav.enum!].sort()).toEqual(collections);
    expect(nav['x-ms-enum-values']).toContainEqual({ value: 'contact_customer_accounts', displayName: 'Contacts (contact_customer_accounts)' });
    const body = params(doc, relate).find((p) => p.in === 'body') as OpenAPIV2.InBodyParameterObject;
    expect(body.schema).toMatchObject({ required: ['@odata.id'], properties: { '@odata.id': { type: 'string' } } });
    expect(params(doc, unrelate).map((p) => `${p.in}:${p.name}`)).toEqual(['path:accountid', 'path:navigation', 'path:relatedid', 'header:OData-Version', 'header:OData-MaxVersion']);
    expect(Object.keys(relate.responses)).toEqual(['204', 'default']);
  });

  test('the runbook classifies them as relate operations of the table', () => {
    const ops = listOperations(doc).filter((o) => o.operationId.endsWith('Account') && /relate/i.test(o.operationId));
    expect(ops.map((o) => [o.operationId, o.kind, o.table])).toEqual([
      ['RelateAccount', 'relate', 'accounts'],
      ['UnrelateAccount', 'relate', 'accounts'],
    ]);
  });

  test('Finance and Operations style services get no $ref operations', () => {
    const [fno] = buildTypedDocuments(emulatorModel, { service: 'fno', style: 'typed', tables: ['accounts'] }, []);
    expect(Object.keys(fno.paths).filter((p) => p.includes('$ref'))).toEqual([]);
  });
});

describe('typed style: actions and functions', () => {
  const warnings: GeneratorWarning[] = [];
  const docs = buildTypedDocuments(crm, { service: 'dataverse', style: 'typed', tables: ['leads', 'incidents', 'opportunities'], split: true }, warnings);

  test('valid documents within the limits, names unique and PascalCase', async () => {
    for (const d of docs) {
      await SwaggerParser.validate(JSON.parse(JSON.stringify(d)), { dereference: { maxDepth: 100000 } } as never);
      const m = measureDocument(d);
      expect(m.schemas).toBeLessThanOrEqual(LIMITS.maxSchemas);
      expect(m.bytes).toBeLessThanOrEqual(LIMITS.maxSwaggerBytes);
    }
    for (const d of docs) {
      const ids = allIds([d]);
      expect(ids.every((id) => /^[A-Z][A-Za-z0-9]{0,63}$/.test(id))).toBe(true);
      expect(new Set(ids.map((i) => i.toLowerCase())).size).toBe(ids.length);
    }
    // Table and action operations are named once for the whole selection, so a split keeps them apart too.
    // The triggers are per document (each covers its own tables), so they repeat across a split.
    const own = allIds(docs).filter((id) => !/RowChanges$|ActionPerformed$/.test(id));
    expect(new Set(own.map((i) => i.toLowerCase())).size).toBe(own.length);
  });

  const find = (p: string) => {
    for (const d of docs) if (d.paths[p]) return { doc: d, item: d.paths[p] };
    throw new Error(`no path ${p}`);
  };

  test('a row-bound action: qualified name in the URL, typed body, typed return wrapped in value', () => {
    const { doc, item } = find('/leads({leadid})/Microsoft.Dynamics.CRM.QualifyLead');
    const op = item.post!;
    expect(op.operationId).toBe('QualifyLead');
    const body = params(doc, op).find((p) => p.in === 'body') as OpenAPIV2.InBodyParameterObject;
    const schema = body.schema as OpenAPIV2.SchemaObject;
    expect(schema.required).toEqual(expect.arrayContaining(['CreateAccount', 'CreateContact', 'CreateOpportunity', 'Status']));
    expect(schema.properties!.CreateAccount).toMatchObject({ type: 'boolean' });
    expect(schema.properties!.Status).toMatchObject({ type: 'integer', format: 'int32' });
    const returned = (op.responses[200] as OpenAPIV2.ResponseObject).schema as OpenAPIV2.SchemaObject;
    expect(returned).toMatchObject({ type: 'object', properties: { value: { type: 'array' } } });
  });

  test('a row-bound function whose name does not say its table gets the table appended; complex return as a definition', () => {
    const { doc, item } = find('/incidents({incidentid})/Microsoft.Dynamics.CRM.CalculateTotalTimeIncident()');
    expect(item.get!.operationId).toBe('CalculateTotalTimeIncident');
    const ref = ((item.get!.responses[200] as OpenAPIV2.ResponseObject).schema as { $ref: string }).$ref;
    expect(doc.definitions![ref.split('/').pop()!].properties!.TotalTime).toMatchObject({ type: 'integer' });
  });

  test('an unbound function: OData literals per parameter type in the path template, typed path parameters', () => {
    const p = "/GetTimeZoneCodeByLocalizedName(LocalizedStandardName='{LocalizedStandardName}',LocaleId={LocaleId})";
    const { doc, item } = find(p);
    expect(docs.indexOf(doc)).toBe(0);
    const ps = params(doc, item.get!);
    expect(ps.find((x) => x.name === 'LocaleId')).toMatchObject({ in: 'path', type: 'integer', format: 'int32', required: true });
    expect(ps.find((x) => x.name === 'LocalizedStandardName')!.description).toContain("single quote inside the value twice");
    expect(item.get!['x-ms-visibility' as keyof Op]).toBe('advanced');
    const runbookKinds = listOperations(doc).filter((o) => o.path.endsWith(p));
    expect(runbookKinds.map((o) => [o.kind, o.unbound, o.table])).toEqual([['action', true, undefined]]);
  });

  test('entity and collection parameters of functions go through a JSON alias; enums as typed literals', () => {
    const rollup = Object.keys(docs[0].paths).find((x) => x.startsWith('/Rollup('))!;
    expect(rollup).toBe("/Rollup(Target=@Target,Query=@Query,RollupType=Microsoft.Dynamics.CRM.RollupType'{RollupType}')");
    const ps = params(docs[0], docs[0].paths[rollup].get!);
    expect(ps.find((x) => x.name === '@Target')).toMatchObject({ in: 'query', required: true, type: 'string' });
    const enumParam = ps.find((x) => x.name === 'RollupType')!;
    expect(enumParam.enum).toEqual(expect.arrayContaining(['Related', 'Extended']));
  });

  test('without --split the unbound operations are left out with a warning when they would not fit; the tables are kept', () => {
    const w: GeneratorWarning[] = [];
    const [one, ...rest] = buildTypedDocuments(crm, { service: 'dataverse', style: 'typed', tables: ['accounts', 'contacts'] }, w);
    expect(rest).toHaveLength(0);
    expect(Object.keys(one.paths).some((p) => p.startsWith('/WhoAmI'))).toBe(false);
    expect(w.filter((x) => x.code === 'SkippedOperation').map((x) => x.where)).toContain('unbound actions and functions');
  });
});
