/**
 * Change tracking over real HTTPS (reference §8): `Prefer: odata.track-changes` starts a sync and ends it with a
 * deltaLink `$deltatoken=<version>!<MM/dd/yyyy HH:mm:ss>`; GET on the deltaLink returns new and updated rows, then
 * `$deletedEntity` entries, then a new deltaLink. The emulator runs on a fixed clock so the token's stamp is exact.
 */
import { useWebApi } from '../helpers/emulator';

const NOW = Date.UTC(2025, 4, 14, 15, 30, 0);
const STAMP = '05/14/2025 15:30:00';
const TRACK = 'odata.track-changes';

const w = useWebApi({ now: () => NOW });

const enc = (s: string) => s.replace(/ /g, '%20');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function get(p: string, prefer?: string) {
  return w.call('GET', p.startsWith('https://') ? p : enc(p), prefer ? { headers: { prefer } } : {});
}

async function create(set: string, body: Record<string, unknown>): Promise<any> {
  const res = await w.call('POST', set, { headers: { prefer: 'return=representation' }, body });
  if (res.status !== 201) throw new Error(`POST ${set} → ${res.status} ${res.text}`);
  return res.json;
}

async function patch(url: string, body: Record<string, unknown>) {
  const res = await w.call('PATCH', url, { body });
  expect(res.status).toBe(204);
}

async function accountId(name: string): Promise<string> {
  const res = await get(`accounts?$select=accountid&$filter=name eq '${name.replace(/'/g, "''").replace(/&/g, '%26')}'`);
  expect(res.json.value).toHaveLength(1);
  return res.json.value[0].accountid;
}

/** Starts a sync of accounts(name,accountnumber) and returns its deltaLink. */
async function startSync(): Promise<string> {
  const res = await get('accounts?$select=name,accountnumber', TRACK);
  expect(res.status).toBe(200);
  expect(res.json['@odata.nextLink']).toBeUndefined();
  return res.json['@odata.deltaLink'];
}

function versionOf(deltaLink: string): number {
  const token = decodeURIComponent(/\$deltatoken=([^&]*)/.exec(deltaLink)![1]);
  return Number(token.split('!')[0]);
}

describe('change tracking', () => {
  test('the initial sync returns every row, Preference-Applied and a deltaLink with <version>!<MM/dd/yyyy HH:mm:ss>', async () => {
    const plain = await get('accounts?$select=name,accountnumber');
    const res = await get('accounts?$select=name,accountnumber', TRACK);
    expect(res.status).toBe(200);
    expect(String(res.headers['preference-applied']).split(',').map((s) => s.trim())).toContain(TRACK);
    expect(res.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,accountnumber)`);
    expect(res.json.value).toEqual(plain.json.value);
    const link: string = res.json['@odata.deltaLink'];
    expect(link).toMatch(new RegExp(`^${escapeRe(w.api)}accounts\\?\\$select=name,accountnumber&\\$deltatoken=\\d+%21\\d\\d%2f\\d\\d%2f\\d{4}%20\\d\\d%3a\\d\\d%3a\\d\\d$`, 'i'));
    const token = decodeURIComponent(/\$deltatoken=(.*)$/.exec(link)![1]);
    expect(token).toMatch(new RegExp(`^\\d+!${escapeRe(STAMP)}$`));
    expect(Object.keys(res.json).sort()).toEqual(['@odata.context', '@odata.deltaLink', 'value']);
  });

  test('a delta lists new and updated rows as normal rows, then deleted rows as $deletedEntity, then a new deltaLink', async () => {
    const link = await startSync();
    const fabrikam = await accountId('Fabrikam Inc');
    const fourthCoffee = await accountId('Fourth Coffee');
    const added = await create('accounts', { name: 'Delta added', accountnumber: 'DELTA-1' });
    const twice = await create('accounts', { name: 'Delta twice', accountnumber: 'DELTA-2' });
    await patch(`accounts(${twice.accountid})`, { name: 'Delta twice (edited)' });
    await patch(`accounts(${fabrikam})`, { telephone1: '+1 555 9999' });
    expect((await w.call('DELETE', `accounts(${fourthCoffee})`)).status).toBe(204);
    await create('contacts', { lastname: 'Not an account change' });

    const res = await get(link);
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,accountnumber)/$delta`);
    const value: any[] = res.json.value;
    expect(value).toHaveLength(4);
    const upserts = value.slice(0, 3);
    expect(upserts.map((r) => r.accountid).sort()).toEqual([added.accountid, twice.accountid, fabrikam].sort());
    for (const row of upserts) {
      expect(Object.keys(row).sort()).toEqual(['@odata.etag', 'accountid', 'accountnumber', 'name']);
      const current = await get(`accounts(${row.accountid})?$select=name,accountnumber`);
      expect(row).toEqual({ '@odata.etag': current.json['@odata.etag'], name: current.json.name, accountnumber: current.json.accountnumber, accountid: row.accountid });
    }
    expect(upserts.find((r) => r.accountid === twice.accountid).name).toBe('Delta twice (edited)');
    expect(value[3]).toEqual({ '@odata.context': `${w.api}$metadata#accounts/$deletedEntity`, id: fourthCoffee, reason: 'deleted' });

    const next: string = res.json['@odata.deltaLink'];
    expect(next).toMatch(new RegExp(`^${escapeRe(w.api)}accounts\\?\\$select=name,accountnumber&\\$deltatoken=\\d+%21`));
    expect(versionOf(next)).toBeGreaterThan(versionOf(link));
    expect(Object.keys(res.json).sort()).toEqual(['@odata.context', '@odata.deltaLink', 'value']);

    // The same old link can be read again and gives the same changes.
    const again = await get(link);
    expect(again.json.value).toEqual(value);
  });

  test('a delta after no changes is empty; after one change it holds just that row', async () => {
    const link = await startSync();
    const empty = await get(link);
    expect(empty.status).toBe(200);
    expect(empty.json['@odata.context']).toBe(`${w.api}$metadata#accounts(name,accountnumber)/$delta`);
    expect(empty.json.value).toEqual([]);
    const second = await get(empty.json['@odata.deltaLink']);
    expect(second.json.value).toEqual([]);
    const coho = await accountId('Coho Winery');
    await patch(`accounts(${coho})`, { telephone1: '+1 555 7777' });
    const third = await get(second.json['@odata.deltaLink']);
    expect(third.json.value.map((r: any) => r.accountid)).toEqual([coho]);
    const fourth = await get(third.json['@odata.deltaLink']);
    expect(fourth.json.value).toEqual([]);
  });

  test('$filter, $orderby, $expand and $top are rejected with change tracking', async () => {
    const link = await startSync();
    const token = /\$deltatoken=(.*)$/.exec(link)![1];
    const cases: [string, string][] = [
      ['filter', "$filter=name eq 'x'"],
      ['orderby', '$orderby=name'],
      ['expand', '$expand=primarycontactid($select=fullname)'],
      ['top', '$top=3'],
    ];
    for (const [name, option] of cases) {
      const message = `The "${name}" query parameter isn't supported when Change Tracking is enabled.`;
      const initial = await get(`accounts?$select=name&${option}`, TRACK);
      expect({ option, status: initial.status, message: initial.json?.error?.message }).toEqual({ option, status: 400, message });
      const delta = await get(`accounts?$select=name&${option}&$deltatoken=${token}`);
      expect({ option, status: delta.status, message: delta.json?.error?.message }).toEqual({ option, status: 400, message });
    }
  });

  test('a table without change tracking (businessunits) refuses a sync, and a malformed token is 400', async () => {
    const res = await get('businessunits?$select=name', TRACK);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe("The entity with a name = 'businessunit' is not enabled for change tracking.");
    const delta = await get('businessunits?$select=name&$deltatoken=1%2105%2f14%2f2025%2015%3a30%3a00');
    expect(delta.status).toBe(400);
    expect(delta.json.error.message).toMatch(/not enabled for change tracking/);
    expect((await get('accounts?$select=name&$deltatoken=garbage')).status).toBe(400);
  });

  test('accounts/$count?$deltatoken=… is the number of changes, as text/plain', async () => {
    const link = await startSync();
    const token = /\$deltatoken=(.*)$/.exec(link)![1];
    const before = await get(`accounts/$count?$deltatoken=${token}`);
    expect(before.status).toBe(200);
    expect(before.text).toBe('0');
    const a = await create('accounts', { name: 'Count change 1' });
    await create('accounts', { name: 'Count change 2' });
    await patch(`accounts(${a.accountid})`, { name: 'Count change 1b' });
    expect((await w.call('DELETE', `accounts(${await accountId('Alpine Ski House')})`)).status).toBe(204);
    const res = await get(`accounts/$count?$deltatoken=${token}`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
    expect(res.text).toBe('3');
    const delta = await get(link);
    expect(delta.json.value).toHaveLength(3);
  });

  test('a paged initial sync has the deltaLink only on the last page, anchored at the first page', async () => {
    const prefer = `${TRACK},odata.maxpagesize=10`;
    const total = (await get('accounts?$select=accountid')).json.value.length;
    expect(total).toBeGreaterThan(20);
    const pages: any[] = [];
    let res = await get('accounts?$select=name,accountnumber', prefer);
    expect(res.status).toBe(200);
    const applied = String(res.headers['preference-applied']).split(',').map((s) => s.trim());
    expect(applied).toEqual(expect.arrayContaining([TRACK, 'odata.maxpagesize=10']));
    expect(res.json['@odata.deltaLink']).toBeUndefined();
    expect(decodeURIComponent(res.json['@odata.nextLink'])).toMatch(/istracking="True"/);
    pages.push(res.json);

    // Changed between page 1 and page 2: one row already served, one new row.
    const servedId = res.json.value[0].accountid;
    await patch(`accounts(${servedId})`, { name: 'Changed during the initial sync' });
    const added = await create('accounts', { name: 'Added during the initial sync' });

    while (res.json['@odata.nextLink']) {
      res = await get(res.json['@odata.nextLink'], prefer);
      expect(res.status).toBe(200);
      pages.push(res.json);
    }
    for (const page of pages.slice(0, -1)) {
      expect(page['@odata.deltaLink']).toBeUndefined();
      expect(page.value).toHaveLength(10);
    }
    const link: string = pages[pages.length - 1]['@odata.deltaLink'];
    expect(link).toMatch(new RegExp(`^${escapeRe(w.api)}accounts\\?\\$select=name,accountnumber&\\$deltatoken=\\d+%21`));
    expect(link).not.toMatch(/skiptoken/);
    const ids = pages.flatMap((p) => p.value.map((r: any) => r.accountid));
    expect(new Set(ids).size).toBe(ids.length);

    const delta = await get(link);
    expect(delta.status).toBe(200);
    const changed = delta.json.value.map((r: any) => r.accountid);
    expect(changed).toEqual(expect.arrayContaining([servedId, added.accountid]));
    expect(delta.json.value.find((r: any) => r.accountid === servedId).name).toBe('Changed during the initial sync');
  });
});
