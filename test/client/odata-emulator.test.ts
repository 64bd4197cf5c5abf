/**
 * Round trip of client/odata against the emulator over real HTTPS: rows whose names hold quotes, &, #, +, %, spaces,
 * brackets, unicode and JSON-special characters are created, then read back with filters and paths built by the
 * client, which must find exactly the row meant. The emulator parses with its own OData parser (emulator/odata),
 * so the two implementations check each other. Injection attempts must match nothing, never every row.
 */
import { startEmulator, type RunningEmulator } from '../../emulator';
import {
  bindProperty,
  bindValue,
  buildQueryString,
  entityPath,
  filterBuilder,
  lookupValueColumn,
  type ODataQuery,
} from '../../client/odata';
import { appToken, httpsRequest, type HttpResult } from '../helpers/emulator';

const TAG = 'odata-rt';
const SPECIAL_NAMES = [
  "O'Bryan's ''double'' quote",
  'Fish & Chips && Co',
  'Room #5 ## hash',
  'C++ + plus',
  '100% off %25 %',
  '  two  spaces  inside',
  'Zoë 日本語 😀 Ωmega',
  'under_score [bracket] 50%_x',
  'slash/question?equals=at@dollar$comma,semi;colon:',
  'quote " backslash \\ end',
  "x' or 1 eq 1 or name eq '",
];
const ACCOUNT_NUMBER = "A'1 &#+%/?";

let emulator: RunningEmulator;
let token: string;
let api: string;
const ids = new Map<string, string>();

async function call(method: string, path: string, body?: unknown): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers.prefer = 'return=representation';
  }
  return httpsRequest(emulator, method, api + path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function rows(set: string, query: ODataQuery): Promise<any[]> {
  const res = await call('GET', set + buildQueryString(query));
  if (res.status !== 200) throw new Error(`GET ${set}${buildQueryString(query)} → ${res.status} ${res.text}`);
  return res.json.value;
}

async function names(query: ODataQuery): Promise<string[]> {
  return (await rows('accounts', { select: ['name'], ...query })).map((r) => r.name).sort();
}

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  token = await appToken(emulator);
  api = `${emulator.dataverseUrl}api/data/v9.2/`;
  for (const [i, special] of SPECIAL_NAMES.entries()) {
    const name = `${TAG} ${i} ${special}`;
    const created = await call('POST', 'accounts', { name, ...(i === 0 ? { accountnumber: ACCOUNT_NUMBER } : {}) });
    expect(created.status).toBe(201);
    ids.set(name, created.json.accountid);
  }
});

afterAll(() => emulator?.stop());

const TYPES: Record<string, string> = { name: 'Edm.String', accountid: 'Edm.Guid', numberofemployees: 'Edm.Int32' };
const f = filterBuilder({ columnType: (c) => TYPES[c] });
const allNames = () => [...ids.keys()];

describe('values with special characters round-trip through the filter builder', () => {
  test('eq finds exactly the row, for every special name', async () => {
    for (const name of allNames()) {
      expect(await names({ filter: f.eq('name', name) })).toEqual([name]);
    }
  });

  test('contains, startswith and endswith find exactly the row (LIKE wildcards %, _ and [ match literally)', async () => {
    for (const [i, special] of SPECIAL_NAMES.entries()) {
      const name = `${TAG} ${i} ${special}`;
      expect(await names({ filter: f.contains('name', name) })).toEqual([name]);
      expect(await names({ filter: f.endswith('name', special) })).toEqual([name]);
      expect(await names({ filter: f.startswith('name', `${TAG} ${i} ${special.slice(0, 6)}`) })).toEqual([name]);
    }
    // The same text used as a pattern matches more: escaping is what made the difference.
    expect((await names({ filter: f.contains('name', `${TAG} _ `, { pattern: true }) })).length).toBeGreaterThan(1);
    expect(await names({ filter: f.contains('name', `${TAG} _ `) })).toEqual([]);
  });

  test('In with values containing quotes, double quotes and backslashes, inline and as parameter aliases', async () => {
    const wanted = allNames().filter((n) => /['"\\&]/.test(n)).sort();
    expect(wanted.length).toBeGreaterThanOrEqual(4);
    const values = [...wanted, "no such 'account'"];
    expect(await names({ filter: f.crm.In('name', values) })).toEqual(wanted);
    const aliased = filterBuilder({ queryFunctionValues: 'aliases' });
    expect(await names({ filter: aliased.crm.In('name', values) })).toEqual(wanted);
    const notIn = await names({ filter: f.and(f.startswith('name', TAG), f.crm.NotIn('name', wanted)) });
    expect(notIn).toEqual(allNames().filter((n) => !wanted.includes(n)).sort());
  });

  test('orderBy, top, select and count travel with the filter', async () => {
    const res = await call('GET', `accounts${buildQueryString({
      select: ['name'],
      filter: f.startswith('name', `${TAG} `),
      orderBy: [{ column: 'name', descending: true }],
      top: 3,
      count: true,
    })}`);
    expect(res.status).toBe(200);
    expect(res.json['@odata.count']).toBe(SPECIAL_NAMES.length);
    expect(res.json.value.map((r: any) => r.name)).toEqual(
      [...allNames()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? 1 : -1)).slice(0, 3),
    );
  });
});

describe('injection attempts match nothing', () => {
  test('the naive concatenation would return every row; the builder returns []', async () => {
    const attack = "x' or 1 eq 1 or name eq '";
    const everything = await rows('accounts', { select: ['name'], filter: `name eq '${attack}'` });
    expect(everything.length).toBeGreaterThan(SPECIAL_NAMES.length);
    expect(await rows('accounts', { select: ['name'], filter: f.eq('name', attack) })).toEqual([]);
    expect(await rows('accounts', { select: ['name'], filter: f.contains('name', "') or contains(name,'") })).toEqual([]);
  });

  test('values that try to add options or cut the URL stay inside the literal', async () => {
    for (const attack of ["x'&$filter=name ne null&x='", "x'#", "x' or true or name eq 'x'", "x')) or ((name ne null"]) {
      expect(await rows('accounts', { select: ['name'], filter: f.eq('name', attack) })).toEqual([]);
      expect(await rows('accounts', { select: ['name'], filter: f.crm.In('name', [attack]) })).toEqual([]);
    }
    expect(() => f.eq("name eq 'x' or name", 'x')).toThrow(TypeError);
  });
});

describe('paths, keys and lookups', () => {
  test('entityPath reads a row by GUID and by an alternate key full of special characters', async () => {
    const name = allNames()[0];
    const byId = await call('GET', entityPath('accounts', ids.get(name)!) + buildQueryString({ select: ['name'] }));
    expect(byId.status).toBe(200);
    expect(byId.json.name).toBe(name);
    const byKey = await call('GET', entityPath('accounts', { accountnumber: ACCOUNT_NUMBER }) + buildQueryString({ select: ['name', 'accountnumber'] }));
    expect(byKey.status).toBe(200);
    expect(byKey.json).toMatchObject({ name, accountnumber: ACCOUNT_NUMBER });
  });

  test('@odata.bind, the lookup value column, a lookup path and a lambda find the related rows', async () => {
    const [accountName] = allNames().filter((n) => n.includes('#'));
    const accountId = ids.get(accountName)!;
    const fullname = "Zoë O'Neil & Sons";
    const created = await call('POST', 'contacts', {
      firstname: 'Zoë',
      lastname: "O'Neil & Sons",
      [bindProperty('parentcustomerid', 'account')]: bindValue('accounts', accountId),
    });
    expect(created.status).toBe(201);
    const contactId = created.json.contactid;

    const byLookup = await rows('contacts', { select: ['fullname'], filter: filterBuilder().eq(lookupValueColumn('parentcustomerid'), accountId) });
    expect(byLookup.map((c) => c.contactid)).toEqual([contactId]);
    const byPath = await rows('contacts', { select: ['fullname'], filter: f.eq('parentcustomerid_account/name', accountName) });
    expect(byPath.map((c) => c.contactid)).toEqual([contactId]);
    const byLambda = await names({ filter: f.any('contact_customer_accounts', (c) => c.eq('fullname', fullname)) });
    expect(byLambda).toEqual([accountName]);
    const expanded = await rows('accounts', {
      select: ['name'],
      filter: f.eq('accountid', accountId),
      expand: [{ property: 'contact_customer_accounts', select: ['fullname'], filter: filterBuilder().contains('fullname', "O'Neil &") }],
    });
    expect(expanded).toHaveLength(1);
    // Without the column type a GUID-shaped text stays a string, which Dataverse (and the emulator) refuse.
    const untyped = await call('GET', `accounts${buildQueryString({ filter: filterBuilder().eq('accountid', accountId) })}`);
    expect(untyped.status).toBe(400);
    expect(expanded[0].contact_customer_accounts.map((c: any) => c.fullname)).toEqual([fullname]);
  });
});
