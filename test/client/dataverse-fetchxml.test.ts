/** FetchXML paging with the paging cookie, end to end, plus the cookie forms found in the field. */
import { parsePagingCookie } from '../../client/dataverse';
import { escapeXmlAttribute } from '../../client/dataverse/fetchxml-cookie';
import { MAX_FETCHXML_URL_LENGTH, withPaging } from '../../client/dataverse/fetchxml';
import { startDataverse, type DataverseFixture } from './dataverse-setup';

let f: DataverseFixture;
beforeAll(async () => {
  f = await startDataverse();
  // Duplicate cities so the sort key is not unique: the cookie (not the sort value alone) must carry the position.
  for (let i = 0; i < 13; i++) await f.client.create('accounts', { name: `Fetch ${i}`, address1_city: i % 2 ? 'Redmond' : 'Seattle' });
});
afterAll(() => f.stop());

const INNER = '<cookie page="1"><accountid last="{EF72AE29-B3DE-E611-8102-5065F38A7BF1}" first="{475B158C-541C-E511-80D3-3863BB347BA8}" /></cookie>';

describe('paging cookie forms', () => {
  test('current form: the pagingcookie attribute URL-encoded twice', () => {
    const annotation = `<cookie pagenumber="2" pagingcookie="${encodeURIComponent(encodeURIComponent(INNER))}" istracking="False" />`;
    expect(parsePagingCookie(annotation)).toEqual({ nextPage: 2, cookie: INNER });
  });

  test('older form: the whole annotation URL-encoded twice (DynamicsWebApi test stub)', () => {
    const annotation =
      '%253Ccookie%2520pagenumber%253D%25222%2522%2520pagingcookie%253D%2522%253Ccookie%2520page%253D%25221%2522%253E%253Caccountid%2520last%253D%2522%257BEF72AE29-B3DE-E611-8102-5065F38A7BF1%257D%2522%2520first%253D%2522%257B475B158C-541C-E511-80D3-3863BB347BA8%257D%2522%2520/%253E%253C/cookie%253E%2522%2520istracking%253D%2522False%2522%2520/%253E';
    expect(parsePagingCookie(annotation)).toEqual({ nextPage: 2, cookie: INNER });
  });

  test('virtual tables: an empty pagingcookie', () => {
    expect(parsePagingCookie('<cookie pagenumber="3" pagingcookie="" istracking="False" />')).toEqual({ nextPage: 3, cookie: '' });
  });

  test('absent or unreadable', () => {
    expect(parsePagingCookie(undefined)).toBeUndefined();
    expect(parsePagingCookie('nonsense')).toBeUndefined();
  });

  test('withPaging puts page, count and the XML-escaped cookie on <fetch>, keeping other attributes', () => {
    const xml = `<?xml version="1.0"?><fetch version="1.0" page="9" mapping='logical'><entity name="account"><attribute name="name" /></entity></fetch>`;
    const paged = withPaging(xml, { page: 2, count: 5, cookie: INNER });
    expect(paged).toBe(
      `<?xml version="1.0"?><fetch version="1.0" mapping="logical" page='2' count='5' paging-cookie='${escapeXmlAttribute(INNER)}'><entity name="account"><attribute name="name" /></entity></fetch>`,
    );
    expect(paged).toContain("paging-cookie='&lt;cookie page=&quot;1&quot;&gt;&lt;accountid last=&quot;{EF72AE29");
  });
});

describe('iterateFetchXml against the emulator', () => {
  const fetchXml = (order: string) =>
    `<fetch version="1.0" mapping="logical"><entity name="account"><attribute name="name" /><attribute name="address1_city" /><attribute name="accountid" />${order}</entity></fetch>`;

  test.each([
    ['by name', '<order attribute="name" />'],
    ['by a non-unique column', '<order attribute="address1_city" descending="true" />'],
    ['without order', ''],
  ])('all pages, no gaps, no duplicates (%s)', async (_label, order) => {
    const total = await f.client.count('accounts');
    f.sent.length = 0;
    const ids: string[] = [];
    const pages: number[] = [];
    for await (const page of f.client.iterateFetchXmlPages('accounts', fetchXml(order), { pageSize: 5 })) {
      pages.push(page.page);
      ids.push(...page.rows.map((r) => r.accountid as string));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(total);
    expect(pages).toEqual(Array.from({ length: Math.ceil(total / 5) }, (_, i) => i + 1));
    const prefer = f.sent[0].headers.prefer;
    expect(prefer).toBe('odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"');
    // From the second page on, the request carries the cookie of the previous answer.
    const second = decodeURIComponent(new URL(f.sent[1].url).searchParams.get('fetchXml')!);
    expect(second).toMatch(/page='2' count='5' paging-cookie='&lt;cookie page=&quot;1&quot;&gt;/);
  });

  test('annotations asked for by the caller are merged; maxRows stops early', async () => {
    f.sent.length = 0;
    const rows = [];
    for await (const row of f.client.iterateFetchXml('accounts', fetchXml('<order attribute="name" />'), { pageSize: 4, maxRows: 6, annotations: ['OData.Community.Display.V1.FormattedValue'] })) rows.push(row);
    expect(rows).toHaveLength(6);
    expect(f.sent).toHaveLength(2);
    expect(f.sent[0].headers.prefer).toBe(
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"',
    );
  });

  test('a fetch with top runs once without paging attributes', async () => {
    f.sent.length = 0;
    const rows = [];
    for await (const row of f.client.iterateFetchXml('accounts', '<fetch top="3"><entity name="account"><attribute name="name" /></entity></fetch>')) rows.push(row);
    expect(rows).toHaveLength(3);
    expect(f.sent).toHaveLength(1);
  });

  test('a query too long for a URL goes as a GET inside $batch', async () => {
    const cities = Array.from({ length: 900 }, (_, i) => `<value>City number ${i}</value>`).join('');
    const xml = `<fetch><entity name="account"><attribute name="name" /><filter><condition attribute="address1_city" operator="in">${cities}<value>Redmond</value></condition></filter></entity></fetch>`;
    expect(encodeURIComponent(xml).length).toBeGreaterThan(MAX_FETCHXML_URL_LENGTH);
    const expected = await f.client.count('accounts', "address1_city eq 'Redmond'");
    expect(expected).toBe(7);
    f.sent.length = 0;
    const rows = [];
    for await (const row of f.client.iterateFetchXml('accounts', xml, { pageSize: 3 })) rows.push(row);
    expect(rows.length).toBe(expected);
    expect(f.sent.length).toBe(3);
    for (const request of f.sent) {
      expect(request.url).toMatch(/\/\$batch$/);
      expect(request.idempotent).toBe(true);
    }
  });
});
