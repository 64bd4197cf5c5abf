/** Downloading the environment's $metadata: through the pipeline, parsed, cached per environment, failures not cached. */
import { DataverseClient } from '../../client/dataverse';
import { D365Error } from '../../client/http/errors';
import { createPipeline } from '../../client/http/pipeline';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { CsdlError } from '../../client/metadata/csdl';
import { MetadataCache } from '../../client/metadata/metadata-cache';
import { loadServiceMetadata } from '../../client/metadata/service-metadata';
import { callableOperations, findOperation, operationLabel } from '../../client/metadata/service-operations';
import { appToken } from '../helpers/emulator';
import { useDataverse } from './dataverse-setup';

const f = useDataverse();
const MINIMAL =
  '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
  '<Schema Namespace="Microsoft.Dynamics.CRM" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityContainer Name="System"/></Schema>' +
  '</edmx:DataServices></edmx:Edmx>';

test('GET $metadata through the pipeline with a token; the model lists the environment operations', async () => {
  f.sent.length = 0;
  const model = await loadServiceMetadata(f.client.context, { cache: new MetadataCache() });
  expect(f.sent).toHaveLength(1);
  expect(f.sent[0]).toMatchObject({ method: 'GET', url: `${f.client.serviceRoot}$metadata`, idempotent: true, headers: { accept: 'application/xml' } });
  expect(model.entitySets.has('accounts')).toBe(true);
  expect(model.functions.some((op) => op.name === 'WhoAmI')).toBe(true);
});

test('cached per environment: repeated and concurrent calls cost one request, from any client of that environment', async () => {
  const cache = new MetadataCache();
  f.sent.length = 0;
  const [a, b] = await Promise.all([loadServiceMetadata(f.client.context, { cache }), loadServiceMetadata(f.client.context, { cache })]);
  const other = new DataverseClient({ environmentUrl: f.emulator.dataverseUrl.toUpperCase(), send: (r) => f.pipeline.send(r) });
  const c = await loadServiceMetadata(other.context, { cache });
  expect(a).toBe(b);
  expect(c).toBe(a);
  expect(f.sent).toHaveLength(1);
  // The client's own method shares one cache for the whole process.
  const first = await f.client.serviceMetadata();
  const sentBefore = f.sent.length;
  expect(await f.client.serviceMetadata()).toBe(first);
  expect(f.sent.length).toBe(sentBefore);
});

test('the pipeline authenticates: a refused token is a 401 D365Error, and failures are not cached', async () => {
  let token = 'not-a-token';
  const pipeline = createPipeline({
    environmentUrl: f.emulator.dataverseUrl,
    ca: f.emulator.caCertPem,
    tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 3_600_000 }), invalidate: () => undefined },
    retry: { maxAttempts: 1 },
  });
  try {
    const client = new DataverseClient({ environmentUrl: f.emulator.dataverseUrl, send: pipeline.send });
    const cache = new MetadataCache();
    const error = await loadServiceMetadata(client.context, { cache }).catch((e) => e);
    expect(error).toBeInstanceOf(D365Error);
    expect(error.status).toBe(401);
    token = await appToken(f.emulator);
    const model = await loadServiceMetadata(client.context, { cache });
    expect(model.entitySets.has('accounts')).toBe(true);
  } finally {
    pipeline.close();
  }
});

test('host pinning: a client for another origin cannot be pointed at this pipeline', async () => {
  const client = new DataverseClient({ environmentUrl: 'https://elsewhere.example.com', send: (r) => f.pipeline.send(r) });
  await expect(loadServiceMetadata(client.context, { cache: new MetadataCache() })).rejects.toBeInstanceOf(D365Error);
});

test('a document that is not CSDL is refused while streaming and not cached', async () => {
  let calls = 0;
  const send = async (request: HttpRequest): Promise<HttpResponse> => {
    calls++;
    const body = calls === 1 ? '<!DOCTYPE x [<!ENTITY a "b">]><x/>' : MINIMAL;
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body), request };
  };
  const client = new DataverseClient({ environmentUrl: 'https://contoso.crm.dynamics.com', send });
  const cache = new MetadataCache();
  await expect(loadServiceMetadata(client.context, { cache })).rejects.toBeInstanceOf(CsdlError);
  await loadServiceMetadata(client.context, { cache });
  expect(calls).toBe(2);
});

describe('callable operations', () => {
  test('unbound ones through their import, bound ones with their table; query functions left out', async () => {
    const callables = callableOperations(await f.client.serviceMetadata());
    const labels = callables.map(operationLabel);
    expect(labels).toEqual(expect.arrayContaining(['WhoAmI (function)', 'RetrieveVersion (function)', 'Merge (action)', 'SendEmail (action, bound to a row of emails)']));
    expect(labels).toContain('RetrievePrincipalAccess (function, bound to a row of teams)');
    expect(callables.some((c) => c.operation.name === 'LastXDays')).toBe(false);
  });

  test('findOperation picks the overload for the table and refuses what does not fit', async () => {
    const model = await f.client.serviceMetadata();
    expect(findOperation(model, 'RetrievePrincipalAccess', { entitySet: 'teams', row: true }).entitySet).toBe('teams');
    expect(findOperation(model, 'Microsoft.Dynamics.CRM.WhoAmI').operation.name).toBe('WhoAmI');
    expect(() => findOperation(model, 'NoSuchThing')).toThrow(expect.objectContaining({ code: 'UnknownOperation' }));
    expect(() => findOperation(model, 'SendEmail')).toThrow(/cannot be called unbound: it is declared as SendEmail \(action, bound to a row of emails\)/);
    expect(() => findOperation(model, 'LastXDays')).toThrow(expect.objectContaining({ code: 'UnknownOperation' }));
  });
});
