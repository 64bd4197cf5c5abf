/** $batch over real HTTPS: change sets, Content-ID references, continue-on-error and malformed bodies. */
import { useWebApi } from '../helpers/emulator';
import { batchBody, BatchItem, boundaryOf, headerValue, parseMultipartResponse, ResponsePart } from '../helpers/multipart';

const w = useWebApi();

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
let counter = 0;

async function batch(items: BatchItem[] | string, options: { prefer?: string; contentType?: string } = {}) {
  const boundary = `batch_test${++counter}`;
  const body = typeof items === 'string' ? items : batchBody(boundary, items);
  const headers: Record<string, string> = { 'content-type': options.contentType ?? `multipart/mixed; boundary="${boundary}"` };
  if (options.prefer) headers.prefer = options.prefer;
  const res = await w.call('POST', '$batch', { headers, body });
  const parts = res.status < 500 && String(res.headers['content-type']).startsWith('multipart/mixed')
    ? parseMultipartResponse(res.text, boundaryOf(res.headers['content-type']))
    : [];
  return { ...res, parts };
}

async function accountNames(): Promise<string[]> {
  const res = await w.call('GET', 'accounts?$select=name');
  expect(res.status).toBe(200);
  return res.json.value.map((a: any) => a.name);
}

async function taskSubjects(): Promise<string[]> {
  const res = await w.call('GET', 'tasks?$select=subject');
  return res.json.value.map((t: any) => t.subject);
}

function onlyPart(parts: ResponsePart[]): ResponsePart {
  expect(parts).toHaveLength(1);
  return parts[0];
}

const idOf = (entityUrl: string | undefined) => new RegExp(`\\((${GUID})\\)$`).exec(String(entityUrl))![1];

describe('change sets', () => {
  test('a failing third operation rolls back the first two (checked with GET); the answer is 400 with only the failing part', async () => {
    const res = await batch([
      {
        changeset: [
          { request: 'POST accounts', contentId: '1', body: { name: 'Atomic One' } },
          { request: 'POST accounts', contentId: '2', body: { name: 'Atomic Two' } },
          { request: 'POST accounts', contentId: '3', body: { name: 'x'.repeat(161) } },
        ],
      },
    ]);
    expect(res.status).toBe(400);
    const changeset = onlyPart(res.parts).changeset!;
    expect(changeset.boundary).toMatch(new RegExp(`^changesetresponse_${GUID}$`));
    const failed = onlyPart(changeset.parts);
    expect(failed.contentId).toBe('3');
    expect(failed.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(headerValue(failed.headers, 'REQ_ID')).toMatch(new RegExp(`^${GUID}$`));
    expect(JSON.parse(failed.body).error).toEqual({
      code: '0x80044331',
      message: "A validation error occurred.  The length of the 'name' attribute of the 'account' entity exceeded the maximum allowed length of '160'.",
    });
    const names = await accountNames();
    expect(names).not.toContain('Atomic One');
    expect(names).not.toContain('Atomic Two');
  });

  test('a successful change set commits every operation and echoes each Content-ID with Location and OData-EntityId', async () => {
    const res = await batch([
      {
        changeset: [
          { request: 'POST accounts', contentId: 'a', body: { name: 'Committed One' } },
          { request: 'POST accounts', contentId: 'b', body: { name: 'Committed Two' } },
        ],
      },
    ]);
    expect(res.status).toBe(200);
    const parts = onlyPart(res.parts).changeset!.parts;
    expect(parts.map((p) => [p.contentId, p.statusLine])).toEqual([['a', 'HTTP/1.1 204 No Content'], ['b', 'HTTP/1.1 204 No Content']]);
    for (const part of parts) {
      expect(part.headers.map(([n]) => n)).toEqual(['OData-Version', 'Location', 'OData-EntityId']);
      expect(headerValue(part.headers, 'Location')).toBe(headerValue(part.headers, 'OData-EntityId'));
      expect(headerValue(part.headers, 'Location')).toMatch(new RegExp(`^${w.api.replace(/[.$]/g, '\\$&')}accounts\\(${GUID}\\)$`));
    }
    expect(await accountNames()).toEqual(expect.arrayContaining(['Committed One', 'Committed Two']));
  });

  test('with continue-on-error a failed change set is rolled back and the next parts still run', async () => {
    const res = await batch(
      [
        {
          changeset: [
            { request: 'POST accounts', contentId: '1', body: { name: 'Rolled Back Too' } },
            { request: 'POST accounts', contentId: '2', body: { nme: 'unknown column' } },
          ],
        },
        { changeset: [{ request: 'POST accounts', contentId: '1', body: { name: 'Second Change Set' } }] },
        { request: 'GET accounts?$select=name&$top=1' },
      ],
      { prefer: 'odata.continue-on-error' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['preference-applied']).toBe('odata.continue-on-error');
    expect(res.parts).toHaveLength(3);
    expect(onlyPart(res.parts[0].changeset!.parts).status).toBe(400);
    expect(res.parts[1].changeset!.parts.map((p) => p.status)).toEqual([204]);
    expect(res.parts[2].status).toBe(200);
    const names = await accountNames();
    expect(names).not.toContain('Rolled Back Too');
    expect(names).toContain('Second Change Set');
  });
});

describe('Content-ID references', () => {
  test('$1 as a URL (PATCH $1, PUT $1/…/$ref) and inside @odata.bind / @odata.id', async () => {
    const res = await batch([
      {
        changeset: [
          { request: 'POST accounts', contentId: '1', body: { name: 'Reference Co' } },
          { request: 'PATCH $1', contentId: '2', body: { telephone1: '+1 555 0199' } },
          { request: 'POST contacts', contentId: '3', body: { lastname: 'Referenced', 'parentcustomerid_account@odata.bind': '$1' } },
          { request: 'PUT $1/primarycontactid/$ref', contentId: '4', body: { '@odata.id': '$3' } },
        ],
      },
    ]);
    expect(res.status).toBe(200);
    const parts = onlyPart(res.parts).changeset!.parts;
    expect(parts.map((p) => [p.contentId, p.status])).toEqual([['1', 204], ['2', 204], ['3', 204], ['4', 204]]);
    const accountId = idOf(headerValue(parts[0].headers, 'OData-EntityId'));
    const contactId = idOf(headerValue(parts[2].headers, 'OData-EntityId'));
    expect(headerValue(parts[1].headers, 'OData-EntityId')).toBe(headerValue(parts[0].headers, 'OData-EntityId'));

    const account = await w.call('GET', `accounts(${accountId})?$select=name,telephone1,_primarycontactid_value`);
    expect(account.json).toMatchObject({ name: 'Reference Co', telephone1: '+1 555 0199', _primarycontactid_value: contactId });
    const contact = await w.call('GET', `contacts(${contactId})?$select=_parentcustomerid_value`);
    expect(contact.json._parentcustomerid_value).toBe(accountId);
  });

  test('a reference to an undeclared Content-ID fails with the Dataverse message and rolls the change set back', async () => {
    const res = await batch([
      {
        changeset: [
          { request: 'POST accounts', contentId: '1', body: { name: 'Before Bad Reference' } },
          { request: 'PATCH $9', contentId: '2', body: { name: 'x' } },
        ],
      },
    ]);
    expect(res.status).toBe(400);
    const failed = onlyPart(onlyPart(res.parts).changeset!.parts);
    expect(failed.contentId).toBe('2');
    expect(JSON.parse(failed.body).error.message).toBe("Content-ID Reference: '$9' does not exist in the batch context.");
    expect(await accountNames()).not.toContain('Before Bad Reference');
  });
});

describe('GET parts', () => {
  test('GET parts outside change sets answer 200 with JSON, in order, next to change sets', async () => {
    const seeded = await w.call('GET', 'accounts?$select=name&$top=1');
    const id = seeded.json.value[0].accountid;
    const res = await batch([
      { request: 'GET accounts?$select=name&$top=2', headers: { accept: 'application/json' } },
      { changeset: [{ request: 'POST tasks', contentId: '1', body: { subject: 'Between GETs' } }] },
      { request: `GET /api/data/v9.2/accounts(${id})?$select=name` },
      { request: `GET ${w.api}tasks?$select=subject&$filter=subject%20eq%20'Between%20GETs'` },
    ]);
    expect(res.status).toBe(200);
    expect(res.parts.map((p) => (p.changeset ? 'changeset' : p.status))).toEqual([200, 'changeset', 200, 200]);
    const [list, , single, after] = res.parts;
    for (const part of [list, single, after]) {
      expect(part.statusLine).toBe('HTTP/1.1 200 OK');
      expect(headerValue(part.headers, 'Content-Type')).toMatch(/^application\/json; odata\.metadata=minimal/);
      expect(part.contentId).toBeUndefined();
    }
    expect(JSON.parse(list.body)).toMatchObject({ '@odata.context': `${w.api}$metadata#accounts(name)` });
    expect(JSON.parse(list.body).value).toHaveLength(2);
    expect(JSON.parse(single.body)).toMatchObject({ '@odata.context': `${w.api}$metadata#accounts(name)/$entity`, accountid: id });
    expect(JSON.parse(after.body).value.map((t: any) => t.subject)).toEqual(['Between GETs']);
  });

  test('a GET that fails stops the batch without continue-on-error: 400, only that part, later parts never run', async () => {
    const res = await batch([
      { request: 'GET accounts(00000000-0000-0000-0000-00000000dead)' },
      { request: 'POST tasks', body: { subject: 'Never created' } },
    ]);
    expect(res.status).toBe(400);
    const part = onlyPart(res.parts);
    expect(part.status).toBe(404);
    expect(JSON.parse(part.body).error.code).toBe('0x80040217');
    expect(await taskSubjects()).not.toContain('Never created');
  });
});

describe('continue-on-error', () => {
  const tooLong = 'S'.repeat(201);
  const items = (tag: string): BatchItem[] => [
    { request: 'POST tasks', body: { subject: tooLong } },
    { request: 'POST tasks', body: { subject: `${tag} 2` } },
    { request: 'POST tasks', body: { subject: `${tag} 3` } },
  ];

  test('without the preference the first failure ends the batch: outer 400, the failing part only', async () => {
    const res = await batch(items('Stopped'));
    expect(res.status).toBe(400);
    const part = onlyPart(res.parts);
    expect(part.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(part.headers.map(([n]) => n)).toEqual(['REQ_ID', 'Content-Type', 'OData-Version']);
    expect(JSON.parse(part.body).error.code).toBe('0x80044331');
    const subjects = await taskSubjects();
    expect(subjects).not.toContain('Stopped 2');
    expect(subjects).not.toContain('Stopped 3');
  });

  test('with Prefer: odata.continue-on-error the answer is 200 and every part has its own status', async () => {
    const res = await batch(items('Continued'), { prefer: 'odata.continue-on-error' });
    expect(res.status).toBe(200);
    expect(res.parts.map((p) => p.status)).toEqual([400, 204, 204]);
    expect(headerValue(res.parts[0].headers, 'REQ_ID')).toBeDefined();
    expect(headerValue(res.parts[1].headers, 'REQ_ID')).toBeUndefined();
    expect(await taskSubjects()).toEqual(expect.arrayContaining(['Continued 2', 'Continued 3']));
  });
});

describe('malformed and oversized batches', () => {
  test('an LF-only body is 400 0x80048d19 "Stream was not readable" and runs nothing', async () => {
    const crlf = batchBody('batch_lf', [{ request: 'POST tasks', body: { subject: 'LF only' } }]);
    const res = await batch(crlf.replace(/\r\n/g, '\n'), { contentType: 'multipart/mixed; boundary=batch_lf' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('0x80048d19');
    expect(res.json.error.message).toContain('Stream was not readable.');
    expect(await taskSubjects()).not.toContain('LF only');
  });

  test('1,001 operations are refused with the cap message; 1,000 are served', async () => {
    const gets = (n: number): BatchItem[] => Array.from({ length: n }, () => ({ request: 'GET accounts/$count' }));
    const over = await batch(gets(1001));
    expect(over.status).toBe(400);
    expect(over.json.error.message).toBe(
      "The current batch message contains too many parts. Only batch messages with a maximum number of '1000' query operations, including changeset operations, are allowed.",
    );

    const inChangeSet = await batch([
      { changeset: Array.from({ length: 1001 }, (_, i) => ({ request: 'POST tasks', contentId: String(i + 1), body: { subject: 'Too many' } })) },
    ]);
    expect(inChangeSet.status).toBe(400);
    expect(inChangeSet.json.error.message).toBe(
      "The current change set contains too many operations. A maximum number of '1000' operations are allowed in a change set",
    );
    expect(await taskSubjects()).not.toContain('Too many');

    const atCap = await batch(gets(1000));
    expect(atCap.status).toBe(200);
    expect(atCap.parts).toHaveLength(1000);
    expect(new Set(atCap.parts.map((p) => p.statusLine))).toEqual(new Set(['HTTP/1.1 200 OK']));
  });

  test('GET inside a change set is 400 and nothing in the batch runs', async () => {
    const res = await batch([
      { request: 'POST tasks', body: { subject: 'Before the bad change set' } },
      {
        changeset: [
          { request: 'POST tasks', contentId: '1', body: { subject: 'In the bad change set' } },
          { request: 'GET accounts', contentId: '2' },
        ],
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe(
      "An invalid HTTP method 'GET' was detected for a request in a change set. Requests in change sets only support the HTTP methods 'POST', 'PUT', 'DELETE', and 'PATCH'.",
    );
    const subjects = await taskSubjects();
    expect(subjects).not.toContain('Before the bad change set');
    expect(subjects).not.toContain('In the bad change set');
  });

  test('broken multipart gets a specific 400 and the emulator keeps serving', async () => {
    const good = batchBody('batch_cut', [{ request: 'POST tasks', body: { subject: 'Cut off' } }]);
    const noClose = await batch(good.replace('--batch_cut--\r\n', ''), { contentType: 'multipart/mixed; boundary=batch_cut' });
    expect(noClose.status).toBe(400);
    expect(noClose.json.error.message).toBe("The batch body ends without the closing delimiter '--batch_cut--'.");

    const noBoundary = await batch(good, { contentType: 'multipart/mixed' });
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.json.error.message).toBe("The batch content type has no 'boundary' parameter; a multipart/mixed boundary is required.");

    const wrongType = await batch(good, { contentType: 'application/json' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error.message).toContain("is not supported for $batch requests; use 'multipart/mixed' with a boundary.");

    const wrongBoundary = await batch(good, { contentType: 'multipart/mixed; boundary=batch_other' });
    expect(wrongBoundary.status).toBe(400);
    expect(wrongBoundary.json.error.message).toBe("The batch body does not contain the boundary delimiter '--batch_other'.");

    expect(await taskSubjects()).not.toContain('Cut off');
    const next = await batch([{ request: 'GET WhoAmI' }]);
    expect(next.status).toBe(200);
    expect(JSON.parse(onlyPart(next.parts).body).UserId).toMatch(new RegExp(`^${GUID}$`));
  });
});
