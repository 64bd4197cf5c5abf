/**
 * A 30 MB Dataverse-shaped $metadata (scripts/bench/synthetic-csdl.ts) read through the stream API: the model matches
 * what was written, and the heap grows with the model, not with a document tree. Speed is only logged (the
 * benchmark owns speed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsdlStream } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { type SyntheticStats as SyntheticCsdlStats, writeSyntheticDataverseCsdl } from '../../scripts/bench/synthetic-csdl';

const CRM = 'Microsoft.Dynamics.CRM.';
const MB = 1024 * 1024;

describe('synthetic 2,000 tables × 60 columns', () => {
  const file = path.join(os.tmpdir(), `synthetic-csdl-${process.pid}-${Date.now()}.xml`);
  let stats: SyntheticCsdlStats;
  let model: CsdlModel;
  let peakDelta = 0;

  beforeAll(async () => {
    stats = await writeSyntheticDataverseCsdl(file, { entityTypes: 2000, propertiesPerType: 60, seed: 42 });
    const gc = (global as { gc?: () => void }).gc;
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    // Sampled at every chunk, i.e. all along the parse.
    async function* sampled() {
      for await (const chunk of fs.createReadStream(file)) {
        peakDelta = Math.max(peakDelta, process.memoryUsage().heapUsed - baseline);
        yield chunk as Buffer;
      }
    }
    const started = process.hrtime.bigint();
    model = await parseCsdlStream(sampled());
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    peakDelta = Math.max(peakDelta, process.memoryUsage().heapUsed - baseline);
    console.log(
      `synthetic ${(stats.bytes / MB).toFixed(1)} MB: stream parse ${ms.toFixed(0)} ms ` +
        `(${(stats.bytes / MB / (ms / 1000)).toFixed(1)} MB/s), peak heap +${(peakDelta / MB).toFixed(1)} MB${gc ? '' : ' (no --expose-gc: includes uncollected garbage)'}`,
    );
  }, 120_000);

  afterAll(() => fs.rmSync(file, { force: true }));

  test('the file is about 30 MB and was streamed, not built in memory', () => {
    expect(fs.statSync(file).size).toBe(stats.bytes);
    expect(stats.bytes).toBeGreaterThan(25 * MB);
    expect(stats.bytes).toBeLessThan(40 * MB);
  });

  test('the model holds everything that was written', () => {
    expect(model.namespace).toBe('Microsoft.Dynamics.CRM');
    expect(model.alias).toBe('mscrm');
    expect(model.containerName).toBe('System');
    expect(model.entityTypes.size).toBe(stats.entityTypes);
    expect(model.entitySets.size).toBe(stats.entitySets);
    const types = [...model.entityTypes.values()];
    expect(types.reduce((n, t) => n + t.properties.size, 0)).toBe(stats.properties);
    expect(types.reduce((n, t) => n + t.navigation.size, 0)).toBe(stats.navigationProperties);
    expect(model.actions).toHaveLength(stats.actions);
    expect(model.functions).toHaveLength(stats.functions);
    expect(stats.properties).toBeGreaterThan(115_000);
    expect(stats.navigationProperties).toBeGreaterThan(30_000);
  });

  test('Dataverse shape: base entity, keys, computed versionnumber, lookups with partners, systemuser hub', () => {
    expect(model.entityTypes.get(`${CRM}crmbaseentity`)!.abstract).toBe(true);
    const table = model.entityTypes.get(`${CRM}new_table0001`)!;
    expect(table.baseType).toBe(`${CRM}crmbaseentity`);
    expect(table.keyProperties).toEqual(['new_table0001id']);
    expect(table.properties.get('versionnumber')).toMatchObject({ type: 'Edm.Int64', computed: true, concurrency: true });
    expect(table.properties.get('createdon')).toMatchObject({ readOnly: true, description: 'Date and time when the row was created.' });
    expect([...table.properties.values()].every((p) => p.description)).toBe(true);
    const createdby = table.navigation.get('createdby')!;
    expect(createdby).toMatchObject({ type: `${CRM}systemuser`, collection: false, partner: 'lk_new_table0001_createdby' });
    expect(createdby.constraints).toEqual([{ property: '_createdby_value', referencedProperty: 'systemuserid' }]);
    const hub = model.entityTypes.get(`${CRM}systemuser`)!;
    expect(hub.navigation.get('lk_new_table0001_createdby')).toMatchObject({ type: `${CRM}new_table0001`, collection: true, partner: 'createdby' });
    expect(hub.navigation.size).toBeGreaterThan(6000);
    expect(model.entitySets.get('new_table0001s')).toMatchObject({ changeTracking: true });
    expect(types(model).some((t) => t.alternateKeys.length > 0)).toBe(true);
    const overloads = model.actions.filter((a) => a.name === 'new_Recalculate');
    expect(new Set(overloads.map((a) => a.parameters[0].type)).size).toBe(overloads.length);
    expect(overloads.length).toBeGreaterThan(100);
    expect(model.actionImports.get('new_Import0')).toBe(`${CRM}new_Import0`);
  });

  test('memory: the parse holds no document tree (heap growth stays far below a DOM of 30 MB)', () => {
    expect(peakDelta).toBeLessThan(400 * MB);
  });
});

function types(model: CsdlModel) {
  return [...model.entityTypes.values()];
}
