/**
 * toOpenApi3: a full OpenAPI 3.0 of every entity set, the like-for-like counterpart of odata-openapi's csdl2openapi.
 * Valid for swagger-parser, a path for every entity set, schemas once per type with -create/-update variants.
 */
import * as fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parseCsdl } from '../../client/metadata/csdl';
import { GeneratorError } from '../../connectors/errors';
import { toOpenApi3 } from '../../connectors/openapi3';
import type { GeneratorWarning } from '../../connectors/types';
import { METADATA_FIXTURES } from '../helpers/shared';

const FIXTURES = METADATA_FIXTURES;
const dataverse = parseCsdl(fs.readFileSync(`${FIXTURES}/dataverse/crm-v8.2-schema.xml`, 'utf8'));
const bc = parseCsdl(fs.readFileSync(`${FIXTURES}/businesscentral/bc-api-v2.0-metadata.xml`, 'utf8'));

describe('toOpenApi3', () => {
  test('Dataverse v8.2: valid OpenAPI 3.0 with a path for every entity set', async () => {
    const progress: number[] = [];
    const started = Date.now();
    const doc = toOpenApi3(dataverse, { onProgress: (done, total) => progress.push(done / total) });
    const ms = Date.now() - started;
    console.log(`toOpenApi3 Dataverse v8.2: ${ms} ms, ${(JSON.stringify(doc).length / 1024 / 1024).toFixed(1)} MB`);
    expect(doc.openapi).toMatch(/^3\.0\./);
    for (const name of dataverse.entitySets.keys()) expect(doc.paths[`/${name}`]).toBeDefined();
    expect(doc.paths['/accounts({accountid})']).toBeDefined();
    expect(progress[progress.length - 1]).toBe(1);
    const schemas = doc.components!.schemas!;
    for (const suffix of ['', '-create', '-update']) expect(schemas[`Microsoft.Dynamics.CRM.account${suffix}`]).toBeDefined();
    const account = schemas['Microsoft.Dynamics.CRM.account'] as Record<string, any>;
    expect(account.properties.versionnumber).toMatchObject({ type: 'integer', format: 'int64' });
    expect(JSON.stringify(account.properties.primarycontactid)).toContain('"#/components/schemas/Microsoft.Dynamics.CRM.contact"');
    expect(account.properties.contact_customer_accounts).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/Microsoft.Dynamics.CRM.contact' } });
    expect((schemas['Microsoft.Dynamics.CRM.account-update'] as Record<string, any>).properties.accountid).toBeUndefined();
    const ids = Object.values(doc.paths).flatMap((p) => ['get', 'post', 'patch', 'delete'].map((m) => (p as any)[m]?.operationId).filter(Boolean));
    expect(new Set(ids).size).toBe(ids.length);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)), { dereference: { maxDepth: 100000 } } as never);
  }, 120_000);

  test('tables: only the chosen sets, navigation to other types left out; unknown names refused', async () => {
    const warnings: GeneratorWarning[] = [];
    const doc = toOpenApi3(dataverse, { tables: ['accounts', 'contacts'], title: 'Two tables', warnings });
    expect(Object.keys(doc.paths).sort()).toEqual(['/accounts', '/accounts({accountid})', '/contacts', '/contacts({contactid})']);
    expect(doc.info.title).toBe('Two tables');
    const names = Object.keys(doc.components!.schemas!);
    expect(names.filter((n) => !n.endsWith('-create') && !n.endsWith('-update') && n !== 'odata.error').sort()).toEqual([
      'Microsoft.Dynamics.CRM.account',
      'Microsoft.Dynamics.CRM.contact',
    ]);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)));
    expect(() => toOpenApi3(dataverse, { tables: ['acount'] })).toThrow(GeneratorError);
  });

  test('Business Central: enums as shared components, valid', async () => {
    const doc = toOpenApi3(bc);
    for (const name of bc.entitySets.keys()) expect(doc.paths[`/${name}`]).toBeDefined();
    const enums = Object.values(doc.components!.schemas!).filter((s) => Array.isArray((s as any).enum));
    expect(enums.length).toBeGreaterThan(0);
    await SwaggerParser.validate(JSON.parse(JSON.stringify(doc)), { dereference: { maxDepth: 100000 } } as never);
  }, 60_000);
});
