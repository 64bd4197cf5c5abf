/** Change tracking end to end: initial sync, delta with upserts and deletes, the deltaLink persisted only at the end. */
import { DataverseClient, type Change } from '../../client/dataverse';
import { toChange } from '../../client/dataverse/changes';
import { D365Error } from '../../client/http/errors';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { useDataverse } from './dataverse-setup';

const f = useDataverse();

async function all(iterable: AsyncIterable<Change>): Promise<Change[]> {
  const out: Change[] = [];
  for await (const change of iterable) out.push(change);
  return out;
}

test('initial sync, then the changes since, with the token saved only after all changes are read', async () => {
  // The store a caller would keep between runs.
  const saved: { deltaLink?: string } = {};
  const total = await f.client.count('accounts');

  f.sent.length = 0;
  const initial = f.client.trackChanges('accounts', { select: ['name'], deltaLink: saved.deltaLink, pageSize: 10 });
  expect(initial.isDelta).toBe(false);
  const seen: Change[] = [];
  for await (const change of initial.changes()) {
    seen.push(change);
    // Mid-way the token is not available: saving it now would lose the rest of the changes.
    expect(() => initial.deltaLink()).toThrow(D365Error);
  }
  saved.deltaLink = initial.deltaLink();
  expect(seen).toHaveLength(total);
  expect(seen.every((c) => c.kind === 'upsert' && typeof c.row.name === 'string')).toBe(true);
  expect(saved.deltaLink).toContain('$deltatoken=');
  expect(f.sent.length).toBe(Math.ceil(total / 10));
  for (const request of f.sent) expect(request.headers.prefer).toBe('odata.track-changes,odata.maxpagesize=10');

  const { id: created } = await f.client.create('accounts', { name: 'Tracked new' });
  const someone = seen[0].kind === 'upsert' ? (seen[0].row.accountid as string) : '';
  await f.client.update('accounts', someone, { name: 'Tracked renamed' });
  const doomed = seen[1].kind === 'upsert' ? (seen[1].row.accountid as string) : '';
  await f.client.delete('accounts', doomed);

  const delta = f.client.trackChanges('accounts', { deltaLink: saved.deltaLink });
  expect(delta.isDelta).toBe(true);
  const changes = await all(delta);
  const upserts = changes.flatMap((c) => (c.kind === 'upsert' ? [c.row] : []));
  const deletes = changes.flatMap((c) => (c.kind === 'delete' ? [c.id] : []));
  expect(upserts.map((r) => r.accountid).sort()).toEqual([created, someone].sort());
  expect(upserts.find((r) => r.accountid === someone)?.name).toBe('Tracked renamed');
  expect(Object.keys(upserts[0]).filter((k) => !k.startsWith('@'))).toEqual(expect.arrayContaining(['name', 'accountid']));
  expect(deletes).toEqual([doomed]);
  const next = delta.deltaLink();
  expect(next).not.toBe(saved.deltaLink);
  saved.deltaLink = next;

  const quiet = f.client.trackChanges('accounts', { deltaLink: saved.deltaLink });
  expect(await all(quiet)).toEqual([]);
  expect(quiet.deltaLink()).toContain('$deltatoken=');
});

test('the changes of one sync are read once', async () => {
  const feed = f.client.trackChanges('accounts', { select: ['name'] });
  await all(feed);
  await expect(all(feed)).rejects.toMatchObject({ code: 'InvalidArgument' });
});

test('a deltaLink to another origin is refused before anything is sent', async () => {
  const urls: string[] = [];
  const client = new DataverseClient({
    environmentUrl: f.emulator.dataverseUrl,
    send: async (request: HttpRequest): Promise<HttpResponse> => {
      urls.push(request.url);
      throw new Error('not reached');
    },
  });
  const feed = client.trackChanges('accounts', { deltaLink: 'https://127.0.0.2:1/api/data/v9.2/accounts?$deltatoken=1' });
  await expect(all(feed)).rejects.toMatchObject({ code: 'OriginMismatch' });
  expect(urls).toEqual([]);
});

test('a final page whose deltaLink points elsewhere fails before its changes are handed out', async () => {
  const client = new DataverseClient({
    environmentUrl: f.emulator.dataverseUrl,
    send: async (request) => ({
      status: 200,
      headers: {},
      body: Buffer.from(JSON.stringify({ value: [{ accountid: 'a' }], '@odata.deltaLink': 'https://evil.example/api/data/v9.2/accounts?$deltatoken=1' })),
      request,
    }),
  });
  const got: Change[] = [];
  await expect(
    (async () => {
      for await (const change of client.trackChanges('accounts')) got.push(change);
    })(),
  ).rejects.toMatchObject({ code: 'OriginMismatch' });
  expect(got).toEqual([]);
});

test('deleted entries in both OData forms', () => {
  expect(toChange({ '@odata.context': 'https://x/api/data/v9.2/$metadata#accounts/$deletedEntity', id: 'ABC', reason: 'deleted' })).toEqual({ kind: 'delete', id: 'abc' });
  expect(toChange({ '@removed': { reason: 'deleted' }, '@odata.id': 'https://x/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)' })).toEqual({
    kind: 'delete',
    id: '00000000-0000-0000-0000-000000000001',
  });
  expect(toChange({ name: 'x' })).toEqual({ kind: 'upsert', row: { name: 'x' } });
});

test('a bare $deltatoken resumes on the table with the columns asked now, encoded in the query', async () => {
  const first = f.client.trackChanges('accounts', { select: ['name'] });
  await all(first);
  const token = new URL(first.deltaLink()).searchParams.get('$deltatoken')!;
  const { id } = await f.client.create('accounts', { name: 'Since token', accountnumber: 'ST-1' });
  f.sent.length = 0;
  const resumed = f.client.trackChanges('accounts', { select: ['accountnumber'], deltaToken: token });
  expect(resumed.isDelta).toBe(true);
  const changes = await all(resumed);
  expect(changes).toEqual([{ kind: 'upsert', row: expect.objectContaining({ accountid: id, accountnumber: 'ST-1' }) }]);
  const url = new URL(f.sent[0].url);
  expect(url.pathname).toMatch(/\/accounts$/);
  expect(url.searchParams.get('$select')).toBe('accountnumber');
  expect(url.searchParams.get('$deltatoken')).toBe(token);
  await expect(f.client.trackChanges('accounts', { deltaToken: ' ' }).changes().next()).rejects.toThrow(/delta token is empty/);
});
