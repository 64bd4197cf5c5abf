import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BatchFormatError,
  envelopeReasonPhrase,
  parseBatchRequest,
  resolveContentIdReferences,
  serializeBatchResponse,
  type BatchChangeSet,
  type BatchOperation,
  type BatchResultItem,
} from '../../emulator/batch';

const DOCS = path.resolve(__dirname, '../../../shared/fixtures/responses/dataverse/docs');
const ORIGIN = 'https://127.0.0.1:8443';
const BASE = `${ORIGIN}/api/data/v9.2/`;

/** Docs samples are printed with LF; Dataverse needs CRLF, and the org URL is a placeholder. */
function sample(name: string): string {
  return readFileSync(path.join(DOCS, name), 'utf8')
    .replace(/\r?\n/g, '\r\n')
    .replace(/\[Organization (Uri|URI)\]/g, ORIGIN);
}

/** Splits a whole HTTP message sample into its Content-Type and body. */
function requestSample(name: string): { contentType: string; body: Buffer } {
  const text = sample(name);
  const end = text.indexOf('\r\n\r\n');
  const contentType = /^content-type:\s*(.*)$/im.exec(text.slice(0, end))![1];
  return { contentType, body: Buffer.from(text.slice(end + 4), 'utf8') };
}

function parse(body: string | Buffer, contentType = 'multipart/mixed; boundary=batch_1', maxOperations?: number) {
  return parseBatchRequest(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, {
    baseUrl: BASE,
    ...(maxOperations !== undefined ? { maxOperations } : {}),
  });
}

function expectBatchError(run: () => unknown, message: string | RegExp, code?: string): BatchFormatError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BatchFormatError);
  const error = caught as BatchFormatError;
  expect(error.status).toBe(400);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  if (code) expect(error.code).toBe(code);
  return error;
}

const part = (requestLine: string, headers: string[] = [], body = '', mime: string[] = []) =>
  ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', ...mime, '', requestLine, ...headers, '', body].join('\r\n');

function batch(parts: string[], boundary = 'batch_1'): string {
  return parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`;
}

function changeSet(parts: string[], boundary = 'changeset_1'): string {
  return `Content-Type: multipart/mixed; boundary=${boundary}\r\n\r\n` + batch(parts, boundary);
}

const post = (id: string, url = 'accounts') =>
  part(`POST ${url} HTTP/1.1`, ['Content-Type: application/json'], '{"name":"x"}', [`Content-ID: ${id}`]);

// A bound on catastrophic (super-linear) behaviour, generous for a loaded machine; not a speed target.
const CATASTROPHIC_MS = 20_000;

describe('parseBatchRequest on the docs samples', () => {
  it('reads the change set sample (three creates, then a GET)', () => {
    const { contentType, body } = requestSample('batch_changeset_request.http');
    const items = parseBatchRequest(body, contentType, { baseUrl: BASE });
    expect(items).toHaveLength(2);
    const changeSet = items[0] as BatchChangeSet;
    expect(changeSet.kind).toBe('changeset');
    expect(changeSet.changesetBoundary).toBe('changeset_246e6bfe-89a4-4c77-b293-7a433f082e8a');
    expect(changeSet.operations.map((op) => [op.method, op.url, op.contentId])).toEqual([
      ['POST', `${BASE}tasks`, '1'],
      ['POST', `${BASE}tasks`, '2'],
      ['POST', `${BASE}tasks`, '3'],
    ]);
    expect(changeSet.operations[0].headers).toEqual({ 'content-type': 'application/json; type=entry' });
    expect(JSON.parse(changeSet.operations[1].body.toString('utf8'))).toEqual({
      subject: 'Task 2 in batch',
      'regardingobjectid_account_task@odata.bind': 'accounts(00000000-0000-0000-0000-000000000001)',
    });
    const get = items[1] as BatchOperation;
    expect(get).toMatchObject({ kind: 'operation', method: 'GET', headers: {} });
    expect(get.url).toBe(`${BASE}accounts(00000000-0000-0000-0000-000000000001)/Account_Tasks?$select=subject`);
    expect(get.body.length).toBe(0);
    expect(get.contentId).toBeUndefined();
  });

  it('keeps $n references from the Content-ID sample and resolves them afterwards', () => {
    const { contentType, body } = requestSample('batch_contentid_refs_request.http');
    expect(contentType).toBe('multipart/mixed;boundary=batch_AAA123');
    const [changeSet] = parseBatchRequest(body, contentType, { baseUrl: BASE }) as BatchChangeSet[];
    const [account, contact, ref] = changeSet.operations;
    expect(account.url).toBe(`${BASE}accounts`);
    expect(contact.url).toBe(`${BASE}contacts`);
    expect(ref).toMatchObject({ method: 'PUT', url: '$1/primarycontactid/$ref', contentId: '3' });

    const created = new Map([
      ['1', `${BASE}accounts(3dcf8c02-8c75-e911-a97a-000d3a34a1bd)`],
      ['2', `${BASE}contacts(43cf8c02-8c75-e911-a97a-000d3a34a1bd)`],
    ]);
    expect(resolveContentIdReferences(ref.url, created)).toBe(`${BASE}accounts(3dcf8c02-8c75-e911-a97a-000d3a34a1bd)/primarycontactid/$ref`);
    expect(JSON.parse(resolveContentIdReferences(ref.body.toString('utf8'), created))).toEqual({
      '@odata.id': `${BASE}contacts(43cf8c02-8c75-e911-a97a-000d3a34a1bd)`,
    });
  });

  it('rejects the samples as printed (LF only) with the Dataverse error', () => {
    const raw = readFileSync(path.join(DOCS, 'batch_changeset_request.http'), 'utf8');
    const body = raw.slice(raw.indexOf('\n\n') + 2);
    const error = expectBatchError(
      () => parse(body, 'multipart/mixed; boundary="batch_22975cad-7f57-410d-be15-6363209367ea"'),
      /System\.ArgumentException: Stream was not readable\.$/,
      '0x80048d19',
    );
    expect(error.message).toMatch(/^Error identified in Payload provided by the user/);
  });
});

describe('parseBatchRequest rules', () => {
  it('accepts absolute URLs, absolute paths and paths relative to the service root', () => {
    const items = parse(
      batch([
        part(`GET ${BASE}accounts?$top=1 HTTP/1.1`),
        part('GET /api/data/v9.2/contacts(00000000-0000-0000-0000-000000000001) HTTP/1.1', ['Accept: application/json']),
        part("GET accounts?$select=name&$filter=name eq 'A' HTTP/1.1"),
      ]),
      'multipart/mixed; boundary="batch_1"',
    ) as BatchOperation[];
    expect(new URL(items[0].url).href).toBe(`${BASE}accounts?$top=1`);
    expect(items[1].url).toBe(`${BASE}contacts(00000000-0000-0000-0000-000000000001)`);
    expect(items[1].headers).toEqual({ accept: 'application/json' });
    const third = new URL(items[2].url);
    expect(third.pathname).toBe('/api/data/v9.2/accounts');
    expect(third.searchParams.get('$filter')).toBe("name eq 'A'");
  });

  it('takes the boundary quoted or not, with other parameters around it', () => {
    const body = batch([part('GET accounts HTTP/1.1')], 'b:a=tch 1');
    expect(parse(body, 'multipart/mixed; charset=utf-8; boundary="b:a=tch 1"')).toHaveLength(1);
    expect(parse(batch([part('GET accounts HTTP/1.1')], 'x'), 'Multipart/Mixed;boundary=x')).toHaveLength(1);
  });

  it('uses Content-Length to cut the body and keeps headers lower-cased', () => {
    const [op] = parse(batch([part('POST accounts HTTP/1.1', ['Content-Type: text/plain', 'Content-Length: 3'], 'abcdef')])) as BatchOperation[];
    expect(op.body.toString()).toBe('abc');
    expect(op.headers).toEqual({ 'content-type': 'text/plain', 'content-length': '3' });
  });

  it('requires Content-ID in change sets, unique within the change set', () => {
    expectBatchError(
      () => parse(batch([changeSet([part('POST accounts HTTP/1.1', [], '{}')])])),
      "The 'Content-ID' header is missing. Every operation in a change set must have a Content-ID.",
    );
    expectBatchError(() => parse(batch([changeSet([post('1'), post('1')])])), /content ID '1' was found more than once/);
    const items = parse(batch([changeSet([post('1'), post('2')]), changeSet([post('1')], 'changeset_2')]));
    expect(items.map((item) => (item as BatchChangeSet).operations.length)).toEqual([2, 1]);
  });

  it('refuses GET inside a change set, nested change sets and nested batches', () => {
    expectBatchError(
      () => parse(batch([changeSet([part('GET accounts HTTP/1.1', [], '', ['Content-ID: 1'])])])),
      /invalid HTTP method 'GET' was detected for a request in a change set/,
    );
    expectBatchError(
      () => parse(batch([changeSet([changeSet([post('1')], 'changeset_2')])])),
      'Nested change sets in a batch payload are not supported.',
    );
    expectBatchError(() => parse(batch([part('POST $batch HTTP/1.1')])), 'Nested batch requests are not supported.');
    expectBatchError(() => parse(batch([part(`POST ${BASE}%24batch HTTP/1.1`)])), 'Nested batch requests are not supported.');
  });

  it('caps operations at 1,000 with the Dataverse messages', () => {
    const gets = (n: number) => Array.from({ length: n }, () => part('GET accounts HTTP/1.1'));
    const posts = (n: number) => Array.from({ length: n }, (_, i) => post(String(i + 1)));
    expect(parse(batch(gets(1000)))).toHaveLength(1000);
    expectBatchError(
      () => parse(batch(gets(1001))),
      "The current batch message contains too many parts. Only batch messages with a maximum number of '1000' query operations, including changeset operations, are allowed.",
    );
    expectBatchError(
      () => parse(batch([changeSet(posts(1001))])),
      "The current change set contains too many operations. A maximum number of '1000' operations are allowed in a change set",
    );
    expectBatchError(() => parse(batch([changeSet(posts(600)), changeSet(posts(600), 'changeset_2')])), /maximum number of '1000' query operations/);
    expectBatchError(() => parse(batch(gets(3)), undefined, 2), /maximum number of '2' query operations/);
  });

  it.each([
    ['a JSON batch', 'application/json', /not supported for \$batch requests/],
    ['no boundary', 'multipart/mixed', "The batch content type has no 'boundary' parameter; a multipart/mixed boundary is required."],
    ['an over-long boundary', `multipart/mixed; boundary=${'b'.repeat(71)}`, /not a valid multipart boundary/],
  ])('refuses %s', (_name, contentType, message) => {
    expectBatchError(() => parse(batch([part('GET accounts HTTP/1.1')]), contentType), message);
  });

  it.each([
    ['a body without the boundary', 'hello', "The batch body does not contain the boundary delimiter '--batch_1'."],
    ['a missing closing delimiter', `--batch_1\r\n${part('GET accounts HTTP/1.1')}`, "The batch body ends without the closing delimiter '--batch_1--'."],
    ['a request line without version', batch([part('GET accounts')]), /request line 'GET accounts' of a batch operation is invalid/],
    ['an unknown method', batch([part('FETCH accounts HTTP/1.1')]), "The HTTP method 'FETCH' of a batch operation is not supported."],
    ['HTTP/2', batch([part('GET accounts HTTP/2')]), "The HTTP version 'HTTP/2' of a batch operation is invalid; it must be 'HTTP/1.1'."],
    ['an empty request line', batch([part('')]), /request line '' of a batch operation is invalid/],
    ['a non-http URL', batch([part('GET file:///etc/passwd HTTP/1.1')]), /must use http or https/],
    ['a part without Content-Type', batch(['Content-Transfer-Encoding: binary\r\n\r\nGET accounts HTTP/1.1\r\n']), /'Content-Type' header is missing/],
    ['a text/plain part', batch(['Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nGET a HTTP/1.1\r\n']), /it must be 'application\/http'/],
    ['a part without Content-Transfer-Encoding', batch(['Content-Type: application/http\r\n\r\nGET a HTTP/1.1\r\n']), /'Content-Transfer-Encoding' header/],
    ['a header line without colon', batch([part('GET a HTTP/1.1', ['Accept application/json'])]), "The batch operation header line 'Accept application/json' is not 'Name: value'."],
    ['a delimiter followed by text', '--batch_1 junk\r\n--batch_1--', "The batch delimiter line '--batch_1' must be followed by CRLF."],
  ])('refuses %s', (_name, body, message) => {
    expectBatchError(() => parse(body), message);
  });

  it('refuses bodies whose embedded request uses bare LF', () => {
    const lfInside = batch(['Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST a HTTP/1.1\nContent-Type: application/json\n\n{}']);
    expectBatchError(() => parse(lfInside), /Stream was not readable\.$/, '0x80048d19');
    const lfDelimiters = `--batch_1\r\n${part('GET a HTTP/1.1')}\n--batch_1--\n`;
    expectBatchError(() => parse(lfDelimiters), /Stream was not readable\.$/, '0x80048d19');
  });
});

describe('parseBatchRequest on hostile input', () => {
  const timed = (run: () => unknown) => {
    const started = Date.now();
    expect(run).toThrow(BatchFormatError);
    return Date.now() - started;
  };

  it('bounds header sizes', () => {
    const hugeMime = `--batch_1\r\nX-Big: ${'a'.repeat(4 * 1024 * 1024)}\r\n\r\n\r\n--batch_1--\r\n`;
    expect(timed(() => parse(hugeMime))).toBeLessThan(CATASTROPHIC_MS);
    expectBatchError(() => parse(hugeMime), 'The batch part headers are larger than 16384 bytes.');
    const hugeUrl = batch([part(`GET accounts?x=${'a'.repeat(70 * 1024)} HTTP/1.1`)]);
    expectBatchError(() => parse(hugeUrl), 'The URL of a batch operation is longer than 65536 characters.');
    const manyHeaders = batch([part('GET a HTTP/1.1', Array.from({ length: 101 }, (_, i) => `X-H${i}: 1`))]);
    expectBatchError(() => parse(manyHeaders), 'The batch operation has more than 100 headers.');
  });

  it('stays linear without a closing boundary, with near-miss delimiters and with binary garbage', () => {
    const unterminated = `--batch_1\r\n${part('POST a HTTP/1.1', [], 'x'.repeat(8 * 1024 * 1024))}`;
    expect(timed(() => parse(unterminated))).toBeLessThan(CATASTROPHIC_MS);
    const nearMisses = `--batch_1\r\n${part('POST a HTTP/1.1', [], '\r\n--batch_1x'.repeat(300_000))}`;
    expect(timed(() => parse(nearMisses))).toBeLessThan(CATASTROPHIC_MS);
    const garbage = Buffer.alloc(4 * 1024 * 1024);
    let seed = 7;
    for (let i = 0; i < garbage.length; i++) garbage[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    expect(timed(() => parse(garbage))).toBeLessThan(CATASTROPHIC_MS);
    const garbageParts = Buffer.concat([Buffer.from('--batch_1\r\n'), garbage, Buffer.from('\r\n--batch_1--\r\n')]);
    expect(timed(() => parse(garbageParts))).toBeLessThan(CATASTROPHIC_MS);
  });

  it('ignores __proto__ header names as data', () => {
    const [op] = parse(batch([part('GET a HTTP/1.1', ['__proto__: x', 'constructor: y'])])) as BatchOperation[];
    expect(Object.getPrototypeOf(op.headers)).toBe(Object.prototype);
    expect(Object.keys(op.headers)).toEqual(['__proto__', 'constructor']);
  });
});

describe('resolveContentIdReferences', () => {
  const map = new Map([
    ['1', `${BASE}accounts(11111111-1111-1111-1111-111111111111)`],
    ['2', `${BASE}contacts(22222222-2222-2222-2222-222222222222)`],
  ]);

  it('replaces a reference at the start of a URL only', () => {
    expect(resolveContentIdReferences('$1', map)).toBe(map.get('1'));
    expect(resolveContentIdReferences('$2?$select=fullname', map)).toBe(`${map.get('2')}?$select=fullname`);
    expect(resolveContentIdReferences('$metadata#accounts', map)).toBe('$metadata#accounts');
    expect(resolveContentIdReferences('accounts?$filter=x eq $1', map)).toBe('accounts?$filter=x eq $1');
  });

  it('replaces whole @odata.bind / @odata.id values, in arrays too, and nothing else', () => {
    const body = '{"name":"$1","parentaccountid@odata.bind" : "$1","contact_customer_accounts@odata.bind":["$2", "contacts(x)"],"@odata.id":"$2","note":"@odata.bind $1"}';
    expect(JSON.parse(resolveContentIdReferences(body, map))).toEqual({
      name: '$1',
      'parentaccountid@odata.bind': map.get('1'),
      'contact_customer_accounts@odata.bind': [map.get('2'), 'contacts(x)'],
      '@odata.id': map.get('2'),
      note: '@odata.bind $1',
    });
  });

  it('refuses unknown references with the Dataverse message', () => {
    const message = "Content-ID Reference: '$3' does not exist in the batch context.";
    expectBatchError(() => resolveContentIdReferences('$3/name', map), message);
    expectBatchError(() => resolveContentIdReferences('{"x@odata.bind":"$3"}', map), message);
  });
});

describe('serializeBatchResponse', () => {
  /** Reads a response sample's body and GUID boundaries, in order of appearance. */
  function responseSample(name: string) {
    const text = sample(name);
    const statusLine = text.slice(0, text.indexOf('\r\n'));
    const body = text.slice(text.indexOf('\r\n\r\n') + 4).replace(/(\r\n)+$/, '\r\n');
    const guids = [...body.matchAll(/--(?:batch|changeset)response_([0-9a-f-]{36})\r\n(?:Content-Type: (?:application|multipart))/g)].map((m) => m[1]);
    return { statusLine, body, guids: [...new Set(guids)] };
  }

  const created = (entitySet: string, id: string, contentId?: string) => ({
    status: 204,
    headers: {
      'OData-Version': '4.0',
      Location: `${BASE}${entitySet}(${id})`,
      'OData-EntityId': `${BASE}${entitySet}(${id})`,
    },
    ...(contentId ? { contentId } : {}),
  });

  const validationError = (reqId: string) => ({
    status: 400,
    headers: { REQ_ID: reqId, 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0' },
    body: JSON.stringify({
      error: {
        code: '0x80044331',
        message:
          "A validation error occurred.  The length of the 'subject' attribute of the 'task' entity exceeded the maximum allowed length of '200'.",
      },
    }),
  });

  function serializeLike(name: string, items: BatchResultItem[]) {
    const expected = responseSample(name);
    const guids = [...expected.guids];
    const result = serializeBatchResponse(items, { newGuid: () => guids.shift()! });
    return { expected, result };
  }

  it('writes the change set sample byte for byte', () => {
    const text = sample('batch_changeset_response.http');
    const json = text.slice(text.indexOf('{\r\n  "@odata.context"'), text.lastIndexOf('\r\n--batchresponse_'));
    const { expected, result } = serializeLike('batch_changeset_response.http', [
      {
        kind: 'changeset',
        results: [
          created('tasks', 'e73ffc82-e292-ed11-aad1-000d3a9933c9', '1'),
          created('tasks', 'e83ffc82-e292-ed11-aad1-000d3a9933c9', '2'),
          created('tasks', 'e93ffc82-e292-ed11-aad1-000d3a9933c9', '3'),
        ],
      },
      {
        status: 200,
        headers: { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true', 'OData-Version': '4.0' },
        body: Buffer.from(json, 'utf8'),
      },
    ]);
    expect(result.contentType).toBe('multipart/mixed; boundary=batchresponse_f27ef42d-51b0-4685-bac9-f468f844de2f');
    expect(result.body.toString('utf8')).toBe(expected.body);
    expect(expected.statusLine).toBe(`HTTP/1.1 200 ${envelopeReasonPhrase(200)}`);
  });

  it('writes the continue-on-error and the stop-at-first-error samples byte for byte', () => {
    const continued = serializeLike('batch_continue_on_error_response.http', [
      validationError('de4c5227-4a28-4ebd-8ced-3392ece1697b'),
      created('tasks', 'aed2ae8b-3c94-ed11-aad1-000d3a9933c9'),
      created('tasks', 'b181a991-3c94-ed11-aad1-000d3a9933c9'),
    ]);
    expect(continued.result.body.toString('utf8')).toBe(continued.expected.body);

    const stopped = serializeLike('batch_error_no_continue_response.http', [validationError('5ecd1cb3-1730-4ffc-909c-d44c22270026')]);
    expect(stopped.result.body.toString('utf8')).toBe(stopped.expected.body);
    expect(stopped.expected.statusLine).toBe(`HTTP/1.1 400 ${envelopeReasonPhrase(400)}`);
    expect(stopped.result.body.toString('utf8')).toContain('\r\nHTTP/1.1 400 Bad Request\r\n');
  });

  it('matches the Content-ID sample structure (the docs print one blank line less there)', () => {
    const structure = (text: string) =>
      text
        .split('\r\n')
        .filter((line) => line !== '')
        .map((line) => line.replace(/^([\w-]+):\s*/, '$1: '));
    const { expected, result } = serializeLike('batch_contentid_refs_response.http', [
      {
        kind: 'changeset',
        results: [
          created('accounts', '3dcf8c02-8c75-e911-a97a-000d3a34a1bd', '1'),
          created('contacts', '43cf8c02-8c75-e911-a97a-000d3a34a1bd', '2'),
          { status: 204, headers: { 'OData-Version': '4.0' }, contentId: '3' },
        ],
      },
    ]);
    expect(structure(result.body.toString('utf8'))).toEqual(structure(expected.body));
  });

  it('uses fresh unquoted GUID boundaries, CRLF only, and keeps header values on one line', () => {
    const { body, contentType, boundary } = serializeBatchResponse([
      { kind: 'changeset', results: [{ status: 201, headers: { 'X-Evil': 'a\r\nInjected: 1' }, contentId: '1' }] },
      { status: 404, headers: { 'Set-Cookie': ['a=1', 'b=2'] }, body: '{}' },
    ]);
    const text = body.toString('utf8');
    expect(contentType).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(contentType).toBe(`multipart/mixed; boundary=${boundary}`);
    expect(text).toMatch(/Content-Type: multipart\/mixed; boundary=changesetresponse_[0-9a-f-]{36}\r\n/);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('HTTP/1.1 201 Created\r\nX-Evil: a Injected: 1\r\n');
    expect(text).toContain('HTTP/1.1 404 Not Found\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n{}\r\n');
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('round-trips: a serialized response splits back into the same parts', () => {
    const results: BatchResultItem[] = [
      { kind: 'changeset', results: [created('accounts', '1', '1'), created('accounts', '2', '2')] },
      { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"value":[]}' },
    ];
    const { body, boundary } = serializeBatchResponse(results);
    // The response grammar equals the request grammar except for status lines; swap them to reuse the parser.
    const asRequest = body.toString('utf8').replace(/HTTP\/1\.1 (\d+) [^\r]*/g, (_m, status) => `POST status/${status} HTTP/1.1`);
    const items = parse(asRequest, `multipart/mixed; boundary=${boundary}`);
    expect(items.map((item) => (item.kind === 'changeset' ? item.operations.map((op) => [op.url, op.contentId]) : [item.url]))).toEqual([
      [
        [`${BASE}status/204`, '1'],
        [`${BASE}status/204`, '2'],
      ],
      [`${BASE}status/200`],
    ]);
    expect((items[1] as BatchOperation).body.toString()).toBe('{"value":[]}');
  });
});
