/** Pipeline pieces with a scripted in-memory transport: headers, classification, error shapes, idempotency. */
import * as net from 'node:net';
import { createPipeline } from '../../client/http/pipeline';
import { D365Error } from '../../client/http/errors';
import { errorFromResponse } from '../../client/http/response-error';
import { classifyThrottle } from '../../client/http/service-limits';
import { parseRetryAfterMs } from '../../client/http/throttling-retry';
import { isIdempotent } from '../../client/http/transient-retry';
import type { ClientEvent, HttpRequest, HttpResponse, Transport } from '../../client/http/types';
import { rejectionOf } from './http-kit';

const ENV = 'https://contoso.crm.dynamics.com/';
const FNO = 'https://contoso.operations.dynamics.com/';

type Reply = { status: number; headers?: Record<string, string>; body?: unknown };

function scripted(replies: Reply[]): Transport & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  const transport = async (request: HttpRequest): Promise<HttpResponse> => {
    seen.push(request);
    const reply = replies.shift() ?? { status: 200, body: {} };
    const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return { status: reply.status, headers: reply.headers ?? {}, body: Buffer.from(body), request };
  };
  return Object.assign(transport, { seen });
}

const fast = { maxAttempts: 4, timeBudgetMs: 10_000, baseDelayMs: 1, maxDelayMs: 5 };

it('adds the OData headers, a User-Agent and one client request id kept across retries', async () => {
  const transport = scripted([{ status: 503 }, { status: 502 }, { status: 200, body: { value: [] } }]);
  const pipeline = createPipeline({ environmentUrl: ENV, transport, retry: fast, userAgent: 'my-node/1.0', concurrency: false });
  await pipeline.send({ method: 'POST', url: `${ENV}api/data/v9.2/accounts`, headers: { 'X-Custom': 'a' }, body: '{}', idempotent: true });

  expect(transport.seen).toHaveLength(3);
  const ids = new Set(transport.seen.map((r) => r.headers['x-ms-client-request-id']));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(transport.seen[0].headers).toMatchObject({
    accept: 'application/json',
    'odata-maxversion': '4.0',
    'odata-version': '4.0',
    'content-type': 'application/json',
    'x-custom': 'a',
  });
  expect(transport.seen[0].headers['user-agent']).toMatch(/^my-node\/1\.0 n8n-nodes-dynamics365-client Node\.js\//);
  expect(transport.seen[0].headers.authorization).toBeUndefined();
});

it('keeps headers the caller set (multipart $batch, file chunks)', async () => {
  const transport = scripted([{ status: 200 }]);
  const pipeline = createPipeline({ environmentUrl: ENV, transport, concurrency: false });
  await pipeline.send({
    method: 'POST',
    url: `${ENV}api/data/v9.2/$batch`,
    headers: { 'content-type': 'multipart/mixed; boundary=b', accept: 'multipart/mixed' },
    body: '--b--',
  });
  expect(transport.seen[0].headers).toMatchObject({ 'content-type': 'multipart/mixed; boundary=b', accept: 'multipart/mixed' });
  const binary = scripted([{ status: 204 }]);
  await createPipeline({ environmentUrl: ENV, transport: binary, concurrency: false }).send({ method: 'PATCH', url: `${ENV}x`, headers: {}, body: Buffer.from([1]) });
  expect(binary.seen[0].headers['content-type']).toBeUndefined();
});

describe('429 classification', () => {
  it.each([
    ['0x80072322', 'dataverse-requests'],
    ['0X80072321', 'dataverse-execution-time'],
    ['0x80072326', 'dataverse-concurrency'],
    ['-2147015902', 'dataverse-requests'],
    ['-2147015903', 'dataverse-execution-time'],
    [' -2147015898 ', 'dataverse-concurrency'],
    ['0x80040217', 'unknown-throttling'],
    [undefined, 'unknown-throttling'],
  ])('code %s on Dataverse → %s', (code, limit) => {
    expect(classifyThrottle(code, `${ENV}api/data/v9.2/accounts`)).toBe(limit);
  });

  it('F&O 429 (path /data/, ASP.NET body, HTTP-date Retry-After) → fno-throttling, waited', async () => {
    const retryAt = new Date(Date.now() + 1500).toUTCString();
    const transport = scripted([
      { status: 429, headers: { 'retry-after': retryAt }, body: { Message: 'Number of requests exeeded the limit of 6000 over the time window of 300 seconds.' } },
      { status: 200, body: { value: [] } },
    ]);
    const events: ClientEvent[] = [];
    const pipeline = createPipeline({ environmentUrl: FNO, transport, retry: fast, events: (e) => events.push(e) });
    const started = Date.now();
    await pipeline.send({ method: 'GET', url: `${FNO}data/CustomersV3?$top=1`, headers: {} });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(events.find((e) => e.type === 'throttle')).toMatchObject({ limit: 'fno-throttling' });
  });

  it('the service option overrides path inference; errors carry the limit', async () => {
    const transport = scripted([{ status: 429, headers: { 'retry-after': '100' }, body: { Message: 'busy' } }]);
    const pipeline = createPipeline({ environmentUrl: FNO, transport, retry: fast, service: 'fno' });
    const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${FNO}api/custom/x`, headers: {} }));
    expect(error).toMatchObject({ status: 429, limit: 'fno-throttling', retryable: true });
  });

  it('parses Retry-After as seconds or HTTP-date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('12', now)).toBe(12_000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  const request: HttpRequest = { method: 'GET', url: `${ENV}api/data/v9.2/accounts(1)`, headers: { 'x-ms-client-request-id': 'client-id' } };
  const response = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, body: Buffer.from(body), request });

  it('Dataverse OData error with service request id', () => {
    const error = errorFromResponse(
      response(404, JSON.stringify({ error: { code: '0x80040217', message: "Entity 'account' With Id = 1 Does Not Exist" } }), { 'x-ms-service-request-id': 'svc-id' }),
    );
    expect(error).toMatchObject({ status: 404, code: '0x80040217', requestId: 'svc-id', retryable: false });
    expect(error.message).toBe("GET /api/data/v9.2/accounts(1): Entity 'account' With Id = 1 Does Not Exist (HTTP 404, code 0x80040217).");
  });

  it('F&O OData error: the innererror message replaces the generic one; REQ_ID / client id fallbacks', () => {
    const body = { error: { code: '', message: 'An error has occurred.', innererror: { message: 'Write failed for table row of type CustTable.', type: 'X', stacktrace: '' } } };
    const error = errorFromResponse(response(500, JSON.stringify(body), { req_id: 'rq' }));
    expect(error.message).toMatch(/: Write failed for table row of type CustTable \(HTTP 500\)/);
    expect(error.requestId).toBe('rq');
    expect(errorFromResponse(response(500, '{}')).requestId).toBe('client-id');
  });

  it('ASP.NET, Entra-style, HTML gateway page, plain text, empty', () => {
    expect(errorFromResponse(response(400, '{"Message":"The request is invalid."}')).message).toMatch(/: The request is invalid \(HTTP 400\)/);
    expect(errorFromResponse(response(401, '{"error":"invalid_token","error_description":"expired"}'))).toMatchObject({ code: 'invalid_token' });
    const gateway = errorFromResponse(response(502, '<html><head><title>502 Bad Gateway</title></head><body><p>upstream</p></body></html>', { 'content-type': 'text/html' }));
    expect(gateway.message).toMatch(/502 Bad Gateway: upstream \(HTTP 502\)\. The service or a gateway/);
    expect(gateway.retryable).toBe(true);
    expect(errorFromResponse(response(400, 'bad thing')).message).toMatch(/: bad thing \(HTTP 400\)/);
    expect(errorFromResponse(response(403, '')).message).toMatch(/HTTP 403 with no error details \(HTTP 403\)\. The application user lacks a privilege/);
  });

  it('prefixes the operation name and is thrown by send for 4xx/5xx only', async () => {
    const transport = scripted([{ status: 304 }, { status: 412, body: { error: { code: '0x80060882', message: 'The version of the existing record does not match the RowVersion property provided.' } } }]);
    const pipeline = createPipeline({ environmentUrl: ENV, transport, concurrency: false });
    expect((await pipeline.send({ method: 'GET', url: `${ENV}api/data/v9.2/accounts(1)`, headers: { 'if-none-match': 'W/"1"' } })).status).toBe(304);
    const error = await rejectionOf(
      pipeline.send({ method: 'PATCH', url: `${ENV}api/data/v9.2/accounts(1)`, headers: { 'if-match': 'W/"1"' }, body: '{}', operation: 'update account' }),
    );
    expect(error).toBeInstanceOf(D365Error);
    expect(error).toMatchObject({ status: 412, code: '0x80060882', operation: 'update account' });
    expect(error.message).toMatch(/^update account: The version of the existing record/);
  });
});

it.each([
  [{ method: 'GET' }, true],
  [{ method: 'PUT' }, true],
  [{ method: 'DELETE' }, true],
  [{ method: 'PATCH' }, false],
  [{ method: 'PATCH', headers: { 'if-match': '*' } }, true],
  [{ method: 'PATCH', headers: { 'if-none-match': '*' } }, true],
  [{ method: 'POST' }, false],
  [{ method: 'POST', idempotent: true }, true],
  [{ method: 'GET', idempotent: false }, false],
] as const)('isIdempotent(%j) = %s', (partial, expected) => {
  expect(isIdempotent({ url: ENV, headers: {}, ...partial } as HttpRequest)).toBe(expected);
});

it('retries even a create when the connection was refused (nothing was sent)', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const events: ClientEvent[] = [];
  const pipeline = createPipeline({ environmentUrl: `https://127.0.0.1:${port}/`, retry: { ...fast, maxAttempts: 3 }, events: (e) => events.push(e) });
  const error = await rejectionOf(pipeline.send({ method: 'POST', url: `https://127.0.0.1:${port}/api/data/v9.2/tasks`, headers: {}, body: '{}' }));
  expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
  expect(error.message).toMatch(/Gave up after 3 attempts/);
  expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(['network ECONNREFUSED', 'network ECONNREFUSED']);
  pipeline.close();
});

it('a throwing event sink does not fail the request; a pre-aborted signal sends nothing', async () => {
  const transport = scripted([{ status: 200 }]);
  const pipeline = createPipeline({ environmentUrl: ENV, transport, events: () => { throw new Error('sink broke'); } });
  expect((await pipeline.send({ method: 'GET', url: `${ENV}x`, headers: {} })).status).toBe(200);
  const error = await rejectionOf(pipeline.send({ method: 'GET', url: `${ENV}x`, headers: {}, signal: AbortSignal.abort() }));
  expect(error).toMatchObject({ code: 'ABORTED' });
  expect(transport.seen).toHaveLength(1);
});
