/**
 * An independent client nobody here wrote, DynamicsWebApi, runs its ordinary calls against the emulator unchanged
 * (in a child process that trusts the emulator CA through NODE_EXTRA_CA_CERTS) and gets correct results.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { appToken } from '../helpers/emulator';
import { startEmulator, RunningEmulator } from '../../emulator';

let emulator: RunningEmulator;
let out: any;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  const token = await appToken(emulator);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, '../peers/dynamics-web-api-scenario.js')],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caCertFile, SERVER_URL: emulator.dataverseUrl, ACCESS_TOKEN: token }, timeout: 60000 },
      (err, so, se) => (so ? resolve(so) : reject(new Error(`${err?.message}\n${se}`))),
    );
  });
  out = JSON.parse(stdout);
  if (out.fatal) throw new Error(`DynamicsWebApi failed: ${out.fatal} ${JSON.stringify(out.detail)}`);
}, 90000);
afterAll(() => emulator.stop());

test('create, retrieve, update and upsert by alternate key', () => {
  expect(out.created).toMatchObject({ name: 'DWA Account', accountnumber: 'DWA-1' });
  expect(out.created['@odata.etag']).toMatch(/^W\/"\d+"$/);
  expect(out.retrieved.name).toBe('DWA Account');
  expect(out.updated.name).toBe('DWA Account 2');
  expect(out.upsertByAltKey).toMatchObject({ name: 'DWA Upserted', accountnumber: 'DWA-2' });
});

test('retrieveMultiple pages with nextLink, retrieveAll collects every row once', () => {
  expect(out.paging.page1).toHaveLength(10);
  expect(out.paging.page2).toHaveLength(10);
  const sorted = [...out.paging.page1, ...out.paging.page2];
  expect(sorted).toEqual([...sorted].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
  expect(new Set(sorted).size).toBe(20);
  expect(out.paging.nextLink).toContain('$skiptoken=');
  expect(new Set(out.retrieveAllIds).size).toBe(out.retrieveAllCount);
  expect(out.retrieveAllCount).toBeGreaterThanOrEqual(26);
});

test('fetchXml pages with the paging cookie', () => {
  expect(out.fetch.page1).toHaveLength(5);
  expect(out.fetch.page2).toHaveLength(5);
  expect(out.fetch.page1.filter((n: string) => out.fetch.page2.includes(n))).toEqual([]);
  expect(out.fetch.moreRecords.cookie).toBeTruthy();
  expect(out.fetch.fetchAll).toBe(out.retrieveAllCount);
});

test('associate sets the contact parent customer', () => {
  expect(out.associated._parentcustomerid_value).toBe(out.created.accountid);
});

test('executeBatch with a change set and a Content-ID reference', () => {
  expect(out.batch).toHaveLength(2);
  expect(out.batchResult).toHaveLength(1);
  expect(out.batchResult[0].contact_customer_accounts.map((c: any) => c.lastname)).toEqual(['Batch Contact']);
});

test('a failing change set rolls back and DynamicsWebApi reports the Dataverse error', () => {
  expect(out.rolledBack).toBe(0);
  const errors = Array.isArray(out.failedBatch) ? out.failedBatch : [out.failedBatch];
  expect(JSON.stringify(errors)).toContain('0x80044331');
});

test('delete, then retrieve gets 404; WhoAmI names the application user', () => {
  expect(out.afterDelete.status).toBe(404);
  expect(out.whoAmI.UserId).toBe(emulator.identity.applicationUserId);
  expect(out.whoAmI.OrganizationId).toBe(emulator.identity.organizationId);
});
