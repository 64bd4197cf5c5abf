/** FetchXML over real HTTPS (`GET {set}?fetchXml=…`), checked against the rows the same emulator serves through OData. */
import { useWebApi } from '../helpers/emulator';
import { batchBody, boundaryOf, headerValue, parseMultipartResponse } from '../helpers/multipart';

const w = useWebApi();

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PAGING = 'odata.include-annotations="Microsoft.Dynamics.CRM.fetchxmlpagingcookie,Microsoft.Dynamics.CRM.morerecords"';
const COOKIE = '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
const MORE = '@Microsoft.Dynamics.CRM.morerecords';

const xmlAttr = (text: string) => text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

function fetch(set: string, xml: string, prefer?: string) {
  return w.call('GET', `${set}?fetchXml=${encodeURIComponent(xml)}`, { headers: prefer ? { prefer } : {} });
}

async function odataRows(path: string): Promise<any[]> {
  const res = await w.call('GET', path);
  expect(res.status).toBe(200);
  expect(res.json['@odata.nextLink']).toBeUndefined();
  return res.json.value;
}

async function create(set: string, body: Record<string, unknown>): Promise<any> {
  const res = await w.call('POST', set, { headers: { prefer: 'return=representation' }, body });
  expect(res.status).toBe(201);
  return res.json;
}

const byText = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

describe('columns, filters, order', () => {
  test('attribute, filter and order select exactly the rows and columns OData shows, in order', async () => {
    const all = await odataRows('accounts?$select=name,revenue,address1_city');
    const expected = all
      .filter((a) => a.revenue !== null && a.revenue >= 1_000_000 && a.address1_city !== null)
      .sort((a, b) => b.revenue - a.revenue || (a.accountid < b.accountid ? -1 : 1));
    expect(expected.length).toBeGreaterThan(3);
    const res = await fetch(
      'accounts',
      `<fetch>
         <entity name="account">
           <attribute name="name"/><attribute name="revenue"/><attribute name="address1_city"/>
           <filter type="and">
             <condition attribute="revenue" operator="ge" value="1000000"/>
             <condition attribute="address1_city" operator="not-null"/>
           </filter>
           <order attribute="revenue" descending="true"/>
         </entity>
       </fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toMatch(new RegExp(`^${w.api.replace(/[.$]/g, '\\$&')}\\$metadata#accounts\\b`));
    expect(res.json.value.map((r: any) => r.accountid)).toEqual(expected.map((a) => a.accountid));
    for (const row of res.json.value) {
      expect(Object.keys(row).sort()).toEqual(['@odata.etag', 'accountid', 'address1_city', 'name', 'revenue']);
      expect(row['@odata.etag']).toMatch(/^W\/"\d+"$/);
    }
    const first = res.json.value[0];
    expect(first).toEqual({ ...expected[0] });
  });

  test('or-filters, like and in work over HTTPS', async () => {
    const all = await odataRows('accounts?$select=name,address1_city');
    const expected = all
      .filter((a) => a.name.startsWith('Fabrikam') || ['Denver', 'Napa'].includes(a.address1_city))
      .map((a) => a.name)
      .sort(byText);
    const res = await fetch(
      'accounts',
      `<fetch><entity name="account"><attribute name="name"/>
         <filter type="or">
           <condition attribute="name" operator="like" value="fabrikam%"/>
           <condition attribute="address1_city" operator="in"><value>Denver</value><value>Napa</value></condition>
         </filter>
         <order attribute="name"/></entity></fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.json.value.map((r: any) => r.name)).toEqual(expected);
    expect(expected).toHaveLength(3);
  });

  test('null columns are left out of FetchXML rows, while OData returns them as null', async () => {
    const created = await create('accounts', { name: 'Null Columns Co', revenue: 42 });
    const xml = `<fetch><entity name="account"><attribute name="name"/><attribute name="address1_city"/><attribute name="telephone1"/><attribute name="revenue"/>
      <filter><condition attribute="accountid" operator="eq" value="${created.accountid}"/></filter></entity></fetch>`;
    const res = await fetch('accounts', xml, 'odata.include-annotations="*"');
    expect(res.status).toBe(200);
    expect(res.json.value).toHaveLength(1);
    const row = res.json.value[0];
    expect(row).toMatchObject({ name: 'Null Columns Co', revenue: 42, accountid: created.accountid });
    expect(row).not.toHaveProperty('address1_city');
    expect(row).not.toHaveProperty('telephone1');
    expect(Object.keys(row).filter((k) => k.startsWith('address1_city') || k.startsWith('telephone1'))).toEqual([]);
    const odata = await w.call('GET', `accounts(${created.accountid})?$select=address1_city,telephone1`);
    expect(odata.json).toMatchObject({ address1_city: null, telephone1: null });
  });

  test('lookups come back as _x_value (never the logical name), with annotations when asked, and filter by logical name', async () => {
    const contacts = await odataRows('contacts?$select=fullname,_parentcustomerid_value');
    const accounts = new Map((await odataRows('accounts?$select=name')).map((a) => [a.accountid, a.name]));
    const res = await fetch(
      'contacts',
      '<fetch><entity name="contact"><attribute name="fullname"/><attribute name="parentcustomerid"/><order attribute="fullname"/></entity></fetch>',
      'odata.include-annotations="*"',
    );
    expect(res.status).toBe(200);
    const linked = contacts.filter((c) => c._parentcustomerid_value !== null);
    expect(res.json.value.filter((r: any) => '_parentcustomerid_value' in r)).toHaveLength(linked.length);
    for (const row of res.json.value) {
      expect(row).not.toHaveProperty('parentcustomerid');
      if (!('_parentcustomerid_value' in row)) continue;
      expect(row._parentcustomerid_value).toMatch(GUID);
      expect(row['_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('account');
      expect(row['_parentcustomerid_value@OData.Community.Display.V1.FormattedValue']).toBe(accounts.get(row._parentcustomerid_value));
    }
    const target = linked[3];
    const filtered = await fetch(
      'contacts',
      `<fetch><entity name="contact"><attribute name="fullname"/><filter><condition attribute="parentcustomerid" operator="eq" value="{${target._parentcustomerid_value.toUpperCase()}}"/></filter></entity></fetch>`,
    );
    expect(filtered.json.value.map((r: any) => r.contactid)).toEqual(
      contacts.filter((c) => c._parentcustomerid_value === target._parentcustomerid_value).map((c) => c.contactid).sort(),
    );
  });
});

describe('link-entity', () => {
  test('contacts of accounts: inner join with a filter on the linked table, columns as alias.column', async () => {
    const contacts = await odataRows('contacts?$select=fullname,jobtitle,_parentcustomerid_value');
    const accounts = new Map((await odataRows('accounts?$select=name')).map((a) => [a.accountid, a.name]));
    const expected = contacts
      .filter((c) => c.jobtitle === 'Purchasing Manager' && accounts.has(c._parentcustomerid_value))
      .map((c) => ({ name: accounts.get(c._parentcustomerid_value), contact: c.fullname }))
      .sort((a, b) => byText(a.name, b.name));
    expect(expected.length).toBeGreaterThan(5);
    const res = await fetch(
      'accounts',
      `<fetch><entity name="account"><attribute name="name"/><order attribute="name"/>
         <link-entity name="contact" from="parentcustomerid" to="accountid" link-type="inner" alias="c">
           <attribute name="fullname"/><attribute name="jobtitle"/>
           <filter><condition attribute="jobtitle" operator="eq" value="Purchasing Manager"/></filter>
         </link-entity></entity></fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.json.value.map((r: any) => ({ name: r.name, contact: r['c.fullname'] }))).toEqual(expected);
    for (const row of res.json.value) expect(row['c.jobtitle']).toBe('Purchasing Manager');
  });

  test('an outer join keeps accounts without contacts and leaves their linked columns out', async () => {
    const lonely = await create('accounts', { name: 'Zz Lonely Account' });
    const res = await fetch(
      'accounts',
      `<fetch><entity name="account"><attribute name="name"/>
         <filter><condition attribute="name" operator="like" value="Zz Lonely%"/></filter>
         <link-entity name="contact" from="parentcustomerid" to="accountid" link-type="outer" alias="c"><attribute name="fullname"/></link-entity>
       </entity></fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.json.value).toHaveLength(1);
    expect(res.json.value[0].accountid).toBe(lonely.accountid);
    expect(res.json.value[0]).not.toHaveProperty('c.fullname');
  });
});

describe('paging with the paging cookie', () => {
  /** Parses the annotation and returns the inner cookie as a client puts it back (decoded twice). */
  function readCookie(annotation: string): { pageNumber: number; inner: string } {
    const m = /^<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" istracking="False" \/>$/.exec(annotation);
    expect(m).not.toBeNull();
    const inner = decodeURIComponent(decodeURIComponent(m![2]));
    return { pageNumber: Number(m![1]), inner };
  }

  async function readAllPages(entityXml: (fetchAttrs: string) => string, set: string, size: number) {
    const pages: any[][] = [];
    let cookie: string | undefined;
    for (let page = 1; page < 100; page++) {
      const attrs = `count="${size}" page="${page}"${cookie !== undefined ? ` paging-cookie='${xmlAttr(cookie)}'` : ''}`;
      const res = await fetch(set, entityXml(attrs), PAGING);
      expect(res.status).toBe(200);
      expect(res.headers['preference-applied']).toBe(PAGING);
      pages.push(res.json.value);
      if (!res.json[MORE]) {
        expect(res.json).not.toHaveProperty(COOKIE);
        expect(res.json).not.toHaveProperty(MORE);
        break;
      }
      expect(res.json[MORE]).toBe(true);
      expect(res.json.value).toHaveLength(size);
      const parsed = readCookie(res.json[COOKIE]);
      expect(parsed.pageNumber).toBe(page + 1);
      expect(parsed.inner).toMatch(new RegExp(`^<cookie page="${page}">.*</cookie>$`));
      cookie = parsed.inner;
    }
    return pages;
  }

  test('every page, no duplicates or gaps, cookie put back into <fetch paging-cookie=… page=n>', async () => {
    const all = await odataRows('contacts?$select=fullname');
    const expected = [...all].sort((a, b) => byText(a.fullname ?? '', b.fullname ?? '') || (a.contactid < b.contactid ? -1 : 1));
    const pages = await readAllPages(
      (attrs) => `<fetch ${attrs}><entity name="contact"><attribute name="fullname"/><order attribute="fullname"/></entity></fetch>`,
      'contacts',
      5,
    );
    expect(pages.length).toBe(Math.ceil(expected.length / 5));
    const ids = pages.flat().map((r) => r.contactid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected.map((c) => c.contactid));
  });

  test('the cookie (not the page number) decides where the next page starts', async () => {
    for (let i = 1; i <= 7; i++) await create('accounts', { name: `Pg ${String(i).padStart(2, '0')}` });
    const xml = (attrs: string) =>
      `<fetch ${attrs}><entity name="account"><attribute name="name"/><filter><condition attribute="name" operator="like" value="Pg %"/></filter><order attribute="name"/></entity></fetch>`;
    const first = await fetch('accounts', xml('count="3" page="1"'), PAGING);
    expect(first.json.value.map((r: any) => r.name)).toEqual(['Pg 01', 'Pg 02', 'Pg 03']);
    const inner = readCookie(first.json[COOKIE]).inner;
    expect(inner).toMatch(/^<cookie page="1"><name last="Pg 03" first="Pg 01" \/><accountid last="\{[0-9A-F-]{36}\}" first="\{[0-9A-F-]{36}\}" \/><\/cookie>$/);

    await create('accounts', { name: 'Pg 00' });
    const withCookie = await fetch('accounts', xml(`count="3" page="2" paging-cookie='${xmlAttr(inner)}'`), PAGING);
    expect(withCookie.json.value.map((r: any) => r.name)).toEqual(['Pg 04', 'Pg 05', 'Pg 06']);
    const byOffset = await fetch('accounts', xml('count="3" page="2"'), PAGING);
    expect(byOffset.json.value.map((r: any) => r.name)).toEqual(['Pg 03', 'Pg 04', 'Pg 05']);
  });

  test('without the Prefer header the paging annotations are not sent', async () => {
    const res = await fetch('accounts', '<fetch count="2"><entity name="account"><attribute name="name"/></entity></fetch>');
    expect(res.status).toBe(200);
    expect(res.json.value).toHaveLength(2);
    expect(res.json).not.toHaveProperty(COOKIE);
    expect(res.json).not.toHaveProperty(MORE);
  });
});

describe('aggregates', () => {
  test('count with groupby matches counting the OData rows', async () => {
    const all = await odataRows('accounts?$select=customertypecode');
    const counts = new Map<number, number>();
    for (const a of all) if (a.customertypecode !== null) counts.set(a.customertypecode, (counts.get(a.customertypecode) ?? 0) + 1);
    const res = await fetch(
      'accounts',
      `<fetch aggregate="true"><entity name="account">
         <attribute name="accountid" alias="n" aggregate="count"/>
         <attribute name="customertypecode" alias="kind" groupby="true"/>
         <filter><condition attribute="customertypecode" operator="not-null"/></filter>
         <order alias="kind"/>
       </entity></fetch>`,
    );
    expect(res.status).toBe(200);
    expect(res.json.value).toEqual([...counts.entries()].sort((a, b) => a[0] - b[0]).map(([kind, n]) => ({ kind, n })));
    expect(res.json.value.length).toBeGreaterThan(3);

    const total = await fetch('accounts', '<fetch aggregate="true"><entity name="account"><attribute name="accountid" alias="total" aggregate="count"/></entity></fetch>');
    expect(total.json.value).toEqual([{ total: all.length }]);
  });
});

describe('refused queries', () => {
  test('a DOCTYPE / external entity is refused with 400 and a clear message', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE fetch [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><fetch><entity name="account"><attribute name="name"/><filter><condition attribute="name" operator="eq" value="&xxe;"/></filter></entity></fetch>`;
    const res = await fetch('accounts', xxe);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/^Invalid FetchXML: DOCTYPE declarations are not allowed/);
    expect(res.text).not.toContain('root:');
  });

  test('a fetch whose entity does not match the entity set is 400', async () => {
    const res = await fetch('contacts', '<fetch><entity name="account"><attribute name="name"/></entity></fetch>');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe("The entity name 'account' in the FetchXML does not match the entity set 'contacts' of the request.");
  });

  test('malformed XML and top combined with count are 400 with the reason', async () => {
    const broken = await fetch('accounts', '<fetch><entity name="account"><attribute name="name"></entity></fetch>');
    expect(broken.status).toBe(400);
    expect(broken.json.error.message).toMatch(/^Invalid FetchXML: /);
    const top = await fetch('accounts', '<fetch top="2" count="2"><entity name="account"/></fetch>');
    expect(top.status).toBe(400);
    expect(top.json.error.message).toBe("The 'top' attribute can't be combined with the paging attributes 'count' or 'page'.");
  });
});

test('a long FetchXML sent as a GET inside $batch is answered like a direct request', async () => {
  const names = (await odataRows('accounts?$select=name')).map((a) => a.name).slice(0, 40);
  const values = names.map((n) => `<value>${xmlAttr(n)}</value>`).join('');
  const padding = `<!--${'x'.repeat(20_000)}-->`;
  const xml = `<fetch>${padding}<entity name="account"><attribute name="name"/><filter><condition attribute="name" operator="in">${values}</condition></filter><order attribute="name"/></entity></fetch>`;
  const body = batchBody('batch_fetch', [{ request: `GET accounts?fetchXml=${encodeURIComponent(xml)}` }]);
  const res = await w.call('POST', '$batch', { headers: { 'content-type': 'multipart/mixed; boundary=batch_fetch' }, body });
  expect(res.status).toBe(200);
  const [part] = parseMultipartResponse(res.text, boundaryOf(res.headers['content-type']));
  expect(part.status).toBe(200);
  expect(headerValue(part.headers, 'Content-Type')).toMatch(/^application\/json; odata\.metadata=minimal/);
  expect(JSON.parse(part.body).value.map((r: any) => r.name)).toEqual([...names].sort(byText));
});
