/**
 * Child process of the read benchmark: reads every row of a table once, with this package's client or with
 * DynamicsWebApi, and prints {rows, ms, maxRssMB} as one JSON line. Each client runs alone in its own process so
 * its peak memory is its own.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { connectDataverse } from '../../client';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const SELECT = ['name', 'accountnumber', 'revenue'];
const PAGE_SIZE = 5000;

async function withThisClient(): Promise<number> {
  const client = connectDataverse({
    environmentUrl: env('BENCH_URL'),
    credentials: { kind: 'secret', clientId: env('BENCH_CLIENT_ID'), clientSecret: env('BENCH_SECRET'), authorityUrl: env('BENCH_AUTHORITY') },
    ca: fs.readFileSync(env('BENCH_CA_FILE')),
  });
  let rows = 0;
  for await (const row of client.iterateRows('accounts', { select: SELECT }, { pageSize: PAGE_SIZE })) if (row.name) rows++;
  client.close();
  return rows;
}

function appToken(): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', client_id: env('BENCH_CLIENT_ID'), client_secret: env('BENCH_SECRET'), scope: `${env('BENCH_URL')}.default`,
  }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(`${env('BENCH_AUTHORITY')}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text).access_token));
    });
    req.on('error', reject);
    req.end(form);
  });
}

/** DynamicsWebApi page by page (retrieveAll would hold every row), trusting the CA through NODE_EXTRA_CA_CERTS. */
async function withDynamicsWebApi(): Promise<number> {
  const { DynamicsWebApi } = require('dynamics-web-api');
  const token = await appToken();
  const api = new DynamicsWebApi({ serverUrl: env('BENCH_URL'), dataApi: { version: '9.2' }, onTokenRefresh: async () => token });
  let rows = 0;
  let next: string | undefined;
  do {
    const page = await api.retrieveMultiple({ collection: 'accounts', select: SELECT, maxPageSize: PAGE_SIZE }, next);
    for (const row of page.value) if (row.name) rows++;
    next = page.oDataNextLink;
  } while (next);
  return rows;
}

async function main() {
  const started = process.hrtime.bigint();
  const rows = process.argv[2] === 'dynamics-web-api' ? await withDynamicsWebApi() : await withThisClient();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ rows, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
