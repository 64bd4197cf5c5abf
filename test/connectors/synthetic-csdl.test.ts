/** The benchmark's synthetic $metadata: deterministic, streamed, and shaped like Dataverse and F&O. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdlStream } from '../../client/metadata/csdl';
import { writeSyntheticDataverseCsdl, writeSyntheticFnoCsdl } from '../../scripts/bench/synthetic-csdl';
import { tempDir } from './cli-helpers';

let tmp: string;
beforeAll(() => {
  tmp = tempDir('synthetic-csdl-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('synthetic Dataverse $metadata', () => {
  it('is deterministic for a seed and differs for another', async () => {
    const a = path.join(tmp, 'a.xml');
    const b = path.join(tmp, 'b.xml');
    const c = path.join(tmp, 'c.xml');
    const sa = await writeSyntheticDataverseCsdl(a, { entityTypes: 50, propertiesPerType: 20, seed: 7 });
    await writeSyntheticDataverseCsdl(b, { entityTypes: 50, propertiesPerType: 20, seed: 7 });
    await writeSyntheticDataverseCsdl(c, { entityTypes: 50, propertiesPerType: 20, seed: 8 });
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    expect(sa.bytes).toBe(fs.statSync(a).size);
  });

  it('has lookups with referential constraints and partners, option-set enums, alternate keys and actions', async () => {
    const file = path.join(tmp, 'dv.xml');
    const stats = await writeSyntheticDataverseCsdl(file, { entityTypes: 200, propertiesPerType: 30, seed: 1 });
    const model = await parseCsdlStream(fs.createReadStream(file));
    expect(model.namespace).toBe('Microsoft.Dynamics.CRM');
    expect(model.containerName).toBe('System');
    expect(model.entityTypes.size).toBe(stats.entityTypes);
    expect(model.entitySets.size).toBe(stats.entitySets);
    expect(model.enumTypes.size).toBe(stats.enumTypes);
    expect([...model.enumTypes.values()].some((e) => (e as { isFlags?: boolean }).isFlags)).toBe(true);
    const table = model.entityTypes.get('Microsoft.Dynamics.CRM.new_table0001')!;
    expect(table.key).toEqual(['new_table0001id']);
    expect(table.allProperties.size).toBe(30);
    expect(table.properties.get('new_choice0')!.type).toMatch(/^Microsoft\.Dynamics\.CRM\.new_optionset\d{3}$/);
    const createdby = table.navigation.get('createdby')!;
    expect(createdby.type).toBe('Microsoft.Dynamics.CRM.systemuser');
    expect(createdby.constraints).toEqual([expect.objectContaining({ property: '_createdby_value', referencedProperty: 'systemuserid' })]);
    expect(model.entityTypes.get('Microsoft.Dynamics.CRM.systemuser')!.navigation.get('lk_new_table0001_createdby')!.collection).toBe(true);
    expect([...model.entityTypes.values()].filter((t) => t.alternateKeys.length > 0).length).toBeGreaterThan(5);
    expect(model.actions.length).toBe(stats.actions);
    expect(model.functions.length).toBe(stats.functions);
    expect(model.actionImports.size).toBeGreaterThan(0);
  });

  it('writes the 2,000 × 60 benchmark size (~30 MB) as a stream', async () => {
    const file = path.join(tmp, 'dv-full.xml');
    const before = process.memoryUsage().rss;
    const stats = await writeSyntheticDataverseCsdl(file, {});
    expect(stats.entityTypes).toBe(2000);
    expect(stats.bytes).toBeGreaterThan(25 * 2 ** 20);
    expect(stats.bytes).toBeLessThan(40 * 2 ** 20);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 2 ** 20);
    fs.rmSync(file);
  });
});

describe('synthetic Finance and Operations $metadata', () => {
  it('has dataAreaId composite keys, the DataEntities namespace, enums and constrained navigation', async () => {
    const file = path.join(tmp, 'fno.xml');
    const stats = await writeSyntheticFnoCsdl(file, { entityTypes: 120, seed: 3 });
    const again = path.join(tmp, 'fno2.xml');
    await writeSyntheticFnoCsdl(again, { entityTypes: 120, seed: 3 });
    expect(sha(file)).toBe(sha(again));
    const model = await parseCsdlStream(fs.createReadStream(file));
    expect(model.namespace).toBe('Microsoft.Dynamics.DataEntities');
    expect(model.containerName).toBe('Resources');
    expect(model.entitySets.size).toBe(120);
    expect(stats.entitySets).toBe(120);
    for (const type of model.entityTypes.values()) {
      expect(type.key.length).toBe(2);
      expect(type.key[0]).toBe('dataAreaId');
    }
    expect(model.enumTypes.has('Microsoft.Dynamics.DataEntities.NoYes')).toBe(true);
    const first = [...model.entityTypes.values()][0];
    const nav = [...first.navigation.values()][0];
    expect(nav.constraints.map((c) => c.property)).toContain('dataAreaId');
    expect(model.actions.length).toBe(stats.actions);
  });

  it('is shaped like data entities: mostly string columns, NoYes flags on most entities, other enums', async () => {
    const file = path.join(tmp, 'fno-shape.xml');
    await writeSyntheticFnoCsdl(file, { entityTypes: 200, seed: 5 });
    const model = await parseCsdlStream(fs.createReadStream(file));
    const columns = [...model.entityTypes.values()].flatMap((t) => [...t.properties.values()]);
    expect(columns.length).toBe(200 * 40);
    const strings = columns.filter((p) => p.type === 'Edm.String').length;
    expect(strings / columns.length).toBeGreaterThan(0.45);
    const noYes = columns.filter((p) => p.type === 'Microsoft.Dynamics.DataEntities.NoYes');
    // IsActive on every entity, and filler flags besides.
    expect(noYes.length).toBeGreaterThan(200 * 3);
    expect(noYes.every((p) => !p.nullable)).toBe(true);
    const enums = columns.filter((p) => /\.SynthEnum\d{3}$/.test(p.type)).length;
    expect(enums).toBeGreaterThan(200);
    expect(columns.filter((p) => p.type === 'Edm.String' && p.maxLength === undefined).length).toBeGreaterThan(0);
  });

  it('defaults to the benchmark size: 3,000 entities in about 11 MB', async () => {
    const file = path.join(tmp, 'fno-full.xml');
    const stats = await writeSyntheticFnoCsdl(file, {});
    expect(stats).toMatchObject({ entityTypes: 3000, entitySets: 3000 });
    expect(stats.bytes).toBe(fs.statSync(file).size);
    expect(stats.bytes).toBeGreaterThan(8 * 2 ** 20);
    expect(stats.bytes).toBeLessThan(16 * 2 ** 20);
    fs.rmSync(file);
  });
});
