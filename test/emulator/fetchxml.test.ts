import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  decodePagingCookie,
  encodePagingCookieAnnotation,
  escapePagingCookieForFetch,
  evaluateFetch,
  FetchXmlError,
  parseFetchXml,
  type FetchResult,
  type FetchSource,
} from '../../emulator/fetchxml';

const SHARED = path.resolve(__dirname, '../../../shared');
const USER = '99999999-9999-9999-9999-999999999999';
const guid = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

type Row = Record<string, unknown>;

const TYPES: Record<string, Record<string, string>> = {
  account: {
    accountid: 'Edm.Guid',
    name: 'Edm.String',
    revenue: 'Edm.Decimal',
    industrycode: 'Edm.Int32',
    createdon: 'Edm.DateTimeOffset',
    _primarycontactid_value: 'Edm.Guid',
    _ownerid_value: 'Edm.Guid',
    description: 'Edm.String',
  },
  contact: { contactid: 'Edm.Guid', fullname: 'Edm.String', _parentcustomerid_value: 'Edm.Guid', birthdate: 'Edm.Date' },
};

function source(tables: Record<string, Row[]>, now = new Date('2024-03-10T12:00:00Z')): FetchSource {
  return {
    rows: (entity) => tables[entity],
    attributeType: (entity, attribute) => TYPES[entity]?.[attribute],
    primaryKey: (entity) => `${entity}id`,
    now,
    userId: USER,
  };
}

const accounts: Row[] = [
  { accountid: guid(1), name: 'Contoso', revenue: 100, industrycode: 1, createdon: '2024-03-10T08:00:00Z', _primarycontactid_value: guid(101), _ownerid_value: USER, description: null },
  { accountid: guid(2), name: 'Fabrikam', revenue: 250.5, industrycode: 2, createdon: '2024-03-09T23:00:00Z', _primarycontactid_value: guid(102), _ownerid_value: guid(50) },
  { accountid: guid(3), name: 'Adventure Works', revenue: null, industrycode: 1, createdon: '2024-02-01T00:00:00Z', _ownerid_value: USER },
  { accountid: guid(4), name: 'contoso east', revenue: 75, industrycode: 2, createdon: '2023-12-31T12:00:00Z', _primarycontactid_value: guid(103) },
  { accountid: guid(5), name: 'Litware [Ltd] 100%', revenue: 0, industrycode: 3, createdon: '2024-03-01T00:00:00Z' },
];
const contacts: Row[] = [
  { contactid: guid(101), fullname: 'Yvonne McKay', _parentcustomerid_value: guid(1), birthdate: '1980-01-01' },
  { contactid: guid(102), fullname: 'Susanna Stubberod', _parentcustomerid_value: guid(2) },
  { contactid: guid(103), fullname: 'Nancy Anderberg', _parentcustomerid_value: guid(1) },
];
const data = source({ account: accounts, contact: contacts });

const run = (xml: string, src: FetchSource = data): FetchResult => evaluateFetch(parseFetchXml(xml), src);
const names = (xml: string, src?: FetchSource) => run(xml, src).rows.map((row) => row.name);
const filtered = (conditions: string, type = 'and') =>
  names(`<fetch><entity name="account"><attribute name="name"/><order attribute="accountid"/><filter type="${type}">${conditions}</filter></entity></fetch>`);

function expectFetchError(run: () => unknown, message: string | RegExp, code = '0x80040203'): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FetchXmlError);
  const error = caught as FetchXmlError;
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  expect(error.status).toBe(400);
  expect(error.code).toBe(code);
}

describe('parseFetchXml', () => {
  it('reads entity, columns, nested filters, orders, links and paging attributes', () => {
    const query = parseFetchXml(`<?xml version="1.0"?>
      <fetch version="1.0" mapping="logical" count="3" page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;/cookie&gt;" distinct="false" returntotalrecordcount="true">
        <entity name="account">
          <attribute name="name"/><attribute name="revenue" alias="rev"/>
          <filter type="or">
            <condition attribute="industrycode" operator="in"><value>1</value><value>2</value></condition>
            <filter><condition attribute="name" operator="like" value="C%"/><condition attribute="revenue" operator="not-null"/></filter>
          </filter>
          <order attribute="name" descending="true"/>
          <link-entity name="contact" from="contactid" to="primarycontactid" alias="pc" link-type="outer">
            <attribute name="fullname"/>
            <filter><condition attribute="fullname" operator="begins-with" value="Y"/></filter>
          </link-entity>
        </entity>
      </fetch>`);
    expect(query).toEqual({
      entity: 'account',
      attributes: [{ name: 'name' }, { name: 'revenue', alias: 'rev' }],
      filter: {
        type: 'or',
        conditions: [{ attribute: 'industrycode', operator: 'in', values: ['1', '2'] }],
        filters: [
          {
            type: 'and',
            conditions: [
              { attribute: 'name', operator: 'like', values: ['C%'] },
              { attribute: 'revenue', operator: 'not-null', values: [] },
            ],
            filters: [],
          },
        ],
      },
      orders: [{ attribute: 'name', descending: true }],
      links: [
        {
          name: 'contact',
          from: 'contactid',
          to: 'primarycontactid',
          alias: 'pc',
          linkType: 'outer',
          attributes: [{ name: 'fullname' }],
          filter: { type: 'and', conditions: [{ attribute: 'fullname', operator: 'begins-with', values: ['Y'] }], filters: [] },
          orders: [],
          links: [],
        },
      ],
      count: 3,
      page: 2,
      pagingCookie: '<cookie page="1"></cookie>',
      distinct: false,
      returnTotalRecordCount: true,
      aggregate: false,
    });
  });

  it('treats a root entity without columns as all-attributes and reads aggregates', () => {
    expect(parseFetchXml('<fetch top="5"><entity name="account"/></fetch>')).toMatchObject({ attributes: 'all', top: 5 });
    const query = parseFetchXml(
      `<fetch aggregate="true"><entity name="account"><attribute name="industrycode" alias="ind" groupby="true"/>
       <attribute name="accountid" alias="n" aggregate="count"/><attribute name="createdon" alias="y" groupby="true" dategrouping="year"/></entity></fetch>`,
    );
    expect(query.aggregate).toBe(true);
    expect(query.attributes).toEqual([
      { name: 'industrycode', alias: 'ind', groupBy: true },
      { name: 'accountid', alias: 'n', aggregate: 'count' },
      { name: 'createdon', alias: 'y', groupBy: true, dateGrouping: 'year' },
    ]);
  });

  it.each([
    ['malformed XML (XmlError passed through)', '<fetch><entity name="account"></fetch>', /^Invalid FetchXML: closing tag <\/fetch> does not match <entity> \(line 1, column \d+\)$/],
    ['another root', '<query><entity name="account"/></query>', 'The FetchXML root element must be <fetch>, not <query>.'],
    ['a missing entity', '<fetch/>', 'The <fetch> element must contain exactly one <entity> element.'],
    ['an entity without name', '<fetch><entity/></fetch>', "The <entity> element needs a 'name' attribute."],
    ['contains (not FetchXML)', '<fetch><entity name="a"><filter><condition attribute="name" operator="contains" value="x"/></filter></entity></fetch>', /operator 'contains' on attribute 'name' is not a valid FetchXML operator\. FetchXML has no 'contains'/],
    ['an unknown operator', '<fetch><entity name="a"><filter><condition attribute="x" operator="equals" value="1"/></filter></entity></fetch>', "The condition operator 'equals' on attribute 'x' is not a valid FetchXML operator."],
    ['an operator the emulator does not model', '<fetch><entity name="a"><filter><condition attribute="x" operator="under" value="1"/></filter></entity></fetch>', "The condition operator 'under' is valid FetchXML but is not supported by the emulator."],
    ['a value on null', '<fetch><entity name="a"><filter><condition attribute="x" operator="null" value="1"/></filter></entity></fetch>', "The condition operator 'null' on attribute 'x' takes no value; got 1."],
    ['one value on between', '<fetch><entity name="a"><filter><condition attribute="x" operator="between" value="1"/></filter></entity></fetch>', "The condition operator 'between' on attribute 'x' takes exactly two values; got 1."],
    ['in without values', '<fetch><entity name="a"><filter><condition attribute="x" operator="in"/></filter></entity></fetch>', "The condition operator 'in' on attribute 'x' takes at least one value; got 0."],
    ['a non-numeric x', '<fetch><entity name="a"><filter><condition attribute="x" operator="last-x-days" value="two"/></filter></entity></fetch>', /needs a positive whole number, not 'two'/],
    ['an unknown element', '<fetch><entity name="a"><select name="x"/></entity></fetch>', "Unexpected element <select> inside <entity name='a'>."],
    ['a bad filter type', '<fetch><entity name="a"><filter type="xor"/></entity></fetch>', "The filter type 'xor' is not valid; use 'and' or 'or'."],
    ['top with count', '<fetch top="5" count="5"><entity name="a"/></fetch>', "The 'top' attribute can't be combined with the paging attributes 'count' or 'page'."],
    ['count above 5000', '<fetch count="5001"><entity name="a"/></fetch>', "The 'count' attribute of <fetch> must be a whole number from 1 to 5000, not '5001'."],
    ['a non-boolean', '<fetch distinct="yes"><entity name="a"/></fetch>', "The 'distinct' attribute of <fetch> must be true or false, not 'yes'."],
    ['a link without from/to', '<fetch><entity name="a"><link-entity name="b" to="x"/></entity></fetch>', /needs both 'from' and 'to'/],
    ['an unsupported link-type', '<fetch><entity name="a"><link-entity name="b" from="x" to="y" link-type="any"/></entity></fetch>', /link-type 'any' is not supported/],
    ['an aggregate outside an aggregate query', '<fetch><entity name="a"><attribute name="x" alias="n" aggregate="count"/></entity></fetch>', /lacks aggregate='true'/],
    ['an aggregate attribute without alias', '<fetch aggregate="true"><entity name="a"><attribute name="x" aggregate="sum"/></entity></fetch>', "In an aggregate query the attribute 'x' needs an alias."],
    ['a plain attribute in an aggregate query', '<fetch aggregate="true"><entity name="a"><attribute name="x" alias="n" aggregate="sum"/><attribute name="y" alias="y"/></entity></fetch>', "In an aggregate query the attribute 'y' needs an aggregate or groupby='true'."],
    ['an unknown aggregate', '<fetch aggregate="true"><entity name="a"><attribute name="x" alias="n" aggregate="median"/></entity></fetch>', /aggregate 'median' is not valid/],
    ['16 link-entities', `<fetch><entity name="a">${'<link-entity name="b" from="x" to="y">'.repeat(16)}${'</link-entity>'.repeat(16)}</entity></fetch>`, 'The query has more than 15 link-entity elements.'],
  ])('refuses %s', (_name, xml, message) => {
    expectFetchError(() => parseFetchXml(xml), message);
  });

  it('refuses a DOCTYPE with an external entity (XXE)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE fetch [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
      <fetch><entity name="account"><filter><condition attribute="name" operator="eq" value="&xxe;"/></filter></entity></fetch>`;
    expectFetchError(() => parseFetchXml(xxe), /^Invalid FetchXML: DOCTYPE declarations are not allowed/);
  });

  it('refuses billion laughs quickly, with or without the DOCTYPE', () => {
    const entities = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)];
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]><fetch><entity name="account"><filter><condition attribute="name" operator="eq" value="&lol9;"/></filter></entity></fetch>`;
    const started = Date.now();
    expectFetchError(() => parseFetchXml(laughs), /DOCTYPE declarations are not allowed/);
    expectFetchError(() => parseFetchXml('<fetch><entity name="a"><filter><condition attribute="n" operator="eq" value="&lol9;"/></filter></entity></fetch>'), /undefined entity '&lol9;'/);
    expect(Date.now() - started).toBeLessThan(10_000); // an expanded bomb would not finish at all
  });

  it('bounds document size and depth', () => {
    expectFetchError(() => parseFetchXml(`<fetch><entity name="a">${'<filter>'.repeat(100)}${'</filter>'.repeat(100)}</entity></fetch>`), /nested deeper than 64/);
    expectFetchError(() => parseFetchXml(`<fetch><entity name="${'a'.repeat(2 * 1024 * 1024)}"/></fetch>`), /larger than/);
  });
});

describe('evaluateFetch: filters', () => {
  it('compares strings case-insensitively and leaves ne/not-like away from nulls', () => {
    expect(filtered('<condition attribute="name" operator="eq" value="CONTOSO"/>')).toEqual(['Contoso']);
    expect(filtered('<condition attribute="description" operator="ne" value="x"/>')).toEqual([]);
    expect(filtered('<condition attribute="revenue" operator="ne" value="100"/>')).toEqual(['Fabrikam', 'contoso east', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="revenue" operator="null"/>')).toEqual(['Adventure Works']);
    expect(filtered('<condition attribute="description" operator="not-null"/>')).toEqual([]);
  });

  it('matches T-SQL like patterns', () => {
    expect(filtered('<condition attribute="name" operator="like" value="%contoso%"/>')).toEqual(['Contoso', 'contoso east']);
    expect(filtered('<condition attribute="name" operator="like" value="_abrikam"/>')).toEqual(['Fabrikam']);
    expect(filtered('<condition attribute="name" operator="like" value="[a-d]%"/>')).toEqual(['Contoso', 'Adventure Works', 'contoso east']);
    expect(filtered('<condition attribute="name" operator="like" value="[^c]%"/>')).toEqual(['Fabrikam', 'Adventure Works', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="name" operator="like" value="%100[%]"/>')).toEqual(['Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="name" operator="not-like" value="%o%"/>')).toEqual(['Fabrikam', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="name" operator="begins-with" value="con"/>')).toEqual(['Contoso', 'contoso east']);
    expect(filtered('<condition attribute="name" operator="ends-with" value="WORKS"/>')).toEqual(['Adventure Works']);
    expect(filtered('<condition attribute="name" operator="not-begin-with" value="c"/>')).toEqual(['Fabrikam', 'Adventure Works', 'Litware [Ltd] 100%']);
  });

  it('keeps like linear on hostile patterns', () => {
    const long = { accountid: guid(9), name: 'a'.repeat(20_000) };
    const started = Date.now();
    const hits = names(
      `<fetch><entity name="account"><attribute name="name"/><filter><condition attribute="name" operator="like" value="${'%a'.repeat(200)}%b"/></filter></entity></fetch>`,
      source({ account: [long] }),
    );
    expect(hits).toEqual([]);
    expect(Date.now() - started).toBeLessThan(20_000); // backtracking would take hours; generous for a loaded machine
  });

  it('compares numbers, GUIDs, in and between by type', () => {
    expect(filtered('<condition attribute="revenue" operator="gt" value="99.5"/>')).toEqual(['Contoso', 'Fabrikam']);
    expect(filtered('<condition attribute="revenue" operator="le" value="75"/>')).toEqual(['contoso east', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="revenue" operator="between"><value>0</value><value>100</value></condition>')).toEqual(['Contoso', 'contoso east', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="revenue" operator="not-between"><value>0</value><value>100</value></condition>')).toEqual(['Fabrikam']);
    expect(filtered('<condition attribute="industrycode" operator="in"><value>2</value><value>3</value></condition>')).toEqual(['Fabrikam', 'contoso east', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="industrycode" operator="not-in"><value>1</value></condition>')).toEqual(['Fabrikam', 'contoso east', 'Litware [Ltd] 100%']);
    expect(filtered(`<condition attribute="accountid" operator="eq" value="{${guid(2).toUpperCase()}}"/>`)).toEqual(['Fabrikam']);
    expect(filtered(`<condition attribute="primarycontactid" operator="eq" value="${guid(103)}"/>`)).toEqual(['contoso east']);
    expectFetchError(() => filtered('<condition attribute="revenue" operator="eq" value="lots"/>'), "Condition for attribute 'account.revenue': 'lots' is not a valid number.");
    expectFetchError(() => filtered('<condition attribute="accountid" operator="eq" value="42"/>'), "Condition for attribute 'account.accountid': '42' is not a valid GUID.");
  });

  it('evaluates date operators against source.now (UTC days)', () => {
    expect(filtered('<condition attribute="createdon" operator="today"/>')).toEqual(['Contoso']);
    expect(filtered('<condition attribute="createdon" operator="yesterday"/>')).toEqual(['Fabrikam']);
    expect(filtered('<condition attribute="createdon" operator="on" value="2024-03-01"/>')).toEqual(['Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="createdon" operator="on-or-after" value="2024-03-01"/>')).toEqual(['Contoso', 'Fabrikam', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="createdon" operator="on-or-before" value="2024-02-01"/>')).toEqual(['Adventure Works', 'contoso east']);
    expect(filtered('<condition attribute="createdon" operator="last-x-days" value="9"/>')).toEqual(['Contoso', 'Fabrikam', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="createdon" operator="olderthan-x-months" value="1"/>')).toEqual(['Adventure Works', 'contoso east']);
    expect(filtered('<condition attribute="createdon" operator="this-month"/>')).toEqual(['Contoso', 'Fabrikam', 'Litware [Ltd] 100%']);
    expect(filtered('<condition attribute="createdon" operator="last-year"/>')).toEqual(['contoso east']);
    expect(filtered('<condition attribute="createdon" operator="next-x-days" value="3"/>')).toEqual([]);
    expectFetchError(() => filtered('<condition attribute="name" operator="today"/>'), "The condition operator 'today' needs a date and time attribute; 'account.name' is not one.");
  });

  it('evaluates eq-userid, valueof and nested and/or', () => {
    expect(filtered('<condition attribute="ownerid" operator="eq-userid"/>')).toEqual(['Contoso', 'Adventure Works']);
    expect(filtered('<condition attribute="ownerid" operator="ne-userid"/>')).toEqual(['Fabrikam']);
    expect(filtered('<condition attribute="revenue" operator="gt" valueof="industrycode"/>')).toEqual(['Contoso', 'Fabrikam', 'contoso east']);
    expect(
      filtered(
        `<condition attribute="industrycode" operator="eq" value="1"/>
         <filter type="and"><condition attribute="industrycode" operator="eq" value="2"/><condition attribute="revenue" operator="gt" value="100"/></filter>`,
        'or',
      ),
    ).toEqual(['Contoso', 'Fabrikam', 'Adventure Works']);
  });
});

describe('evaluateFetch: columns, link-entity, order', () => {
  it('omits null columns, always returns the primary key and keeps lookups as _x_value', () => {
    const { rows } = run('<fetch><entity name="account"><attribute name="revenue"/><attribute name="primarycontactid"/><filter><condition attribute="industrycode" operator="eq" value="1"/></filter><order attribute="name"/></entity></fetch>');
    expect(rows).toEqual([
      { accountid: guid(3) },
      { revenue: 100, _primarycontactid_value: guid(101), accountid: guid(1) },
    ]);
    const [all] = run(`<fetch><entity name="account"><all-attributes/><filter><condition attribute="accountid" operator="eq" value="${guid(1)}"/></filter></entity></fetch>`).rows;
    expect(all).not.toHaveProperty('description');
    expect(all).toMatchObject({ name: 'Contoso', revenue: 100 });
  });

  it('joins inner and outer link-entities with alias.column names', () => {
    const link = (type: string, extra = '') =>
      `<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
         <link-entity name="contact" from="contactid" to="primarycontactid" alias="pc" link-type="${type}"><attribute name="fullname"/><attribute name="birthdate" alias="born"/>${extra}</link-entity>
       </entity></fetch>`;
    expect(run(link('inner')).rows).toEqual([
      { name: 'Contoso', accountid: guid(1), 'pc.fullname': 'Yvonne McKay', born: '1980-01-01' },
      { name: 'contoso east', accountid: guid(4), 'pc.fullname': 'Nancy Anderberg' },
      { name: 'Fabrikam', accountid: guid(2), 'pc.fullname': 'Susanna Stubberod' },
    ]);
    expect(run(link('outer')).rows.map((row) => row['pc.fullname'] ?? '-')).toEqual(['-', 'Yvonne McKay', 'Nancy Anderberg', 'Susanna Stubberod', '-']);
    const filteredLink = link('outer', '<filter><condition attribute="fullname" operator="begins-with" value="y"/></filter>');
    expect(run(filteredLink).rows.filter((row) => row['pc.fullname']).map((row) => row.name)).toEqual(['Contoso']);
    expect(run(filteredLink).rows).toHaveLength(5);
  });

  it('filters on joined columns with entityname and supports 1:N links and exists', () => {
    const withoutContact = names(`<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
        <link-entity name="contact" from="contactid" to="primarycontactid" alias="pc" link-type="outer"/>
        <filter><condition entityname="pc" attribute="contactid" operator="null"/></filter></entity></fetch>`);
    expect(withoutContact).toEqual(['Adventure Works', 'Litware [Ltd] 100%']);
    const oneToMany = run(`<fetch><entity name="account"><attribute name="name"/>
        <link-entity name="contact" from="parentcustomerid" to="accountid"><attribute name="fullname"/><order attribute="fullname"/></link-entity></entity></fetch>`);
    expect(oneToMany.rows.map((row) => `${row.name}/${row['contact1.fullname']}`)).toEqual([
      'Contoso/Nancy Anderberg',
      'Fabrikam/Susanna Stubberod',
      'Contoso/Yvonne McKay',
    ]);
    expect(names(`<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
        <link-entity name="contact" from="parentcustomerid" to="accountid" link-type="exists"/></entity></fetch>`)).toEqual(['Contoso', 'Fabrikam']);
    const nested = run(`<fetch><entity name="contact"><attribute name="fullname"/><order attribute="fullname"/>
        <link-entity name="account" from="accountid" to="parentcustomerid" alias="a"><attribute name="name"/>
          <link-entity name="contact" from="contactid" to="primarycontactid" alias="pc"><attribute name="fullname"/></link-entity>
        </link-entity></entity></fetch>`);
    expect(nested.rows.map((row) => `${row.fullname} @ ${row['a.name']} (primary: ${row['pc.fullname']})`)).toEqual([
      'Nancy Anderberg @ Contoso (primary: Yvonne McKay)',
      'Susanna Stubberod @ Fabrikam (primary: Susanna Stubberod)',
      'Yvonne McKay @ Contoso (primary: Yvonne McKay)',
    ]);
    expectFetchError(
      () => run('<fetch><entity name="account"><filter><condition entityname="nope" attribute="x" operator="null"/></filter></entity></fetch>'),
      /entityname 'nope' of the condition on 'x' is not the alias of a link-entity/,
    );
  });

  it('orders with nulls first ascending, distinct, top and the total count', () => {
    expect(names('<fetch><entity name="account"><attribute name="name"/><order attribute="revenue"/></entity></fetch>')).toEqual([
      'Adventure Works', 'Litware [Ltd] 100%', 'contoso east', 'Contoso', 'Fabrikam',
    ]);
    expect(names('<fetch top="2"><entity name="account"><attribute name="name"/><order attribute="name" descending="true"/></entity></fetch>')).toEqual([
      'Litware [Ltd] 100%', 'Fabrikam',
    ]);
    expect(run('<fetch distinct="true"><entity name="account"><attribute name="industrycode"/><order attribute="industrycode"/></entity></fetch>').rows).toEqual([
      { industrycode: 1 }, { industrycode: 2 }, { industrycode: 3 },
    ]);
    const counted = run('<fetch count="2" returntotalrecordcount="true"><entity name="account"><attribute name="name"/></entity></fetch>');
    expect(counted).toMatchObject({ totalRecordCount: 5, totalRecordCountLimitExceeded: false, moreRecords: true });
  });

  it('refuses unknown tables with the Dataverse message', () => {
    expectFetchError(
      () => run('<fetch><entity name="nope"/></fetch>'),
      "The entity with a name = 'nope' with namemapping = 'Logical' was not found in the MetadataCache.",
      '0x80041102',
    );
  });
});

describe('evaluateFetch: paging', () => {
  // 25 accounts, names with repeats so the cookie must tie-break on the key; GUIDs not in insertion order.
  const many: Row[] = Array.from({ length: 25 }, (_, i) => ({
    accountid: `${((i * 7919) % 97).toString(16).padStart(8, 'a')}-1111-2222-3333-${String(i).padStart(12, '0')}`,
    name: `Account ${String.fromCharCode(65 + (i % 4))}`,
    revenue: i % 3 === 0 ? null : i * 10,
  }));
  const pagingXml = (page: number, cookie?: string, order = '<order attribute="name"/>') =>
    `<fetch count="10" page="${page}"${cookie !== undefined ? ` paging-cookie="${escapePagingCookieForFetch(cookie)}"` : ''}>
       <entity name="account"><attribute name="name"/><attribute name="revenue"/>${order}</entity></fetch>`;

  function readAllPages(src: FetchSource, order?: string, betweenPages?: (page: number, result: FetchResult) => void) {
    const ids: unknown[] = [];
    const results: FetchResult[] = [];
    let cookie: string | undefined;
    for (let page = 1; page <= 10; page++) {
      const result = run(pagingXml(page, cookie, order), src);
      results.push(result);
      ids.push(...result.rows.map((row) => row.accountid));
      if (!result.moreRecords) break;
      // The cookie travels the way a client sees it: inside the annotation, then back into the fetch.
      const annotation = encodePagingCookieAnnotation(page + 1, result.pagingCookie!);
      const decoded = decodePagingCookie(annotation);
      expect(decoded).toMatchObject({ pageNumber: page + 1, previousPage: page, isTracking: false });
      cookie = decoded.pagingCookie;
      betweenPages?.(page, result);
    }
    return { ids, results };
  }

  it.each([
    ['name', '<order attribute="name"/>'],
    ['revenue descending (with nulls)', '<order attribute="revenue" descending="true"/>'],
    ['name then revenue', '<order attribute="name"/><order attribute="revenue"/>'],
    ['the primary key only', ''],
  ])('walks three pages by %s without duplicates or gaps', (_name, order) => {
    const { ids, results } = readAllPages(source({ account: many }), order);
    expect(results.map((r) => [r.rows.length, r.moreRecords, r.pagingCookie === undefined])).toEqual([
      [10, true, false],
      [10, true, false],
      [5, false, true],
    ]);
    expect(new Set(ids).size).toBe(25);
    expect(ids.sort()).toEqual(many.map((row) => row.accountid).sort());
  });

  it('writes the Dataverse inner cookie: sort columns then the key, GUIDs upper-case in braces', () => {
    const first = run(pagingXml(1), source({ account: many }));
    expect(first.pagingCookie).toMatch(
      /^<cookie page="1"><name last="Account B" first="Account A" \/><accountid last="\{[0-9A-F-]{36}\}" first="\{[0-9A-F-]{36}\}" \/><\/cookie>$/,
    );
    const nullLast = run(pagingXml(1, undefined, '<order attribute="revenue"/>'), source({ account: many }));
    expect(nullLast.pagingCookie).toMatch(/^<cookie page="1"><revenue last="\d+" firstnull="1" \/>/);
  });

  it('continues after the cookie row even when rows change between pages', () => {
    const table = many.map((row) => ({ ...row }));
    const { ids } = readAllPages(source({ account: table }), '<order attribute="name"/>', (page, result) => {
      if (page === 1) {
        // Delete the last row the client saw and add a row that sorts before the cookie.
        const lastId = result.rows[result.rows.length - 1].accountid;
        table.splice(table.findIndex((row) => row.accountid === lastId), 1);
        table.push({ accountid: guid(777), name: 'Account A', revenue: 1 });
      }
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(25);
    expect(ids).not.toContain(guid(777));
  });

  it('pages by offset without a cookie, and gives an empty cookie when rows are not unique per key', () => {
    const withCookie = readAllPages(source({ account: many })).results.map((r) => r.rows);
    const byOffset = [1, 2, 3].map((page) => run(pagingXml(page), source({ account: many })).rows);
    expect(byOffset).toEqual(withCookie);
    const oneToMany = run(`<fetch count="1"><entity name="account"><attribute name="name"/>
      <link-entity name="contact" from="parentcustomerid" to="accountid"><attribute name="fullname"/></link-entity></entity></fetch>`);
    expect(oneToMany).toMatchObject({ moreRecords: true, pagingCookie: '' });
  });
});

describe('evaluateFetch: aggregates', () => {
  const aggregate = (attributes: string, extra = '') =>
    run(`<fetch aggregate="true"><entity name="account">${attributes}${extra}</entity></fetch>`).rows;

  it('counts and sums per group, ordered by alias', () => {
    expect(
      aggregate(
        `<attribute name="industrycode" alias="industry" groupby="true"/>
         <attribute name="accountid" alias="accounts" aggregate="count"/>
         <attribute name="revenue" alias="total" aggregate="sum"/>
         <attribute name="revenue" alias="withRevenue" aggregate="countcolumn"/>
         <attribute name="revenue" alias="average" aggregate="avg"/>
         <attribute name="revenue" alias="lowest" aggregate="min"/>
         <attribute name="name" alias="last" aggregate="max"/>`,
        '<order alias="industry" descending="true"/>',
      ),
    ).toEqual([
      { industry: 3, accounts: 1, total: 0, withRevenue: 1, average: 0, lowest: 0, last: 'Litware [Ltd] 100%' },
      { industry: 2, accounts: 2, total: 325.5, withRevenue: 2, average: 162.75, lowest: 75, last: 'Fabrikam' },
      { industry: 1, accounts: 2, total: 100, withRevenue: 1, average: 100, lowest: 100, last: 'Contoso' },
    ]);
  });

  it('aggregates without groupby into one row, counts distinct values and groups by date parts', () => {
    expect(aggregate('<attribute name="revenue" alias="total" aggregate="sum"/><attribute name="accountid" alias="n" aggregate="count"/>')).toEqual([{ total: 425.5, n: 5 }]);
    expect(aggregate('<attribute name="industrycode" alias="kinds" aggregate="countcolumn" distinct="true"/>')).toEqual([{ kinds: 3 }]);
    expect(
      aggregate('<attribute name="createdon" alias="year" groupby="true" dategrouping="year"/><attribute name="accountid" alias="n" aggregate="count"/>', '<order alias="year"/>'),
    ).toEqual([{ year: 2023, n: 1 }, { year: 2024, n: 4 }]);
    expect(
      run('<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/><filter><condition attribute="name" operator="eq" value="none"/></filter></entity></fetch>').rows,
    ).toEqual([{ n: 0 }]);
  });

  it('groups by a link-entity column', () => {
    expect(
      run(`<fetch aggregate="true"><entity name="contact"><attribute name="contactid" alias="n" aggregate="count"/>
        <link-entity name="account" from="accountid" to="parentcustomerid" alias="a"><attribute name="name" alias="account" groupby="true"/></link-entity>
        <order alias="account"/></entity></fetch>`).rows,
    ).toEqual([{ n: 2, account: 'Contoso' }, { n: 1, account: 'Fabrikam' }]);
  });

  it('refuses more than 50,000 rows like Dataverse', () => {
    const big = Array.from({ length: 50_001 }, (_, i) => ({ accountid: guid(i) }));
    expectFetchError(
      () => run('<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="n" aggregate="count"/></entity></fetch>', source({ account: big })),
      'AggregateQueryRecordLimit exceeded. Cannot perform this operation.',
      '0x8004e023',
    );
  });
});

describe('paging cookie encoding', () => {
  const inner = (page: number, last: string, first: string, column = 'accountid') => `<cookie page="${page}"><${column} last="{${last}}" first="{${first}}" /></cookie>`;

  it('encodes the annotation exactly like the reference nextLink sample (inner cookie encoded twice, lower-case hex)', () => {
    const reference = readFileSync(path.join(SHARED, 'reference/dataverse-web-api.md'), 'utf8');
    const skiptoken = /^@odata\.nextLink = .*\$skiptoken=(\S+)$/m.exec(reference)![1];
    const outerOnce = decodeURIComponent(skiptoken);
    expect(outerOnce).toMatch(/^<cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e/);
    const cookie = inner(1, 'D5026A4D-D01C-ED11-B83E-000D3A572421', '49B0BE2E-D01C-ED11-B83E-000D3A572421', 'contactid');
    const annotation = encodePagingCookieAnnotation(2, cookie);
    // The Web API annotation carries the inner cookie one encoding deeper than the $skiptoken form.
    expect(annotation).toBe(outerOnce.replace(/%/g, '%25'));
    expect(annotation).toContain('pagingcookie="%253ccookie%2520page%253d%25221%2522%253e%253ccontactid%2520last%253d%2522%257bD5026A4D-');
    expect(annotation).toMatch(/%253c%252fcookie%253e" istracking="False" \/>$/);
    expect(decodePagingCookie(annotation)).toEqual({ pageNumber: 2, pagingCookie: cookie, previousPage: 1, isTracking: false });
    expect(decodePagingCookie(outerOnce)).toEqual({ pageNumber: 2, pagingCookie: cookie, previousPage: 1, isTracking: false });
  });

  it('decodes the DynamicsWebApi stub forms (whole value URL-encoded, pagingcookie="", XML-escaped)', () => {
    const stubs = readFileSync(path.join(SHARED, 'fixtures/responses/peer/dynamicswebapi-tests-stubs.ts'), 'utf8');
    const stub = (name: string) => new RegExp(`${name}:\\s*"([^"]+)"`).exec(stubs)![1];
    const page1 = decodePagingCookie(stub('cookiePage1'));
    expect(page1).toEqual({
      pageNumber: 2,
      pagingCookie: inner(1, 'EF72AE29-B3DE-E611-8102-5065F38A7BF1', '475B158C-541C-E511-80D3-3863BB347BA8'),
      previousPage: 1,
      isTracking: false,
    });
    const page2 = decodePagingCookie(stub('cookiePage2'));
    expect(page2).toMatchObject({ pageNumber: 2, previousPage: 2 });
    // DynamicsWebApi hands the cookie back XML-escaped (its PagingInfo.cookie); so must we.
    const escaped = [...stubs.matchAll(/cookie: "(&lt;[^"]+)"/g)].map((m) => m[1]);
    expect(escaped).toEqual([escapePagingCookieForFetch(page1.pagingCookie), escapePagingCookieForFetch(page2.pagingCookie)]);
    expect(decodePagingCookie(escaped[0])).toEqual({ pagingCookie: page1.pagingCookie, previousPage: 1 });

    const empty = /"(%253Ccookie%2520pagenumber%253D%25222%2522%2520pagingcookie%253D%2522%2522[^"]*)"/.exec(stubs)![1];
    expect(decodePagingCookie(empty)).toEqual({ pageNumber: 2, pagingCookie: '', isTracking: false });
    expect(decodePagingCookie('<cookie pagenumber="3" pagingcookie="" istracking="False" />')).toEqual({ pageNumber: 3, pagingCookie: '', isTracking: false });
  });

  it('reads the stub fetch with paging-cookie and resumes after its row', () => {
    const stubs = readFileSync(path.join(SHARED, 'fixtures/responses/peer/dynamicswebapi-tests-stubs.ts'), 'utf8');
    const fetchXml = /fetchXml2cookie:\s*'([^']+)'/.exec(stubs)![1] + '<entity name="account"><attribute name="accountid"/><attribute name="name"/></entity></fetch>';
    const query = parseFetchXml(fetchXml);
    expect(query).toMatchObject({ page: 2, count: 5, pagingCookie: inner(1, 'EF72AE29-B3DE-E611-8102-5065F38A7BF1', '475B158C-541C-E511-80D3-3863BB347BA8') });
    const ids = ['475B158C-541C-E511-80D3-3863BB347BA8', 'EF72AE29-B3DE-E611-8102-5065F38A7BF1', 'F172AE29-B3DE-E611-8102-5065F38A7BF1', 'F972AE29-B3DE-E611-8102-5065F38A7BF1'];
    const result = evaluateFetch(query, source({ account: ids.map((id, i) => ({ accountid: id.toLowerCase(), name: `n${i}` })) }));
    expect(result.rows.map((row) => row.name)).toEqual(['n2', 'n3']);
    expect(result.moreRecords).toBe(false);
  });

  it('round-trips any inner cookie, including non-ASCII and XML-special values', () => {
    const cookie = '<cookie page="7"><name last="Ünïcødé &amp; &quot;q&quot; 100%" first="a+b=c" /><accountid last="{AAAAAAAA-0000-0000-0000-000000000001}" first="{AAAAAAAA-0000-0000-0000-000000000000}" /></cookie>';
    expect(decodePagingCookie(encodePagingCookieAnnotation(8, cookie))).toEqual({ pageNumber: 8, pagingCookie: cookie, previousPage: 7, isTracking: false });
    expect(decodePagingCookie(encodeURIComponent(encodePagingCookieAnnotation(8, cookie))).pagingCookie).toBe(cookie);
    expect(decodePagingCookie(escapePagingCookieForFetch(cookie)).pagingCookie).toBe(cookie);
  });

  it.each([['not a cookie', 'hello'], ['broken escapes', '%E0%A4%A'], ['no page', '<cookie><a last="1" /></cookie>'], ['no closing', '<cookie pagenumber="2" pagingcookie="x']])(
    'refuses %s',
    (_name, value) => {
      expectFetchError(() => decodePagingCookie(value), /^The paging cookie '.*' is not valid\.$/);
    },
  );

  it('refuses a malformed cookie inside a fetch', () => {
    expectFetchError(
      () => run(`<fetch count="2" page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;accountid"><entity name="account"/></fetch>`),
      /^The paging cookie is not valid: /,
    );
  });
});
