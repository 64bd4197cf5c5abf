/** Paging end to end: pageSize, maxRows, count, lazy iteration with flat memory, and refusing foreign nextLinks. */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { DataverseClient } from '../../client/dataverse';
import { executeBatch } from '../../client/dataverse/batch';
import { D365Error } from '../../client/http/errors';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { useDataverse } from './dataverse-setup';

const f = useDataverse();

describe('pages of the sample accounts', () => {
  test('pageSize 5 reaches every account once, one request per page, with the Prefer header on every page', async () => {
    const total = await f.client.count('accounts');
    expect(total).toBeGreaterThanOrEqual(24);
    f.sent.length = 0;
    const pages: number[] = [];
    const ids = new Set<string>();
    for await (const page of f.client.iteratePages('accounts', { select: ['name'], orderBy: ['name'] }, { pageSize: 5 })) {
      pages.push(page.rows.length);
      for (const row of page.rows) ids.add(row.accountid as string);
    }
    expect(ids.size).toBe(total);
    expect(pages.slice(0, -1).every((n) => n === 5)).toBe(true);
    expect(pages.length).toBe(Math.ceil(total / 5));
    expect(f.sent).toHaveLength(pages.length);
    for (const request of f.sent) expect(request.headers.prefer).toBe('odata.maxpagesize=5');
  });

  test('maxRows caps the rows and the requests', async () => {
    f.sent.length = 0;
    const rows = [];
    for await (const row of f.client.iterateRows('accounts', { select: ['name'] }, { pageSize: 5, maxRows: 12 })) rows.push(row);
    expect(rows).toHaveLength(12);
    expect(f.sent).toHaveLength(3);
    f.sent.length = 0;
    const few = [];
    for await (const row of f.client.iterateRows('accounts', { select: ['name'] }, { maxRows: 3 })) few.push(row);
    expect(few).toHaveLength(3);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].headers.prefer).toBe('odata.maxpagesize=3');
  });

  test('retrieveMultiple gives one page and its nextLink; retrieveNextPage continues', async () => {
    const first = await f.client.retrieveMultiple('accounts', { select: ['name'], filter: "startswith(name,'C')", count: true }, { pageSize: 1 });
    expect(first.rows).toHaveLength(1);
    expect(first.count).toBeGreaterThanOrEqual(2);
    expect(first.nextLink).toContain('$skiptoken=');
    const second = await f.client.retrieveNextPage(first.nextLink!, { pageSize: 1 });
    expect(second.rows[0].accountid).not.toBe(first.rows[0].accountid);
  });

  test('count with a filter', async () => {
    expect(await f.client.count('accounts', "address1_city eq 'Redmond'")).toBe(1);
  });

  test('annotations are asked for on every page', async () => {
    f.sent.length = 0;
    const rows = [];
    for await (const row of f.client.iterateRows('accounts', { select: ['industrycode'] }, { pageSize: 10, maxRows: 15, annotations: true })) rows.push(row);
    expect(rows.every((r) => 'industrycode@OData.Community.Display.V1.FormattedValue' in r || r.industrycode === null)).toBe(true);
    for (const request of f.sent) expect(request.headers.prefer).toBe('odata.maxpagesize=10,odata.include-annotations="*"');
  });
});

describe('nextLink to a foreign origin', () => {
  test('is refused before send is called with it', async () => {
    const foreign = 'https://127.0.0.2:1/api/data/v9.2/accounts?$skiptoken=steal';
    const urls: string[] = [];
    const send = async (request: HttpRequest): Promise<HttpResponse> => {
      urls.push(request.url);
      const body = { value: [{ accountid: '1' }, { accountid: '2' }], '@odata.nextLink': foreign };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), request };
    };
    const client = new DataverseClient({ environmentUrl: f.emulator.dataverseUrl, send });
    const seen: unknown[] = [];
    let error: unknown;
    try {
      for await (const row of client.iterateRows('accounts', {}, { pageSize: 2 })) seen.push(row);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(D365Error);
    expect((error as D365Error).code).toBe('OriginMismatch');
    expect(urls).toHaveLength(1);
    expect(urls.some((u) => u.startsWith('https://127.0.0.2'))).toBe(false);
    await expect(client.retrieveNextPage(foreign)).rejects.toMatchObject({ code: 'OriginMismatch' });
    expect(urls).toHaveLength(1);
  });
});

describe('20,000 rows', () => {
  const ROWS = 20_000;

  beforeAll(async () => {
    const operations = Array.from({ length: ROWS }, (_, i) => ({
      method: 'POST' as const,
      path: 'accounts',
      // No alternate key column: the emulator checks key uniqueness by scanning, which would make this quadratic.
      body: { name: `Bulk ${String(i).padStart(5, '0')}`, description: 'x'.repeat(1000) },
    }));
    const results = await executeBatch((request) => f.pipeline.send(request), { environmentUrl: f.emulator.dataverseUrl, apiVersion: '9.2' }, operations, {
      maxOperationsPerBatch: 1000,
      concurrency: 4,
    });
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
  }, 120_000);

  test('iterating all of them keeps memory flat', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let bytes = 0;
    const client = new DataverseClient({
      environmentUrl: f.emulator.dataverseUrl,
      send: async (request) => {
        const response = await f.pipeline.send(request);
        bytes += response.body.length;
        return response;
      },
    });
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    const names = new Set<string>();
    // Large pages: the emulator sorts the whole table for every page, so each request costs seconds at this size.
    for await (const row of client.iterateRows('accounts', { filter: "startswith(name,'Bulk ')" }, { pageSize: 2500 })) {
      count++;
      names.add(row.name as string);
      if (count % 1250 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(count).toBe(ROWS);
    expect(names.size).toBe(ROWS);
    // What stays in memory is about one page (plus the set of names), while the rows read are far more than the
    // bound; holding them all as parsed objects would take several times their JSON size.
    const LIMIT = 50 * 1024 * 1024;
    expect(bytes).toBeGreaterThan(1.8 * LIMIT);
    expect(peak).toBeLessThan(LIMIT);
  }, 240_000);
});
