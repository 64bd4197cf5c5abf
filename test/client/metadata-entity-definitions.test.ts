/** EntityDefinitions access against the running emulator over HTTPS with a real token; caching and shared requests. */
import { EntityDefinitions, MetadataGet } from '../../client/metadata/entity-definitions';
import { MetadataCache } from '../../client/metadata/metadata-cache';
import { labelText } from '../../client/metadata/metadata-label';
import { useWebApi } from '../helpers/emulator';

describe('EntityDefinitions against the emulator', () => {
  const web = useWebApi();
  const requested: string[] = [];
  /** The HTTP pipeline stand-in: GET under the Web API root with a bearer token, every path recorded. */
  const get: MetadataGet = async (pathAndQuery) => {
    requested.push(pathAndQuery);
    const answer = await web.call('GET', pathAndQuery);
    if (answer.status !== 200) throw new Error(`GET ${pathAndQuery}: ${answer.status} ${answer.text}`);
    return JSON.parse(answer.text);
  };

  beforeEach(() => {
    requested.length = 0;
  });

  const definitions = (cache = new MetadataCache()) => new EntityDefinitions({ environmentUrl: web.emulator.dataverseUrl, get, cache });

  test('listTables: names, labels, primary columns, flags', async () => {
    const tables = await definitions().listTables();
    expect(tables).toHaveLength(22); // the sample tables and the webhook registration tables
    expect(tables.find((t) => t.logicalName === 'account')).toEqual({
      logicalName: 'account',
      entitySetName: 'accounts',
      displayName: 'Account',
      displayCollectionName: 'Accounts',
      primaryIdAttribute: 'accountid',
      primaryNameAttribute: 'name',
      isCustomEntity: false,
      changeTrackingEnabled: true,
      objectTypeCode: 1,
    });
    expect(tables.find((t) => t.logicalName === 'sample_document')).toMatchObject({ isCustomEntity: true, entitySetName: expect.any(String) });
    expect(requested).toEqual([expect.stringMatching(/^EntityDefinitions\?\$select=LogicalName,EntitySetName,/)]);
  });

  test('getColumns: types, labels, required levels, validity, MaxLength and lookup Targets', async () => {
    const ed = definitions();
    const columns = new Map((await ed.getColumns('account')).map((c) => [c.logicalName, c]));
    expect(columns.get('name')).toEqual({
      logicalName: 'name',
      attributeType: 'String',
      attributeTypeName: 'StringType',
      displayName: 'name',
      requiredLevel: 'ApplicationRequired',
      isValidForCreate: true,
      isValidForUpdate: true,
      isValidForRead: true,
      maxLength: 160,
    });
    expect(columns.get('accountid')).toMatchObject({ attributeType: 'Uniqueidentifier', requiredLevel: 'SystemRequired', isValidForUpdate: false });
    expect(columns.get('primarycontactid')).toMatchObject({ attributeType: 'Lookup', targets: ['contact'] });
    expect(columns.get('industrycode')).toMatchObject({ attributeType: 'Picklist' });
    expect(columns.get('industrycode')!.targets).toBeUndefined();
    const contact = new Map((await ed.getColumns('contact')).map((c) => [c.logicalName, c]));
    expect(contact.get('parentcustomerid')).toMatchObject({ attributeType: 'Customer', targets: ['account', 'contact'] });
  });

  test('getOptionSet: picklist, state, status and yes/no options with labels', async () => {
    const ed = definitions();
    const industry = await ed.getOptionSet('account', 'industrycode');
    expect(industry).toHaveLength(12);
    expect(industry[0]).toEqual({ value: 1, label: 'Accounting' });
    expect(industry).toContainEqual({ value: 7, label: 'Consulting' });
    expect(requested).toContainEqual(expect.stringMatching(/Attributes\(LogicalName='industrycode'\)\/Microsoft\.Dynamics\.CRM\.PicklistAttributeMetadata\?\$select=LogicalName&\$expand=OptionSet/));
    expect(await ed.getOptionSet('account', 'statuscode')).toEqual([{ value: 1, label: 'Active', state: 0 }, { value: 2, label: 'Inactive', state: 1 }]);
    expect((await ed.getOptionSet('account', 'statecode')).map((o) => o.value)).toEqual([0, 1]);
    const yesNo = (await ed.getColumns('account')).find((c) => c.attributeType === 'Boolean')!;
    expect(await ed.getOptionSet('account', yesNo.logicalName)).toEqual([{ value: 0, label: 'No' }, { value: 1, label: 'Yes' }]);
    await expect(ed.getOptionSet('account', 'name')).rejects.toThrow("Column 'account.name' is a String column, not a choice.");
    await expect(ed.getOptionSet('account', 'nosuch')).rejects.toThrow("Table 'account' has no column 'nosuch'.");
  });

  test('getRelationships: many-to-one, one-to-many and many-to-many with navigation property names', async () => {
    const relationships = await definitions().getRelationships('account');
    expect(relationships).toContainEqual(expect.objectContaining({
      kind: 'ManyToOne', schemaName: 'account_primary_contact', relatedTable: 'contact', navigationProperty: 'primarycontactid', referencingAttribute: 'primarycontactid',
    }));
    expect(relationships).toContainEqual({
      kind: 'OneToMany',
      schemaName: 'sample_account_documents',
      relatedTable: 'sample_document',
      navigationProperty: 'sample_account_documents',
      relatedNavigationProperty: 'sample_accountid',
      referencingAttribute: 'sample_accountid',
      referencedAttribute: 'accountid',
    });
    expect(relationships).toContainEqual(expect.objectContaining({ kind: 'ManyToMany', schemaName: 'accountleads_association', relatedTable: 'lead', navigationProperty: 'accountleads_association' }));
    const fromLead = await definitions().getRelationships('lead');
    expect(fromLead).toContainEqual(expect.objectContaining({ kind: 'ManyToMany', schemaName: 'accountleads_association', relatedTable: 'account' }));
  });

  test('answers are cached per environment: a second call sends no request; clear() forgets them', async () => {
    const cache = new MetadataCache();
    const ed = definitions(cache);
    await ed.listTables();
    await ed.getColumns('account');
    const first = requested.length;
    expect(first).toBe(5);
    await ed.listTables();
    await ed.getColumns('account');
    await ed.getOptionSet('account', 'industrycode');
    // Only the option set itself was new; the column types came from the cache.
    expect(requested.length).toBe(first + 1);
    // Another instance for the same environment (spelled differently) shares the cache; another environment does not.
    await new EntityDefinitions({ environmentUrl: web.emulator.dataverseUrl.toUpperCase().replace(/\/$/, ''), get, cache }).listTables();
    expect(requested.length).toBe(first + 1);
    await new EntityDefinitions({ environmentUrl: 'https://other.crm.dynamics.com/', get, cache }).listTables();
    expect(requested.length).toBe(first + 2);
    ed.clear();
    await ed.listTables();
    expect(requested.length).toBe(first + 3);
  });

  test('concurrent identical calls share one request', async () => {
    const ed = definitions();
    const results = await Promise.all([ed.getColumns('contact'), ed.getColumns('contact'), definitions().listTables(), ed.getColumns('contact')]);
    expect(results[0]).toEqual(results[1]);
    expect(results[1]).toEqual(results[3]);
    expect(requested.filter((p) => p.startsWith("EntityDefinitions(LogicalName='contact')/Attributes?"))).toHaveLength(1);
    expect(requested).toHaveLength(4 + 1);
  });

  test('entries expire after the TTL; failures are not cached', async () => {
    let now = 1_000;
    const cache = new MetadataCache({ ttlMs: 60_000, now: () => now });
    let fail = true;
    const flaky: MetadataGet = async (p) => {
      if (fail) {
        fail = false;
        throw new Error('503');
      }
      return get(p);
    };
    const ed = new EntityDefinitions({ environmentUrl: web.emulator.dataverseUrl, get: flaky, cache });
    await expect(ed.listTables()).rejects.toThrow('503');
    await ed.listTables();
    await ed.listTables();
    expect(requested).toHaveLength(1);
    now += 60_001;
    await ed.listTables();
    expect(requested).toHaveLength(2);
  });

  test('names that are not logical names never reach a URL', async () => {
    await expect(definitions().getColumns("account')/x?$top=1&(")).rejects.toThrow('is not a valid table logical name');
    expect(requested).toHaveLength(0);
  });
});

describe('labelText', () => {
  const label = (user: unknown, ...localized: [string, number][]) => ({
    UserLocalizedLabel: user,
    LocalizedLabels: localized.map(([Label, LanguageCode]) => ({ Label, LanguageCode })),
  });

  test('the user label first, then 1033, then any label', () => {
    expect(labelText(label({ Label: 'Firma', LanguageCode: 1031 }, ['Account', 1033]))).toBe('Firma');
    expect(labelText(label(null, ['Firma', 1031], ['Account', 1033]))).toBe('Account');
    expect(labelText(label(null, ['Firma', 1031]))).toBe('Firma');
    expect(labelText(label(null, ['Firma', 1031], ['Compte', 1036]), 1036)).toBe('Compte');
    expect(labelText({ LocalizedLabels: [], UserLocalizedLabel: null })).toBeUndefined();
    expect(labelText(null)).toBeUndefined();
  });
});
