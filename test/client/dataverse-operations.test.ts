/** Functions and actions: WhoAmI, an unbound function with aliases, bound calls, and values typed from metadata. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { actionRequest, functionRequest } from '../../client/dataverse/operations';
import { parseCsdl } from '../../client/metadata/csdl';
import type { Operation } from '../../client/metadata/model';
import { startDataverse, type DataverseFixture } from './dataverse-setup';

// The built-in model predates RetrieveTotalRecordCount (Dataverse 9.x); these declarations are Dataverse's own.
const DECLARATIONS = `
      <ComplexType Name="EntityRecordCountCollection">
        <Property Name="Count" Type="Edm.Int32" Nullable="false" />
        <Property Name="IsReadOnly" Type="Edm.Boolean" Nullable="false" />
        <Property Name="Keys" Type="Collection(Edm.String)" />
        <Property Name="Values" Type="Collection(Edm.Int64)" Nullable="false" />
      </ComplexType>
      <ComplexType Name="RetrieveTotalRecordCountResponse">
        <Property Name="EntityRecordCountCollection" Type="mscrm.EntityRecordCountCollection" />
      </ComplexType>
      <Function Name="RetrieveTotalRecordCount">
        <Parameter Name="EntityNames" Type="Collection(Edm.String)" Nullable="false" Unicode="false" />
        <ReturnType Type="mscrm.RetrieveTotalRecordCountResponse" Nullable="false" />
      </Function>
      <Function Name="WhoAmI">`;
const IMPORT = `<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI" />
        <FunctionImport Name="RetrieveTotalRecordCount" Function="Microsoft.Dynamics.CRM.RetrieveTotalRecordCount" />`;

let f: DataverseFixture;
let metadataXml: string;
let dir: string;
beforeAll(async () => {
  const base = fs.readFileSync(path.join(__dirname, '../../emulator/model/dataverse.xml'), 'utf8');
  metadataXml = base.replace('<Function Name="WhoAmI">', DECLARATIONS).replace('<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI" />', IMPORT);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dataverse-ops-'));
  fs.writeFileSync(path.join(dir, 'metadata.xml'), metadataXml);
  f = await startDataverse({ metadataFile: path.join(dir, 'metadata.xml') });
});
afterAll(async () => {
  await f.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function operation(name: string): Operation {
  const model = parseCsdl(metadataXml);
  return [...model.functions, ...model.actions].find((op) => op.name === name)!;
}

test('WhoAmI', async () => {
  const me = await f.client.whoAmI();
  expect(me).toEqual({ UserId: f.emulator.identity.applicationUserId, BusinessUnitId: f.emulator.identity.businessUnitId, OrganizationId: f.emulator.identity.organizationId });
  expect(f.sent.at(-1)).toMatchObject({ method: 'GET', idempotent: true });
});

test('RetrieveTotalRecordCount(EntityNames=@p1) with the list in an alias', async () => {
  const accounts = await f.client.count('accounts');
  const contacts = await f.client.count('contacts');
  f.sent.length = 0;
  const result = await f.client.callFunction<{ EntityRecordCountCollection: { Keys: string[]; Values: number[] } }>('RetrieveTotalRecordCount', {
    EntityNames: ['account', 'contact'],
  });
  expect(result.EntityRecordCountCollection.Keys).toEqual(['account', 'contact']);
  expect(result.EntityRecordCountCollection.Values).toEqual([accounts, contacts]);
  expect(f.sent[0].url).toBe(`${f.client.serviceRoot}RetrieveTotalRecordCount(EntityNames=@p1)?@p1=%5B%22account%22,%22contact%22%5D`);
});

test('with metadata, text from a form becomes the declared types', async () => {
  const meta = operation('RetrieveTotalRecordCount');
  const result = await f.client.callFunction<{ EntityRecordCountCollection: { Keys: string[] } }>('RetrieveTotalRecordCount', { EntityNames: 'account, contact' }, { metadata: meta });
  expect(result.EntityRecordCountCollection.Keys).toEqual(['account', 'contact']);
  await expect(f.client.callFunction('RetrieveTotalRecordCount', { Names: ['account'] }, { metadata: meta })).rejects.toMatchObject({ code: 'InvalidArgument' });
});

describe('request building', () => {
  const declared: Operation = {
    kind: 'action',
    name: 'sample_Schedule',
    qualifiedName: 'Microsoft.Dynamics.CRM.sample_Schedule',
    bound: true,
    composable: false,
    parameters: [
      { name: 'entity', type: 'Microsoft.Dynamics.CRM.account', collection: false, nullable: false },
      { name: 'Days', type: 'Edm.Int32', collection: false, nullable: false },
      { name: 'Urgent', type: 'Edm.Boolean', collection: false, nullable: true },
      { name: 'Rate', type: 'Edm.Decimal', collection: false, nullable: true },
      { name: 'OwnerId', type: 'Edm.Guid', collection: false, nullable: true },
      { name: 'Codes', type: 'Edm.Int32', collection: true, nullable: true },
    ],
  };

  test('an Edm.Int32 given as "5" is sent as 5 (actions: JSON body; POST not idempotent)', () => {
    const spec = actionRequest('sample_Schedule', { Days: '5', Urgent: 'true', Rate: '1.50', OwnerId: '{0A7C1D2E-0000-4000-8000-000000000001}', Codes: '1,2' }, {
      bound: { set: 'accounts', key: '00000000-0000-0000-0000-000000000001' },
      metadata: declared,
    });
    expect(spec).toMatchObject({ method: 'POST', path: 'accounts(00000000-0000-0000-0000-000000000001)/Microsoft.Dynamics.CRM.sample_Schedule', idempotent: false });
    expect(spec.json).toEqual({ Days: 5, Urgent: true, Rate: 1.5, OwnerId: '0a7c1d2e-0000-4000-8000-000000000001', Codes: [1, 2] });
    expect(() => actionRequest('sample_Schedule', { Days: 'five' }, { metadata: declared })).toThrow(/Days/);
  });

  test('function aliases: typed literals with metadata, inferred without', () => {
    const fn: Operation = { ...declared, kind: 'function', bound: false, parameters: declared.parameters.slice(1) };
    const typedSpec = functionRequest('sample_Schedule', { Days: '5', OwnerId: '0A7C1D2E-0000-4000-8000-000000000001', Codes: ['3'] }, { metadata: fn });
    expect(typedSpec.path).toBe('sample_Schedule(Days=@p1,OwnerId=@p2,Codes=@p3)?@p1=5&@p2=0a7c1d2e-0000-4000-8000-000000000001&@p3=%5B3%5D');
    const inferred = functionRequest('sample_Lookup', { Name: "O'Brien & Sons", Top: 3, Id: '0a7c1d2e-0000-4000-8000-000000000001' });
    expect(inferred.path).toBe("sample_Lookup(Name=@p1,Top=@p2,Id=@p3)?@p1='O''Brien%20%26%20Sons'&@p2=3&@p3=0a7c1d2e-0000-4000-8000-000000000001");
    expect(functionRequest('WhoAmI').path).toBe('WhoAmI()');
  });

  test('bound function on a row by alternate key', () => {
    const spec = functionRequest('RetrievePrincipalAccess', {}, { bound: { set: 'systemusers', key: { domainname: 'me@contoso.com' } } });
    expect(spec.path).toBe("systemusers(domainname='me%40contoso.com')/Microsoft.Dynamics.CRM.RetrievePrincipalAccess()");
  });
});
