/**
 * Collection queries over real HTTPS against the documented Dataverse behaviour (reference §5): $filter (operators,
 * null, string functions, quoting and percent-encoding, lambdas, lookup paths, query functions), $orderby, $top,
 * $select, $expand, $count, $apply, server-driven paging and annotations. The emulator runs on a fixed clock so the
 * sample rows' dates (createdon = now - (60 - i) days, task scheduledend = now + 7 - i % 14 days) are exact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useWebApi } from '../helpers/emulator';
import { batchBody, boundaryOf, parseMultipartResponse } from '../helpers/multipart';

const NOW = Date.UTC(2025, 4, 14, 15, 30, 0); // Wed 14 May 2025 15:30:00 UTC
const DAY = 86_400_000;
const SAMPLE = "startswith(accountnumber,'ACC-')"; // the 24 sample accounts carry ACC-1001…ACC-1024

const w = useWebApi({ now: () => NOW });

/** Spaces are the only characters Node refuses in a request path; everything else is sent as written. */
const enc = (s: string) => s.replace(/ /g, '%20');

function get(p: string, prefer?: string) {
  return w.call('GET', enc(p), prefer ? { headers: { prefer } } : {});
}

async function values(p: string, prefer?: string): Promise<any[]> {
  const res = await get(p, prefer);
  if (res.status !== 200) throw new Error(`GET ${p} → ${res.status} ${res.text}`);
  return res.json.value;
}

async function names(p: string): Promise<string[]> {
  return (await values(p)).map((r) => r.name).sort();
}

async function create(set: string, body: Record<string, unknown>): Promise<any> {
  const res = await w.call('POST', set, { headers: { prefer: 'return=representation' }, body });
  if (res.status !== 201) throw new Error(`POST ${set} → ${res.status} ${res.text}`);
  return res.json;
}

async function expectError(p: string, status: number, message: string | RegExp, prefer?: string) {
  const res = await get(p, prefer);
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  if (typeof message === 'string') expect(res.json.error.message).toBe(message);
  else expect(res.json.error.message).toMatch(message);
  return res;
}

describe('$filter', () => {
  test('comparison, logical operators and parentheses match the same predicate computed over a plain read', async () => {
    const all = await values(`accounts?$select=name,industrycode,revenue,address1_city,creditonhold&$filter=${SAMPLE}`);
    expect(all).toHaveLength(24);
    const expected = all
      .filter((a) => (a.industrycode === 3 || a.industrycode === 8) && a.revenue >= 150000 && !(a.address1_city === 'Napa'))
      .map((a) => a.name)
      .sort();
    const got = await names(
      `accounts?$select=name&$filter=(industrycode eq 3 or industrycode eq 8) and revenue ge 150000 and not (address1_city eq 'Napa')`,
    );
    expect(got).toEqual(expected);
    expect(got).toEqual(['Alpine Ski House', 'Lucerne Publishing']);
    // Without the parentheses `and` binds tighter than `or`: a different (larger) answer.
    const unparenthesised = await names(`accounts?$select=name&$filter=industrycode eq 3 or industrycode eq 8 and revenue ge 150000`);
    expect(unparenthesised).toEqual(
      all.filter((a) => a.industrycode === 3 || (a.industrycode === 8 && a.revenue >= 150000)).map((a) => a.name).sort(),
    );
    expect(await names(`accounts?$select=name&$filter=revenue gt 5000000 and creditonhold eq false`)).toEqual(
      all.filter((a) => a.revenue > 5000000 && !a.creditonhold).map((a) => a.name).sort(),
    );
    expect(await names(`accounts?$select=name&$filter=revenue lt 100000 or revenue le 60000`)).toEqual(
      ['Fourth Coffee', 'Graphic Design Institute', "O'Brien & Sons", 'School of Fine Art'],
    );
    expect(await names(`accounts?$select=name&$filter=${SAMPLE} and industrycode ne 3`)).toHaveLength(24 - all.filter((a) => a.industrycode === 3).length);
  });

  test('eq null / ne null test for an empty column', async () => {
    const a = await create('accounts', { name: 'Null test with description', description: 'has one', accountnumber: 'NULL-1' });
    await create('accounts', { name: 'Null test without description', accountnumber: 'NULL-2' });
    expect(await names(`accounts?$select=name&$filter=startswith(accountnumber,'NULL-') and description ne null`)).toEqual([
      'Null test with description',
    ]);
    expect(await names(`accounts?$select=name&$filter=startswith(accountnumber,'NULL-') and description eq null`)).toEqual([
      'Null test without description',
    ]);
    const sampleWithoutDescription = await values(`accounts?$select=name&$filter=${SAMPLE} and description eq null`);
    expect(sampleWithoutDescription).toHaveLength(24);
    expect(a.description).toBe('has one');
  });

  test('contains, startswith and endswith are case-insensitive', async () => {
    expect(await names(`accounts?$select=name&$filter=contains(name,'WINERY')`)).toEqual(['Coho Winery']);
    expect(await names(`accounts?$select=name&$filter=startswith(name,'coho w')`)).toEqual(['Coho Winery']);
    expect(await names(`accounts?$select=name&$filter=endswith(name,'TOYS')`)).toEqual(['Tailspin Toys', 'Wingtip Toys']);
    expect(await names(`accounts?$select=name&$filter=name eq 'coho WINERY'`)).toEqual(['Coho Winery']);
    expect(await names(`accounts?$select=name&$filter=contains(name,'toys') and not startswith(name,'WING')`)).toEqual(['Tailspin Toys']);
  });

  test("a doubled single quote is one quote; & inside a literal must be sent as %26", async () => {
    expect(await names(`accounts?$select=name&$filter=name eq 'O''Brien %26 Sons'`)).toEqual(["O'Brien & Sons"]);
    expect(await names(`accounts?$select=name&$filter=contains(name,'''brien')`)).toEqual(["O'Brien & Sons"]);
    // Unencoded, the & ends the $filter parameter after "O''Brien " and the literal is left open.
    await expectError(`accounts?$select=name&$filter=name eq 'O''Brien & Sons'`, 400, /^There is an unterminated literal at position \d+ in 'name eq 'O''Brien '\.$/);
  });

  test('percent-encoded special characters inside literals', async () => {
    const name = 'Enc A+B, C/D: E=F? G@H $I; #1';
    await create('accounts', { name });
    expect(await names(`accounts?$select=name&$filter=name eq '${encodeURIComponent(name)}'`)).toEqual([name]);
    expect(await names(`accounts?$select=name&$filter=contains(name,'%2BB%2C')`)).toEqual([name]);
    expect(await names(`accounts?$select=name&$filter=contains(name,'%3F G%40H %24I%3B %231')`)).toEqual([name]);
  });

  test('lambda any / all over a collection-valued navigation (Account_Tasks)', async () => {
    expect(await names(`accounts?$select=name&$filter=Account_Tasks/any(t:contains(t/subject,'COHO'))`)).toEqual(['Coho Winery']);
    const allTwo = await create('accounts', { name: 'Lambda all two', accountnumber: 'LAMBDA-1' });
    const mixed = await create('accounts', { name: 'Lambda mixed', accountnumber: 'LAMBDA-2' });
    for (const [account, priority] of [[allTwo, 2], [allTwo, 2], [mixed, 2], [mixed, 1]] as const) {
      await create('tasks', { subject: `Lambda task ${priority}`, prioritycode: priority, 'regardingobjectid_account_task@odata.bind': `/accounts(${account.accountid})` });
    }
    // Sample account i has one task with prioritycode i % 3.
    const samplesWithTwo = (await values(`accounts?$select=name,accountnumber&$filter=${SAMPLE}`))
      .filter((a) => (Number(a.accountnumber.slice(4)) - 1001) % 3 === 2)
      .map((a) => a.name);
    expect(samplesWithTwo).toHaveLength(8);
    expect(await names(`accounts?$select=name&$filter=Account_Tasks/any(t:t/prioritycode eq 2) and Account_Tasks/all(t:t/prioritycode eq 2)`)).toEqual(
      [...samplesWithTwo, 'Lambda all two'].sort(),
    );
    expect(await names(`accounts?$select=name&$filter=Account_Tasks/any(t:t/prioritycode eq 1 and startswith(t/subject,'lambda'))`)).toEqual([
      'Lambda mixed',
    ]);
  });

  test('a path through a single-valued navigation (primarycontactid/fullname)', async () => {
    expect(await names(`accounts?$select=name&$filter=primarycontactid/fullname eq 'Yvonne McKay'`)).toEqual(['Contoso Pharmaceuticals']);
    expect(await names(`accounts?$select=name&$filter=primarycontactid/fullname eq 'yvonne mckay'`)).toEqual(['Contoso Pharmaceuticals']);
    expect(await names(`accounts?$select=name&$filter=startswith(primarycontactid/firstname,'Sus')`)).toEqual(['Fabrikam Inc', 'Northwind Traders']);
    // Two levels: contact → parent account → primary contact.
    const contacts = await values(`contacts?$select=fullname&$filter=parentcustomerid_account/primarycontactid/lastname eq 'Lyon'`);
    expect(contacts.map((c) => c.fullname)).toEqual(['Robert Lyon']);
  });

  test('Microsoft.Dynamics.CRM.In with parameter aliases, values in double quotes when one has a quote', async () => {
    const got = await names(
      `accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName=@p1,PropertyValues=@p2)&@p1='name'&@p2=["Coho Winery","O'Brien %26 Sons","No such account"]`,
    );
    expect(got).toEqual(['Coho Winery', "O'Brien & Sons"]);
    const numbers = await names(`accounts?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='industrycode',PropertyValues=['4','5'])`);
    expect(numbers).toEqual(['Adventure Works Cycles', 'Woodgrove Bank']);
    const notIn = await values(`accounts?$select=name&$filter=${SAMPLE} and Microsoft.Dynamics.CRM.NotIn(PropertyName='industrycode',PropertyValues=['4','5'])`);
    expect(notIn).toHaveLength(22);
  });

  test('Microsoft.Dynamics.CRM.Between is inclusive on both ends', async () => {
    const all = await values(`accounts?$select=name,revenue&$filter=${SAMPLE}`);
    const expected = all.filter((a) => a.revenue >= 120000 && a.revenue <= 300000).map((a) => a.name).sort();
    expect(expected).toContain('Coho Winery'); // revenue 300000, the upper bound
    expect(expected).toContain("Margie's Travel"); // revenue 120000, the lower bound
    expect(await names(`accounts?$select=name&$filter=${SAMPLE} and Microsoft.Dynamics.CRM.Between(PropertyName='revenue',PropertyValues=["120000","300000"])`)).toEqual(expected);
  });

  test('LastXDays and OlderThanXDays on createdon, Today and Tomorrow on task scheduledend (fixed clock)', async () => {
    const all = await values(`accounts?$select=name,createdon&$filter=${SAMPLE}`);
    // Sample account i was created (60 - i) days before now; LastXDays(44) starts at midnight 44 days ago.
    const from = Math.floor(NOW / DAY) * DAY - 44 * DAY;
    const expected = all.filter((a) => Date.parse(a.createdon) >= from).map((a) => a.name).sort();
    expect(expected).toHaveLength(8);
    expect(
      await names(`accounts?$select=name&$filter=${SAMPLE} and Microsoft.Dynamics.CRM.LastXDays(PropertyName=@p1,PropertyValue=@p2)&@p1='createdon'&@p2=44`),
    ).toEqual(expected);
    expect(await values(`accounts?$select=name&$filter=${SAMPLE} and Microsoft.Dynamics.CRM.OlderThanXDays(PropertyName='createdon',PropertyValue=50)`)).toHaveLength(
      all.filter((a) => Date.parse(a.createdon) < NOW - 50 * DAY).length,
    );
    const today = await values(`tasks?$select=subject,scheduledend&$filter=Microsoft.Dynamics.CRM.Today(PropertyName='scheduledend')`);
    expect(today.map((t) => t.subject).sort()).toEqual(['Follow up with Fourth Coffee', 'Follow up with Wingtip Toys']);
    const tomorrow = await values(`tasks?$select=subject&$filter=Microsoft.Dynamics.CRM.Tomorrow(PropertyName='scheduledend')`);
    expect(tomorrow.map((t) => t.subject).sort()).toEqual(['Follow up with Coho Winery', 'Follow up with Woodgrove Bank']);
  });

  test('a syntax error is 400 with the position of the problem', async () => {
    const res = await expectError(`contacts?$filter=lastname eq 'O'Bryan'`, 400, "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.");
    expect(res.json.error.code).toBe('0x80060888');
    await expectError(`accounts?$filter=name eq`, 400, /position \d+/);
    await expectError(`accounts?$filter=(name eq 'x'`, 400, /position \d+/);
  });

  test('an unknown column is 400 "Could not find a property named", also behind a navigation and inside a lambda', async () => {
    await expectError(`accounts?$filter=nosuchcolumn eq 1`, 400, "Could not find a property named 'nosuchcolumn' on type 'Microsoft.Dynamics.CRM.account'.");
    await expectError(`accounts?$filter=primarycontactid/nosuch eq 'x'`, 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.contact'.");
    await expectError(`accounts?$filter=Account_Tasks/any(t:t/nosuch eq 1)`, 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.task'.");
    await expectError(`accounts?$expand=Account_Tasks($filter=nosuch eq 1)`, 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.task'.");
    // Even when no row would be evaluated.
    await expectError(`accounts?$filter=name eq 'no such row' and nosuch eq 1`, 400, /Could not find a property named 'nosuch'/);
  });
});

describe('$orderby, $top, $skip, $select', () => {
  test('$orderby with several columns and desc', async () => {
    const got = await values(`accounts?$select=name,industrycode&$filter=${SAMPLE}&$orderby=industrycode desc,name asc`);
    const expected = [...got].sort((a, b) => b.industrycode - a.industrycode || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    expect(got.map((a) => a.name)).toEqual(expected.map((a) => a.name));
    expect(got[0]).toMatchObject({ industrycode: 12, name: 'Fabrikam Inc' });
    expect(got[23]).toMatchObject({ industrycode: 1, name: "O'Brien & Sons" });
    const byRevenue = await values(`accounts?$select=name,revenue&$filter=${SAMPLE}&$orderby=revenue desc`);
    const revenues = byRevenue.map((a) => a.revenue);
    expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
  });

  test('$top limits the rows and gives no nextLink', async () => {
    const res = await get(`accounts?$select=name,revenue&$filter=${SAMPLE}&$orderby=revenue desc&$top=3`);
    expect(res.status).toBe(200);
    expect(res.json.value.map((a: any) => a.name)).toEqual(['Woodgrove Bank', 'Blue Yonder Airlines', 'The Phone Company']);
    expect(res.json['@odata.nextLink']).toBeUndefined();
  });

  test('$skip is rejected, and so is an unknown $select or $orderby column', async () => {
    await expectError(`accounts?$select=name&$skip=5`, 400, /\$skip/);
    await expectError(`accounts?$select=name,nosuch`, 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.account'.");
    await expectError(`accounts?$orderby=nosuch desc`, 400, "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.account'.");
  });

  test('$select returns the chosen columns plus the primary key and etag, named in @odata.context', async () => {
    const res = await get(`accounts?$select=name,revenue&$filter=name eq 'Coho Winery'`);
    expect(res.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,revenue)`);
    expect(Object.keys(res.json.value[0]).sort()).toEqual(['@odata.etag', 'accountid', 'name', 'revenue']);
  });
});

describe('$expand', () => {
  test('single-valued navigation with a nested $select, and a nested $expand', async () => {
    const res = await get(
      `accounts?$select=name&$filter=name eq 'Coho Winery'&$expand=primarycontactid($select=fullname;$expand=parentcustomerid_account($select=name,accountnumber))`,
    );
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,primarycontactid(fullname))`);
    const row = res.json.value[0];
    expect(row.primarycontactid).toMatchObject({ fullname: 'Robert Lyon' });
    expect(Object.keys(row.primarycontactid).sort()).toEqual(['@odata.etag', 'contactid', 'fullname', 'parentcustomerid_account']);
    expect(row.primarycontactid.parentcustomerid_account).toMatchObject({ name: 'Coho Winery', accountid: row.accountid, accountnumber: 'ACC-1007' });
  });

  test('collection-valued navigation with nested $select, $filter, $orderby and $top', async () => {
    const account = await create('accounts', { name: 'Expand parent' });
    for (const subject of ['Exp B', 'Other', 'Exp A', 'Exp C']) {
      await create('tasks', { subject, 'regardingobjectid_account_task@odata.bind': `/accounts(${account.accountid})` });
    }
    const res = await get(
      `accounts(${account.accountid})?$select=name&$expand=Account_Tasks($select=subject;$filter=startswith(subject,'exp');$orderby=subject desc;$top=2)`,
    );
    expect(res.status).toBe(200);
    expect(res.json.Account_Tasks.map((t: any) => t.subject)).toEqual(['Exp C', 'Exp B']);
    expect(Object.keys(res.json.Account_Tasks[0]).sort()).toEqual(['@odata.etag', 'activityid', 'subject']);
    const list = await get(`accounts?$select=name&$filter=name eq 'Expand parent'&$expand=Account_Tasks($select=subject;$orderby=subject)`);
    expect(list.json.value[0].Account_Tasks.map((t: any) => t.subject)).toEqual(['Exp A', 'Exp B', 'Exp C', 'Other']);
    // Nested $expand inside a collection expansion (without $orderby/$top).
    const nested = await get(`accounts?$select=name&$filter=name eq 'Coho Winery'&$expand=contact_customer_accounts($select=fullname;$expand=parentcustomerid_account($select=name))`);
    expect(nested.json.value[0].contact_customer_accounts).toEqual([
      expect.objectContaining({ fullname: 'Robert Lyon', parentcustomerid_account: expect.objectContaining({ name: 'Coho Winery' }) }),
    ]);
  });

  test('options Dataverse does not allow inside $expand are 400', async () => {
    await expectError(`accounts?$select=name&$expand=Account_Tasks($skip=1)`, 400, /\$skip/);
    await expectError(`accounts?$select=name&$expand=Account_Tasks($count=true)`, 400, /\$count/);
    await expectError(
      `accounts?$select=name&$expand=contact_customer_accounts($orderby=fullname;$expand=parentcustomerid_account($select=name))`,
      400,
      /\$orderby and \$top are not supported together with a nested \$expand/,
    );
    await expectError(`accounts?$expand=nosuchnav`, 400, "Could not find a property named 'nosuchnav' on type 'Microsoft.Dynamics.CRM.account'.");
  });
});

describe('$count', () => {
  test('$count=true gives @odata.count over all matching rows (not the page), then the count annotations, then value', async () => {
    const prefer = 'odata.maxpagesize=2,odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"';
    const res = await get(`accounts?$select=name&$filter=${SAMPLE} and customertypecode eq 3&$count=true`, prefer);
    expect(res.status).toBe(200);
    expect(res.json.value).toHaveLength(2);
    expect(res.json['@odata.count']).toBe(11);
    expect(res.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(11);
    expect(res.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
    const keys = Object.keys(res.json);
    expect(keys.slice(0, 5)).toEqual([
      '@odata.context', '@odata.count', '@Microsoft.Dynamics.CRM.totalrecordcount', '@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded', 'value',
    ]);
    const without = await get(`accounts?$select=name&$top=1`, prefer.replace('odata.maxpagesize=2,', ''));
    expect(without.json['@odata.count']).toBeUndefined();
    expect(without.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(-1);
    const plain = await get(`accounts?$select=name&$count=true&$top=1`);
    expect(plain.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBeUndefined();
  });

  test('GET accounts/$count is text/plain with the number of rows', async () => {
    const all = await values('accounts?$select=accountid');
    const res = await get('accounts/$count');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
    expect(res.text).toBe(String(all.length));
  });

  test('above 5,000 rows the count is capped and limitexceeded is true; maxpagesize above 5,000 is capped too', async () => {
    // 5,001 leads through $batch (1,000 operations per batch).
    for (let start = 0; start < 5001; start += 1000) {
      const boundary = `batch_leads_${start}`;
      const items = Array.from({ length: Math.min(1000, 5001 - start) }, (_, i) => ({
        request: 'POST leads',
        body: { subject: `Bulk lead ${start + i}`, lastname: `Bulk${start + i}` },
      }));
      const res = await w.call('POST', '$batch', { headers: { 'content-type': `multipart/mixed; boundary="${boundary}"` }, body: batchBody(boundary, items) });
      expect(res.status).toBe(200);
      const parts = parseMultipartResponse(res.text, boundaryOf(res.headers['content-type']));
      expect(parts.every((p) => p.status === 204)).toBe(true);
    }
    const prefer = 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",odata.maxpagesize=10';
    const counted = await get(`leads?$select=subject&$filter=startswith(subject,'Bulk lead')&$count=true`, prefer);
    expect(counted.json['@odata.count']).toBe(5000);
    expect(counted.json['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(5000);
    expect(counted.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(true);
    const below = await get(`leads?$select=subject&$filter=startswith(subject,'Bulk lead 1')&$count=true`, prefer);
    expect(below.json['@odata.count']).toBe(1111); // "Bulk lead 1", 10–19, 100–199, 1000–1999
    expect(below.json['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
    const count = await get('leads/$count');
    expect(count.text).toBe('5000');

    const big = await get(`leads?$select=subject&$filter=startswith(subject,'Bulk lead')`, 'odata.maxpagesize=9000');
    expect(big.headers['preference-applied']).toBe('odata.maxpagesize=5000');
    expect(big.json.value).toHaveLength(5000);
    expect(big.json['@odata.nextLink']).toEqual(expect.any(String));
    const rest = await w.call('GET', big.json['@odata.nextLink'], { headers: { prefer: 'odata.maxpagesize=9000' } });
    expect(rest.json.value).toHaveLength(1);
    expect(rest.json['@odata.nextLink']).toBeUndefined();
    const seen = new Set([...big.json.value, ...rest.json.value].map((l: any) => l.subject));
    expect(seen.size).toBe(5001);
    // Without Prefer the default page is 5,000 too.
    const unpreferred = await get(`leads?$select=subject&$filter=startswith(subject,'Bulk lead')`);
    expect(unpreferred.json.value).toHaveLength(5000);
    expect(unpreferred.headers['preference-applied']).toBeUndefined();
  });
});

describe('$apply', () => {
  test('groupby with sum, average, min, max and $count matches a computation over the same rows', async () => {
    const rows = await values(`accounts?$select=industrycode,revenue,numberofemployees&$filter=${SAMPLE}`);
    const res = await get(
      `accounts?$apply=filter(${SAMPLE})/groupby((industrycode),aggregate(revenue with sum as total,revenue with average as avg,numberofemployees with min as fewest,numberofemployees with max as most,$count as n))`,
    );
    expect(res.status).toBe(200);
    const groups = new Map<number, any[]>();
    for (const r of rows) groups.set(r.industrycode, [...(groups.get(r.industrycode) ?? []), r]);
    expect(res.json.value).toHaveLength(groups.size);
    for (const g of res.json.value) {
      const members = groups.get(g.industrycode)!;
      expect(members).toBeDefined();
      const revenue = members.map((m) => m.revenue);
      const employees = members.map((m) => m.numberofemployees);
      expect(g.total).toBe(revenue.reduce((s, v) => s + v, 0));
      expect(g.avg).toBeCloseTo(revenue.reduce((s, v) => s + v, 0) / members.length, 4);
      expect(g.fewest).toBe(Math.min(...employees));
      expect(g.most).toBe(Math.max(...employees));
      expect(g.n).toBe(members.length);
    }
    const totals = await get(`accounts?$apply=filter(${SAMPLE})/aggregate(revenue with sum as total,revenue with max as top,$count as n)`);
    expect(totals.json.value).toEqual([{ total: rows.reduce((s, r) => s + r.revenue, 0), top: 12_000_000, n: 24 }]);
  });
});

describe('paging', () => {
  async function readAllPages(p: string, size: number) {
    const pages: any[] = [];
    let res = await get(p, `odata.maxpagesize=${size}`);
    for (;;) {
      expect(res.status).toBe(200);
      expect(res.headers['preference-applied']).toBe(`odata.maxpagesize=${size}`);
      pages.push(res.json);
      const next = res.json['@odata.nextLink'];
      if (!next) break;
      expect(res.json.value).toHaveLength(size);
      res = await w.call('GET', next, { headers: { prefer: `odata.maxpagesize=${size}` } });
    }
    return pages;
  }

  test.each([
    ['no $orderby', 'accounts?$select=name'],
    ['$orderby with ties', 'accounts?$select=name,industrycode&$orderby=industrycode desc'],
    ['$orderby on a mostly-null column', 'accounts?$select=name,description&$orderby=description,name'],
    ['$orderby and $filter', `accounts?$select=name,revenue&$filter=revenue ge 100000&$orderby=revenue`],
  ])('maxpagesize=5 returns every row exactly once, in the unpaged order (%s)', async (_label, p) => {
    await create('accounts', { name: 'Paging extra 1', description: 'b' });
    await create('accounts', { name: 'Paging extra 2', description: 'a', revenue: 100000 });
    const unpaged = await values(p);
    const pages = await readAllPages(p, 5);
    expect(pages.length).toBe(Math.ceil(unpaged.length / 5));
    const ids = pages.flatMap((pg) => pg.value.map((r: any) => r.accountid));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(unpaged.map((r) => r.accountid));
    expect(pages[pages.length - 1]['@odata.nextLink']).toBeUndefined();
  });

  test('the nextLink carries a Dataverse-style paging cookie and keeps the other options', async () => {
    const res = await get(`accounts?$select=name&$filter=${SAMPLE}`, 'odata.maxpagesize=5');
    const next: string = res.json['@odata.nextLink'];
    expect(next.startsWith(`${w.api}accounts?$select=name&$filter=`)).toBe(true);
    const token = decodeURIComponent(new URL(next).search.match(/\$skiptoken=([^&]*)/)![1]);
    expect(token).toMatch(/^<cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3caccountid%20last%3d%22%7b[0-9A-F-]{36}%7d%22%20first%3d%22%7b[0-9A-F-]{36}%7d%22%20%2f%3e%3c%2fcookie%3e" istracking="False" \/>$/);
  });

  test('a tampered $skiptoken is 400 with a clear message', async () => {
    const res = await get(`accounts?$select=name&$filter=${SAMPLE}&$orderby=revenue`, 'odata.maxpagesize=5');
    const next: string = res.json['@odata.nextLink'];
    const tampered = [
      next.replace(/pagenumber(%3D|=)%222%22/i, 'pagenumber$1%22two%22'),
      next.replace(/%253ccookie/i, '%253cnotacookie'),
      next.replace(/\$skiptoken=.*$/, '$skiptoken=' + encodeURIComponent('<cookie pagenumber="2" pagingcookie="%3ccookie" />')),
      next.replace(/revenue%2520last%253d%2522[0-9.]+%2522/i, 'revenue%2520last%253d%2522lots%2522'),
      next.replace(/\$skiptoken=.*$/, '$skiptoken=garbage'),
      // A well-formed cookie for another sort order (name instead of revenue).
      next.replace(/%253crevenue%2520/i, '%253cname%2520'),
    ];
    for (const url of tampered) {
      expect(url).not.toBe(next);
      const bad = await w.call('GET', url, { headers: { prefer: 'odata.maxpagesize=5' } });
      expect({ url, status: bad.status }).toEqual({ url, status: 400 });
      expect(bad.json.error.message).toMatch(/\$skiptoken/);
    }
  });
});

describe('annotations', () => {
  const FV = '@OData.Community.Display.V1.FormattedValue';
  const seed = JSON.parse(fs.readFileSync(path.join(__dirname, '../../emulator/model/dataverse-seed.json'), 'utf8'));
  const industryLabel = (code: number) => (seed.tables.account.choices.industrycode as [number, string][]).find(([v]) => v === code)![1];

  test('FormattedValue for choice, money, date, boolean and lookup, each written before its property', async () => {
    const res = await get(
      `accounts?$select=name,industrycode,revenue,createdon,creditonhold,_primarycontactid_value&$filter=name eq 'Contoso Pharmaceuticals'`,
      'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
    );
    expect(res.headers['preference-applied']).toBe('odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
    const row = res.json.value[0];
    expect(row[`industrycode${FV}`]).toBe(industryLabel(7));
    expect(row[`industrycode${FV}`]).toBe('Consulting');
    expect(row[`revenue${FV}`]).toBe('$2,500,000.00');
    // Contoso is sample account 0: created 60 days before the fixed clock, 15 Mar 2025 15:30 UTC.
    expect(row.createdon).toBe('2025-03-15T15:30:00Z');
    expect(row[`createdon${FV}`]).toBe('3/15/2025 3:30 PM');
    expect(row[`creditonhold${FV}`]).toBe('Yes');
    expect(row[`_primarycontactid_value${FV}`]).toBe('Yvonne McKay');
    expect(row[`name${FV}`]).toBeUndefined();
    const keys = Object.keys(row);
    for (const col of ['industrycode', 'revenue', 'createdon', 'creditonhold', '_primarycontactid_value']) {
      expect(keys.indexOf(`${col}${FV}`)).toBe(keys.indexOf(col) - 1);
    }
    const off = await get(`accounts?$select=creditonhold,industrycode&$filter=name eq 'Fabrikam Inc'`, 'odata.include-annotations="*"');
    expect(off.json.value[0][`creditonhold${FV}`]).toBe('No');
    expect(off.json.value[0][`industrycode${FV}`]).toBe(industryLabel(12));
  });

  test('annotations appear only when asked for, and only the ones asked for', async () => {
    const p = `accounts?$select=industrycode,revenue,_primarycontactid_value&$filter=name eq 'Contoso Pharmaceuticals'`;
    const none = await get(p);
    expect(Object.keys(none.json.value[0]).filter((k) => k.includes('@') && k !== '@odata.etag')).toEqual([]);
    expect(none.headers['preference-applied']).toBeUndefined();
    const lookupOnly = await get(p, 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"');
    expect(Object.keys(lookupOnly.json.value[0]).filter((k) => k.includes('@') && k !== '@odata.etag')).toEqual([
      '_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname',
    ]);
    expect(lookupOnly.json.value[0]['_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname']).toBe('contact');
    expect(lookupOnly.headers['preference-applied']).toBe('odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"');
    const crm = await get(p, 'odata.include-annotations="Microsoft.Dynamics.CRM.*"');
    expect(crm.json.value[0][`revenue${FV}`]).toBeUndefined();
    expect(crm.json.value[0]['_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty']).toBe('primarycontactid');
  });

  test('Preference-Applied echoes every honoured preference', async () => {
    const res = await get(`accounts?$select=name`, 'odata.maxpagesize=3, odata.include-annotations="*"');
    expect(res.status).toBe(200);
    const applied = String(res.headers['preference-applied']).split(/,\s*(?=odata\.)/).sort();
    expect(applied).toEqual(['odata.include-annotations="*"', 'odata.maxpagesize=3']);
    expect(res.json.value).toHaveLength(3);
  });
});
