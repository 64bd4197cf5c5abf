/** Real $metadata documents read by the string and the stream APIs: same models, and the facts each one holds. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { parseCsdl, parseCsdlStream } from '../../client/metadata/csdl';
import type { CsdlModel } from '../../client/metadata/model';
import { METADATA_FIXTURES } from '../helpers/shared';

const FIXTURES = METADATA_FIXTURES;
const CRM_FILE = path.join(FIXTURES, 'dataverse/crm-v8.2-schema.xml');
const BC_FILE = path.join(FIXTURES, 'businesscentral/bc-api-v2.0-metadata.xml');
const GRAPH_FILE = path.join(FIXTURES, 'other/msgraph-v1.0-Prod.csdl.xml.gz');
const CRM = 'Microsoft.Dynamics.CRM.';

const read = (file: string) => fs.readFileSync(file, 'utf8');
const countProperties = (model: CsdlModel) =>
  [...model.entityTypes.values(), ...model.complexTypes.values()].reduce((n, t) => n + t.properties.size, 0);

describe('Dynamics 365 v8.2 $metadata (4 MB)', () => {
  let fromString: CsdlModel;
  let fromStream: CsdlModel;

  beforeAll(async () => {
    let started = process.hrtime.bigint();
    fromString = parseCsdl(read(CRM_FILE));
    const stringMs = Number(process.hrtime.bigint() - started) / 1e6;
    const before = process.memoryUsage().heapUsed;
    started = process.hrtime.bigint();
    // Small chunks: every construct of the document gets cut somewhere.
    fromStream = await parseCsdlStream(fs.createReadStream(CRM_FILE, { highWaterMark: 8 * 1024 }));
    const streamMs = Number(process.hrtime.bigint() - started) / 1e6;
    const heapMb = (process.memoryUsage().heapUsed - before) / 1e6;
    console.log(`crm-v8.2 (4.0 MB): string ${stringMs.toFixed(0)} ms, stream ${streamMs.toFixed(0)} ms, heap +${heapMb.toFixed(1)} MB`);
  });

  test('the string and the stream APIs give identical models', () => {
    expect(fromStream).toEqual(fromString);
  });

  test('counts of types, sets and operations', () => {
    expect(fromString.entityTypes.size).toBe(280);
    expect(fromString.entitySets.size).toBe(252);
    expect(fromString.actions).toHaveLength(149);
    expect(fromString.functions).toHaveLength(174);
    expect(fromString.namespace).toBe('Microsoft.Dynamics.CRM');
    expect(fromString.alias).toBe('mscrm');
    expect(fromString.containerName).toBe('System');
  });

  test('keys, alternate keys and resolved inheritance', () => {
    const account = fromString.entityTypes.get(`${CRM}account`)!;
    expect(account.key).toEqual(['accountid']);
    expect(account.keyProperties).toEqual(['accountid']);
    expect(account.baseType).toBe(`${CRM}crmbaseentity`);
    const task = fromString.entityTypes.get(`${CRM}task`)!;
    expect(task.baseType).toBe(`${CRM}activitypointer`);
    expect(task.properties.has('activityid')).toBe(false);
    expect(task.allProperties.has('activityid')).toBe(true);
    expect(task.keyProperties).toEqual(['activityid']);
    expect(fromString.entityTypes.get(`${CRM}EntityMetadata`)!.alternateKeys).toEqual([['LogicalName']]);
    expect([...fromString.entityTypes.values()].filter((t) => t.alternateKeys.length > 0)).toHaveLength(28);
    expect(fromString.entitySetByType.get(`${CRM}account`)!.name).toBe('accounts');
  });

  test('property annotations and facets', () => {
    const account = fromString.entityTypes.get(`${CRM}account`)!;
    expect(account.properties.get('openrevenue')).toMatchObject({
      type: 'Edm.Decimal', scale: 'variable', computed: true, readOnly: true, permissions: ['Read'],
      description: 'Summe der offenen Umsätze für eine Firma und ihre untergeordneten Firmen.',
    });
    expect(account.properties.get('name')).toMatchObject({ type: 'Edm.String', unicode: false, computed: false, readOnly: false });
    expect(account.properties.get('versionnumber')).toMatchObject({ type: 'Edm.Int64', concurrency: true });
  });

  test('entity sets keep their capabilities; operations keep every overload', () => {
    const accounts = fromString.entitySets.get('accounts')!;
    expect(accounts.changeTracking).toBe(true);
    expect(accounts.annotations).toMatchObject({
      'Org.OData.Capabilities.V1.IndexableByKey': true,
      'Org.OData.Capabilities.V1.CountRestrictions': { Countable: true },
    });
    expect(fromString.entitySets.get('accountleadscollection')!.changeTracking).toBe(false);
    const overloads = fromString.actions.filter((a) => a.name === 'AddItemCampaign').map((a) => a.parameters[0].type);
    expect(overloads).toEqual([`${CRM}campaign`, `${CRM}list`, `${CRM}product`, `${CRM}salesliterature`]);
    expect(fromString.enumTypes.get(`${CRM}AccessRights`)!.isFlags).toBe(true);
  });
});

describe('Business Central API v2.0 $metadata', () => {
  test('string and stream agree; enums, alternate keys, set capabilities', async () => {
    const model = parseCsdl(read(BC_FILE));
    expect(await parseCsdlStream(fs.createReadStream(BC_FILE, { highWaterMark: 4096 }))).toEqual(model);
    expect(model.namespace).toBe('Microsoft.NAV');
    expect(model.entityTypes.size).toBe(87);
    expect(model.enumTypes.size).toBe(35);
    expect(model.actions).toHaveLength(21);
    expect(model.entityTypes.get('Microsoft.NAV.company')!.alternateKeys).toEqual([['businessProfileId'], ['name']]);
    expect(model.entityTypes.get('Microsoft.NAV.externalbusinesseventdefinitions')!.alternateKeys).toEqual([['appId', 'name']]);
    expect(model.entitySets.get('companies')).toMatchObject({ changeTracking: false, annotations: { 'Org.OData.Capabilities.V1.InsertRestrictions': { Insertable: false } } });
    expect(model.actions.filter((a) => a.name === 'post').map((a) => a.parameters[0].type)).toHaveLength(5);
  });
});

describe('OASIS and OpenAPI.NET examples', () => {
  const load = (name: string) => parseCsdl(read(path.join(FIXTURES, 'other', name)));

  test.each(['oasis-TripPin.xml', 'oasis-Northwind.xml', 'oasis-annotations.xml', 'oasis-containment.xml', 'ms-TripService.OData.xml'])(
    '%s: string and stream agree',
    async (name) => {
      const file = path.join(FIXTURES, 'other', name);
      expect(await parseCsdlStream(Readable.from([read(file)]))).toEqual(parseCsdl(read(file)));
    },
  );

  test('TripPin: Core.Permissions, Core.Immutable, SRID, HasStream', () => {
    const model = load('oasis-TripPin.xml');
    const ns = 'Microsoft.OData.SampleService.Models.TripPin';
    expect(model.entityTypes.get(`${ns}.Person`)!.properties.get('UserName')).toMatchObject({ readOnly: true, permissions: ['Read'] });
    expect(model.entityTypes.get(`${ns}.Airport`)!.properties.get('IataCode')).toMatchObject({ immutable: true });
    expect(model.entityTypes.get(`${ns}.Photo`)!.hasStream).toBe(true);
  });

  test('annotations written through vocabulary aliases (Core.Computed, Core.Immutable) are understood', () => {
    const type = load('oasis-annotations.xml').entityTypes.get('Supported.Annotations.SinglePartKey')!;
    expect(type.properties.get('Computed')!.computed).toBe(true);
    expect(type.properties.get('Immutable')!.immutable).toBe(true);
  });

  test('containment: overloads of one bound action each keep their own description', () => {
    const model = load('oasis-containment.xml');
    const likes = model.actions.filter((a) => a.name === 'Like');
    expect(likes.length).toBeGreaterThanOrEqual(4);
    expect(likes.slice(0, 3).map((a) => [a.parameters[0].type, a.parameters[0].collection, a.description])).toEqual([
      [expect.stringMatching(/\.Whole$/), false, 'I like this whole'],
      [expect.stringMatching(/\.Whole$/), true, 'I like all of these wholes'],
      [expect.stringMatching(/\.Part$/), false, 'I like this part'],
    ]);
  });
});

describe('Microsoft Graph v1.0 CSDL (gzip, 3.4 MB)', () => {
  let model: CsdlModel;

  beforeAll(async () => {
    const started = process.hrtime.bigint();
    model = await parseCsdlStream(fs.createReadStream(GRAPH_FILE).pipe(zlib.createGunzip()));
    console.log(`msgraph v1.0 (3.4 MB through gunzip): stream ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`);
  });

  test('same model as the string API', () => {
    expect(model).toEqual(parseCsdl(zlib.gunzipSync(fs.readFileSync(GRAPH_FILE)).toString('utf8')));
  });

  test('counts', () => {
    expect(model.entityTypes.size).toBe(1182);
    expect(countProperties(model)).toBe(10525);
    expect(model.actions).toHaveLength(857);
    expect(model.functions).toHaveLength(326);
    expect(model.containerName).toBe('GraphService');
    expect(model.singletons!.get('me')!.type).toBe('microsoft.graph.user');
  });

  test('out-of-line <Annotations Target> reach enum members, properties, overloads and sets', () => {
    expect(model.enumTypes.get('microsoft.graph.actionState')!.members.find((m) => m.name === 'done')!.description).toBe('Action completed without errors.');
    const described = [...model.entityTypes.values()].flatMap((t) => [...t.properties.values()]).filter((p) => p.description);
    expect(described.length).toBeGreaterThan(1800);
    // `cancel(microsoft.graph.bookingAppointment, Edm.String)` names one overload among many.
    const cancels = model.actions.filter((a) => a.name === 'cancel');
    expect(cancels.length).toBeGreaterThan(5);
    expect(cancels.filter((a) => a.description).map((a) => a.parameters[0].type)).toEqual(['microsoft.graph.bookingAppointment']);
    expect(model.entitySets.get('users')!.annotations).toHaveProperty(['Org.OData.Capabilities.V1.ReadRestrictions']);
    expect(model.entityTypes.get('microsoft.graph.application')!.alternateKeys).toEqual([['appId'], ['uniqueName']]);
    expect(model.entityTypes.get('microsoft.graph.user')!.alternateKeys).toEqual([['userPrincipalName']]);
  });
});
