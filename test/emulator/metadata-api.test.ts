/** The metadata Web API (EntityDefinitions, RelationshipDefinitions, GlobalOptionSetDefinitions), called directly. */
import type { CallContext } from '../../emulator/dataverse/context';
import { DataverseError } from '../../emulator/dataverse/errors';
import { handleMetadataApi } from '../../emulator/dataverse/metadata-api';
import { readPreferences } from '../../emulator/dataverse/prefer';
import { splitPath } from '../../emulator/dataverse/url';
import type { EmulatorRequest } from '../../emulator/http/types';
import { thrownBy } from '../helpers/errors';
import { ROOT, testService } from '../helpers/service';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CRM = 'Microsoft.Dynamics.CRM.';

const service = testService(() => new Date('2024-05-01T10:00:00Z'));

type Json = Record<string, any>;

/** GET `relative` (path and query under the service root) through the handler, as the router would. */
function get(relative: string): { status: number; headers: Record<string, unknown>; json: Json } {
  const url = new URL(ROOT + relative);
  const req: EmulatorRequest = { method: 'GET', url, headers: {}, body: Buffer.alloc(0) };
  const ctx: CallContext = { service, req, prefs: readPreferences(req), userId: '33333333-3333-3333-3333-333333333333', query: url.searchParams };
  const segments = splitPath(decodeURIComponent(url.pathname.replace(/^\/api\/data\/v9\.2\//, '')));
  const res = handleMetadataApi(ctx, segments);
  return { status: res.status, headers: res.headers, json: res.body ? JSON.parse(String(res.body)) : {} };
}

const getError = (relative: string) => thrownBy(DataverseError, () => get(relative), `expected ${relative} to fail`);

const label = (text: string) => ({
  LocalizedLabels: [{ Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: expect.stringMatching(GUID), HasChanged: null }],
  UserLocalizedLabel: { Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: expect.stringMatching(GUID), HasChanged: null },
});

describe('EntityDefinitions', () => {
  test('the collection lists every table in one response, without the metadata types, never paged', () => {
    const res = get('EntityDefinitions?$select=LogicalName,EntitySetName');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; odata.metadata=minimal');
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions(LogicalName,EntitySetName)`);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    const names = res.json.value.map((e: Json) => e.LogicalName);
    expect(names).toEqual(expect.arrayContaining(['account', 'contact', 'task', 'sample_document']));
    expect(names).not.toContain('EntityMetadata');
    expect(names).toHaveLength(22); // 16 sample tables + 6 webhook registration tables (emulator/webhooks)
    expect(res.json.value.find((e: Json) => e.LogicalName === 'account')).toEqual({
      MetadataId: expect.stringMatching(GUID),
      LogicalName: 'account',
      EntitySetName: 'accounts',
    });
  });

  test('a key lookup by LogicalName returns one entity with a /$entity context and labels from the seed', () => {
    const res = get('EntityDefinitions(LogicalName=\'account\')');
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions/$entity`);
    expect(res.json).toMatchObject({
      LogicalName: 'account',
      SchemaName: 'Account',
      EntitySetName: 'accounts',
      LogicalCollectionName: 'accounts',
      PrimaryIdAttribute: 'accountid',
      PrimaryNameAttribute: 'name',
      PrimaryImageAttribute: 'entityimage',
      ObjectTypeCode: 1,
      IsCustomEntity: false,
      ChangeTrackingEnabled: true,
      OwnershipType: 'UserOwned',
      IsActivity: false,
      HasChanged: null,
      DisplayName: label('Account'),
      DisplayCollectionName: label('Accounts'),
      CanCreateAttributes: { Value: true, CanBeChanged: false, ManagedPropertyLogicalName: 'cancreateattributes' },
    });
    // Properties the emulator does not compute are still there, as in real metadata.
    expect(res.json).toHaveProperty('IsKnowledgeManagementEnabled', false);
    expect(res.json.Attributes).toBeUndefined();
    expect(get('EntityDefinitions(LogicalName=\'task\')').json).toMatchObject({ IsActivity: true, SchemaName: 'Task', ObjectTypeCode: 4212 });
    expect(get('EntityDefinitions(LogicalName=\'phonecall\')').json.SchemaName).toBe('PhoneCall');
    expect(get('EntityDefinitions(LogicalName=\'sample_document\')').json).toMatchObject({ IsCustomEntity: true, SchemaName: 'sample_Document' });
  });

  test('MetadataIds are stable and a lookup by MetadataId finds the same entity', () => {
    const id = get('EntityDefinitions(LogicalName=\'contact\')?$select=LogicalName').json.MetadataId;
    expect(get('EntityDefinitions(LogicalName=\'contact\')?$select=LogicalName').json.MetadataId).toBe(id);
    const byId = get(`EntityDefinitions(${id})?$select=LogicalName`);
    expect(byId.json).toEqual({ '@odata.context': `${ROOT}$metadata#EntityDefinitions(LogicalName)/$entity`, MetadataId: id, LogicalName: 'contact' });
  });

  test('an unknown table is a 404 0x80040217', () => {
    const err = getError('EntityDefinitions(LogicalName=\'nosuch\')');
    expect(err.status).toBe(404);
    expect(err.code).toBe('0x80040217');
    expect(err.message).toBe('Could not find an entity with name nosuch and id 00000000-0000-0000-0000-000000000000.');
  });

  test('$filter with enum literals, booleans and complex paths', () => {
    const names = (q: string) => get(`EntityDefinitions?$select=LogicalName&$filter=${encodeURIComponent(q)}`).json.value.map((e: Json) => e.LogicalName);
    expect(names("LogicalName eq 'account'")).toEqual(['account']);
    expect(names('IsCustomEntity eq true')).toEqual(['sample_document']);
    const userOwned = names(`OwnershipType eq ${CRM}OwnershipTypes'UserOwned'`);
    expect(userOwned).toEqual(expect.arrayContaining(['account', 'contact', 'task']));
    expect(userOwned).not.toContain('organization');
    expect(names('CanCreateAttributes/Value eq true')).toHaveLength(22);
  });

  test('$select of an unknown property is a 400 naming the type', () => {
    const err = getError('EntityDefinitions?$select=LogicalName,Nope');
    expect(err.status).toBe(400);
    expect(err.message).toBe(`Could not find a property named 'Nope' on type '${CRM}EntityMetadata'.`);
  });

  test('query options metadata does not support are refused', () => {
    expect(getError('EntityDefinitions?$top=1').status).toBe(400);
    expect(getError('EntityDefinitions?$orderby=LogicalName').status).toBe(400);
  });
});

describe('Attributes', () => {
  test('Attributes are typed with @odata.type, AttributeType and AttributeTypeName', () => {
    const res = get('EntityDefinitions(LogicalName=\'account\')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName');
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions('account')/Attributes(LogicalName,AttributeType,AttributeTypeName)`);
    const byName = new Map<string, Json>(res.json.value.map((a: Json) => [a.LogicalName, a]));
    const expectType = (name: string, type: string, attributeType: string, typeName: string) =>
      expect(byName.get(name)).toEqual({
        '@odata.type': `#${CRM}${type}`,
        MetadataId: expect.stringMatching(GUID),
        LogicalName: name,
        AttributeType: attributeType,
        AttributeTypeName: { Value: typeName },
      });
    expectType('name', 'StringAttributeMetadata', 'String', 'StringType');
    expectType('industrycode', 'PicklistAttributeMetadata', 'Picklist', 'PicklistType');
    expectType('statecode', 'StateAttributeMetadata', 'State', 'StateType');
    expectType('statuscode', 'StatusAttributeMetadata', 'Status', 'StatusType');
    expectType('primarycontactid', 'LookupAttributeMetadata', 'Lookup', 'LookupType');
    expectType('ownerid', 'LookupAttributeMetadata', 'Owner', 'OwnerType');
    expectType('revenue', 'MoneyAttributeMetadata', 'Money', 'MoneyType');
    expectType('createdon', 'DateTimeAttributeMetadata', 'DateTime', 'DateTimeType');
    expectType('accountid', 'UniqueIdentifierAttributeMetadata', 'Uniqueidentifier', 'UniqueidentifierType');
    expectType('entityimage', 'ImageAttributeMetadata', 'Virtual', 'ImageType');
    expectType('versionnumber', 'BigIntAttributeMetadata', 'BigInt', 'BigIntType');
    expect(byName.has('_primarycontactid_value')).toBe(false);
    const contact = get('EntityDefinitions(LogicalName=\'contact\')/Attributes(LogicalName=\'parentcustomerid\')').json;
    expect(contact).toMatchObject({ AttributeType: 'Customer', Targets: ['account', 'contact'] });
  });

  test('a single attribute: required level, primary flags, MaxLength, labels', () => {
    const res = get('EntityDefinitions(LogicalName=\'account\')/Attributes(LogicalName=\'name\')');
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions('account')/Attributes/$entity`);
    expect(res.json).toMatchObject({
      '@odata.type': `#${CRM}StringAttributeMetadata`,
      LogicalName: 'name',
      EntityLogicalName: 'account',
      IsPrimaryName: true,
      IsPrimaryId: false,
      IsValidForCreate: true,
      IsValidForUpdate: true,
      IsValidForRead: true,
      MaxLength: 160,
      RequiredLevel: { Value: 'ApplicationRequired', CanBeChanged: true, ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings' },
      DisplayName: label('name'),
    });
    const id = get('EntityDefinitions(LogicalName=\'account\')/Attributes(LogicalName=\'accountid\')').json;
    expect(id).toMatchObject({ IsPrimaryId: true, IsValidForUpdate: false, RequiredLevel: { Value: 'SystemRequired', CanBeChanged: false } });
    expect(getError('EntityDefinitions(LogicalName=\'account\')/Attributes(LogicalName=\'nosuch\')').status).toBe(404);
  });

  test('filtering attributes by AttributeType enum literal and by RequiredLevel/Value', () => {
    const q = `$select=LogicalName&$filter=${encodeURIComponent(`AttributeType eq ${CRM}AttributeTypeCode'Picklist'`)}`;
    const names = get(`EntityDefinitions(LogicalName='account')/Attributes?${q}`).json.value.map((a: Json) => a.LogicalName).sort();
    expect(names).toEqual(['accountcategorycode', 'customertypecode', 'industrycode', 'preferredcontactmethodcode']);
    const required = get(`EntityDefinitions(LogicalName='account')/Attributes?$select=LogicalName&$filter=${encodeURIComponent(
      `RequiredLevel/Value eq ${CRM}AttributeRequiredLevel'ApplicationRequired'`,
    )}`).json.value;
    expect(required.map((a: Json) => a.LogicalName)).toEqual(['name']);
  });

  test('a cast segment keeps only that type and unlocks its properties', () => {
    const res = get(`EntityDefinitions(LogicalName='account')/Attributes/${CRM}MoneyAttributeMetadata?$select=LogicalName,Precision`);
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions('account')/Attributes/${CRM}MoneyAttributeMetadata(LogicalName,Precision)`);
    expect(res.json.value.length).toBeGreaterThan(0);
    for (const a of res.json.value) {
      expect(a['@odata.type']).toBeUndefined();
      expect(Object.keys(a).sort()).toEqual(['LogicalName', 'MetadataId', 'Precision']);
    }
    expect(res.json.value.map((a: Json) => a.LogicalName)).toContain('revenue');
    // Without the cast, Precision is not a property of AttributeMetadata.
    expect(getError('EntityDefinitions(LogicalName=\'account\')/Attributes?$select=Precision').message).toBe(
      `Could not find a property named 'Precision' on type '${CRM}AttributeMetadata'.`,
    );
    const files = get(`EntityDefinitions(LogicalName='sample_document')/Attributes/${CRM}FileAttributeMetadata?$select=LogicalName,MaxSizeInKB`);
    expect(files.json.value).toEqual([{ MetadataId: expect.stringMatching(GUID), LogicalName: 'sample_file', MaxSizeInKB: 32768 }]);
    expect(getError(`EntityDefinitions(LogicalName='account')/Attributes/${CRM}EnumAttributeMetadata`).status).toBe(404);
  });

  test('OptionSet only with $expand, on a cast, with the seed labels; GlobalOptionSet gives the same options', () => {
    const base = `EntityDefinitions(LogicalName='account')/Attributes/${CRM}PicklistAttributeMetadata`;
    const plain = get(`${base}?$select=LogicalName`).json.value;
    expect(plain.every((a: Json) => !('OptionSet' in a))).toBe(true);
    const res = get(`${base}?$select=LogicalName&$filter=LogicalName eq 'accountcategorycode'&$expand=OptionSet,GlobalOptionSet`);
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions('account')/Attributes/${CRM}PicklistAttributeMetadata(LogicalName,OptionSet,GlobalOptionSet)`);
    const [attr] = res.json.value;
    expect(attr.OptionSet).toMatchObject({
      MetadataId: expect.stringMatching(GUID),
      Name: 'account_accountcategorycode',
      OptionSetType: 'Picklist',
      IsGlobal: false,
      IsCustomOptionSet: false,
      IsCustomizable: { Value: true, CanBeChanged: false, ManagedPropertyLogicalName: 'iscustomizable' },
    });
    expect(attr.OptionSet.Options).toEqual([
      { Value: 1, Color: null, IsManaged: true, ExternalValue: null, ParentValues: [], Tag: null, IsHidden: false, MetadataId: null, HasChanged: null, Label: label('Preferred Customer'), Description: { LocalizedLabels: [], UserLocalizedLabel: null } },
      { Value: 2, Color: null, IsManaged: true, ExternalValue: null, ParentValues: [], Tag: null, IsHidden: false, MetadataId: null, HasChanged: null, Label: label('Standard'), Description: { LocalizedLabels: [], UserLocalizedLabel: null } },
    ]);
    expect(attr.GlobalOptionSet).toEqual(attr.OptionSet);
    // OptionSet is declared on the choice types only, so it cannot be expanded on uncast Attributes.
    expect(getError('EntityDefinitions(LogicalName=\'account\')/Attributes?$expand=OptionSet').message).toBe(
      `Could not find a property named 'OptionSet' on type '${CRM}AttributeMetadata'.`,
    );
  });

  test('a single attribute cast, its OptionSet segment, and state/status option sets', () => {
    const res = get(`EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')/${CRM}PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)`);
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions('account')/Attributes/${CRM}PicklistAttributeMetadata(LogicalName,OptionSet(Options))/$entity`);
    expect(Object.keys(res.json.OptionSet)).toEqual(['MetadataId', 'Options']);
    expect(res.json.OptionSet.Options).toHaveLength(12);
    expect(res.json.OptionSet.Options[6]).toMatchObject({ Value: 7, Label: label('Consulting') });
    const only = get(`EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')/${CRM}PicklistAttributeMetadata/OptionSet?$select=Options`);
    expect(only.json['@odata.context']).toMatch(/Attributes\([0-9a-f-]{36}\)\/Microsoft\.Dynamics\.CRM\.PicklistAttributeMetadata\/OptionSet\(Options\)\/\$entity$/);
    expect(only.json.Options).toHaveLength(12);
    const status = get(`EntityDefinitions(LogicalName='account')/Attributes(LogicalName='statuscode')/${CRM}StatusAttributeMetadata?$expand=OptionSet`);
    expect(status.json.OptionSet.OptionSetType).toBe('Status');
    expect(status.json.OptionSet.Options.map((o: Json) => [o.Value, o.Label.UserLocalizedLabel.Label, o.State])).toEqual([[1, 'Active', 0], [2, 'Inactive', 1]]);
    expect(getError(`EntityDefinitions(LogicalName='account')/Attributes(LogicalName='name')/${CRM}PicklistAttributeMetadata`).status).toBe(404);
  });

  test('$expand=Attributes with nested $select and $filter', () => {
    const q = `$select=LogicalName&$expand=${encodeURIComponent(`Attributes($select=LogicalName;$filter=AttributeType eq ${CRM}AttributeTypeCode'Picklist')`)}`;
    const res = get(`EntityDefinitions(LogicalName='contact')?${q}`);
    expect(res.json['@odata.context']).toBe(`${ROOT}$metadata#EntityDefinitions(LogicalName,Attributes(LogicalName))/$entity`);
    expect(res.json.Attributes.map((a: Json) => a.LogicalName).sort()).toEqual(['gendercode', 'preferredcontactmethodcode']);
    expect(res.json.Attributes[0]).toEqual({ '@odata.type': `#${CRM}PicklistAttributeMetadata`, MetadataId: expect.stringMatching(GUID), LogicalName: expect.any(String) });
  });
});

describe('keys and relationships', () => {
  test('Keys lists the alternate keys', () => {
    const res = get('EntityDefinitions(LogicalName=\'account\')?$select=LogicalName&$expand=Keys($select=KeyAttributes,EntityLogicalName)');
    expect(res.json.Keys).toEqual([{ MetadataId: expect.stringMatching(GUID), KeyAttributes: ['accountnumber'], EntityLogicalName: 'account' }]);
  });

  test('ManyToOne and OneToMany relationships come from lookups and their partner collections', () => {
    const res = get('EntityDefinitions(LogicalName=\'sample_document\')?$select=LogicalName&$expand=ManyToOneRelationships');
    expect(res.json.ManyToOneRelationships).toEqual([
      expect.objectContaining({
        SchemaName: 'sample_account_documents',
        RelationshipType: 'OneToManyRelationship',
        ReferencedEntity: 'account',
        ReferencedAttribute: 'accountid',
        ReferencingEntity: 'sample_document',
        ReferencingAttribute: 'sample_accountid',
        ReferencedEntityNavigationPropertyName: 'sample_account_documents',
        ReferencingEntityNavigationPropertyName: 'sample_accountid',
        IsCustomRelationship: true,
      }),
    ]);
    expect(res.json.ManyToOneRelationships[0]['@odata.type']).toBeUndefined();
    const manyToOne = get('EntityDefinitions(LogicalName=\'account\')/ManyToOneRelationships?$select=SchemaName,ReferencedEntity').json.value;
    expect(manyToOne).toContainEqual({ MetadataId: expect.stringMatching(GUID), SchemaName: 'account_primary_contact', ReferencedEntity: 'contact' });
    const oneToMany = get('EntityDefinitions(LogicalName=\'account\')/OneToManyRelationships?$select=SchemaName,ReferencingEntity').json.value;
    expect(oneToMany).toContainEqual({ MetadataId: expect.stringMatching(GUID), SchemaName: 'sample_account_documents', ReferencingEntity: 'sample_document' });
  });

  test('RelationshipDefinitions: all relationships typed, cast to one-to-many, key by SchemaName', () => {
    const all = get('RelationshipDefinitions?$select=SchemaName').json.value;
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all.map((r: Json) => r.SchemaName)).size).toBe(all.length);
    expect(all.every((r: Json) => /^#Microsoft\.Dynamics\.CRM\.(OneToMany|ManyToMany)RelationshipMetadata$/.test(r['@odata.type']))).toBe(true);
    const fromAccount = get(`RelationshipDefinitions/${CRM}OneToManyRelationshipMetadata?$select=SchemaName&$filter=ReferencedEntity eq 'account'`).json.value;
    expect(fromAccount.map((r: Json) => r.SchemaName)).toContain('sample_account_documents');
    const one = get('RelationshipDefinitions(SchemaName=\'sample_account_documents\')?$select=SchemaName');
    expect(one.json['@odata.context']).toBe(`${ROOT}$metadata#RelationshipDefinitions(SchemaName)/$entity`);
    expect(one.json['@odata.type']).toBe(`#${CRM}OneToManyRelationshipMetadata`);
    const manyToMany = get('EntityDefinitions(LogicalName=\'account\')/ManyToManyRelationships?$select=SchemaName,Entity2LogicalName').json.value;
    expect(manyToMany).toContainEqual({ MetadataId: expect.stringMatching(GUID), SchemaName: 'accountleads_association', Entity2LogicalName: 'lead' });
  });

  test('GlobalOptionSetDefinitions is empty: the model has no global choices', () => {
    const res = get('GlobalOptionSetDefinitions');
    expect(res.json).toEqual({ '@odata.context': `${ROOT}$metadata#GlobalOptionSetDefinitions`, value: [] });
    expect(getError('GlobalOptionSetDefinitions(Name=\'x\')').status).toBe(404);
  });
});
