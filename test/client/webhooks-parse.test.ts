/** parseRemoteExecutionContext on the recorded docs payload and on hostile input; verifyWebhookAuth edge cases. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRemoteExecutionContext, safeEqual, verifyWebhookAuth, WebhookPayloadError } from '../../client/dataverse';

const FIXTURE_TEXT = fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/responses/dataverse/docs/webhook_remoteexecutioncontext_update_contact.json'), 'utf8');

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookPayloadError);
    return (e as WebhookPayloadError).reason;
  }
  return undefined;
}

describe('parseRemoteExecutionContext', () => {
  it('turns the recorded Update of contact into clean JSON', () => {
    const parsed = parseRemoteExecutionContext(FIXTURE_TEXT);
    expect(parsed).toMatchObject({
      message: 'Update', table: 'contact', rowId: '6d81597f-0f9f-e711-8122-000d3aa2331c', correlationId: 'b374239d-4233-41a9-8b17-a86cb4f737b5',
      userId: '75c2dd85-e89e-e711-8122-000d3aa2331c', initiatingUserId: '75c2dd85-e89e-e711-8122-000d3aa2331c', organizationId: '4ef5b371-e89e-e711-8122-000d3aa2331c',
      operationCreatedOn: new Date(1506409448000).toISOString(), depth: 1, stage: 40, mode: 'async', preImage: null, truncated: false,
    });
    expect(parsed.row).toEqual({
      firstname: 'James', contactid: '6d81597f-0f9f-e711-8122-000d3aa2331c', fullname: 'James Glynn (sample)', yomifullname: 'James Glynn (sample)',
      modifiedon: '2017-09-26T00:04:07.000Z', modifiedby: { id: '75c2dd85-e89e-e711-8122-000d3aa2331c', table: 'systemuser' }, modifiedonbehalfby: null,
    });
    expect(parsed.changedColumns).toEqual(Object.keys(parsed.row));
    expect(parsed.postImage).toEqual({ fullname: 'James Glynn (sample)', contactid: '6d81597f-0f9f-e711-8122-000d3aa2331c' });
    expect(parsed.postImages).toEqual({ AsynchronousStepPrimaryName: parsed.postImage });
    expect(parsed.raw.MessageName).toBe('Update');
    // Buffer and already-parsed input give the same result.
    expect(parseRemoteExecutionContext(Buffer.from(FIXTURE_TEXT))).toEqual(parsed);
    expect(parseRemoteExecutionContext(JSON.parse(FIXTURE_TEXT))).toEqual(parsed);
  });

  it('converts OptionSetValue, Money, named references, collections and nested key/value lists', () => {
    const T = 'http://schemas.microsoft.com/xrm/2011/Contracts';
    const body = {
      MessageName: 'Create', PrimaryEntityName: 'account', PrimaryEntityId: 'AAAAAAAA-0000-0000-0000-000000000001', Mode: 0, Stage: 20,
      InputParameters: [{ key: 'Target', value: { __type: `Entity:${T}`, LogicalName: 'account', Attributes: [
        { key: 'industrycode', value: { __type: `OptionSetValue:${T}`, Value: 3 } },
        { key: 'revenue', value: { __type: `Money:${T}`, Value: 12.5 } },
        { key: 'colors', value: { __type: `OptionSetValueCollection:${T}`, Value: [1, 2] } },
        { key: 'primarycontactid', value: { __type: `EntityReference:${T}`, Id: 'BBBBBBBB-0000-0000-0000-000000000002', LogicalName: 'contact', Name: 'Ann' } },
        { key: 'meta', value: [{ __type: 'KeyValuePairOfstringstring:#System.Collections.Generic', key: 'a', value: '/Date(0)/' }] },
      ] } }],
      OutputParameters: [{ key: 'id', value: 'aaaaaaaa-0000-0000-0000-000000000001' }],
    };
    const parsed = parseRemoteExecutionContext(JSON.stringify(body));
    expect(parsed.rowId).toBe('aaaaaaaa-0000-0000-0000-000000000001');
    expect(parsed).toMatchObject({ mode: 'sync', stage: 20, changedColumns: [], outputs: { id: 'aaaaaaaa-0000-0000-0000-000000000001' }, operationCreatedOn: null });
    expect(parsed.row).toEqual({
      industrycode: 3, revenue: 12.5, colors: [1, 2], primarycontactid: { id: 'bbbbbbbb-0000-0000-0000-000000000002', table: 'contact', name: 'Ann' },
      meta: { a: '1970-01-01T00:00:00.000Z' },
    });
  });

  it('reads a Delete (Target is a reference) and a trimmed (> 256 KB) message', () => {
    const del = parseRemoteExecutionContext({ MessageName: 'Delete', PrimaryEntityName: 'task', PrimaryEntityId: 'x', InputParameters: [{ key: 'Target', value: { __type: 'EntityReference:x', Id: 'x', LogicalName: 'task' } }] });
    expect(del).toMatchObject({ row: {}, changedColumns: [], truncated: false });
    const trimmed = parseRemoteExecutionContext({ MessageName: 'Update', PrimaryEntityName: 'task', PrimaryEntityId: 'x' });
    expect(trimmed).toMatchObject({ row: {}, truncated: true, preImage: null, postImage: null });
  });

  it('refuses malformed and hostile input with a specific reason', () => {
    expect(reasonOf(() => parseRemoteExecutionContext('{not json'))).toBe('notJson');
    expect(reasonOf(() => parseRemoteExecutionContext(''))).toBe('notJson');
    expect(reasonOf(() => parseRemoteExecutionContext('[1,2]'))).toBe('wrongShape');
    expect(reasonOf(() => parseRemoteExecutionContext('null'))).toBe('wrongShape');
    expect(reasonOf(() => parseRemoteExecutionContext('{"a":1}'))).toBe('wrongShape');
    expect(reasonOf(() => parseRemoteExecutionContext({ MessageName: 'Update', PrimaryEntityName: 'a', PrimaryEntityId: 'x', InputParameters: 'nope' }))).toBe('wrongShape');
    expect(reasonOf(() => parseRemoteExecutionContext({ MessageName: 'Update', PrimaryEntityName: 'a', PrimaryEntityId: 'x', InputParameters: [{ key: 'Target', value: { LogicalName: 'a', Attributes: [1] } }] }))).toBe('wrongShape');
    expect(reasonOf(() => parseRemoteExecutionContext(Buffer.alloc(1024 * 1024 + 1, 32)))).toBe('tooLarge');
    expect(reasonOf(() => parseRemoteExecutionContext('['.repeat(100_000) + ']'.repeat(100_000)))).toBe('tooDeep');
    let deep: any = { MessageName: 'Update', PrimaryEntityName: 'a', PrimaryEntityId: 'x' };
    for (let i = 0; i < 200; i++) deep = { x: deep };
    expect(reasonOf(() => parseRemoteExecutionContext(deep))).toBe('tooDeep');
    const cyclic: any = { MessageName: 'Update', PrimaryEntityName: 'a', PrimaryEntityId: 'x' };
    cyclic.self = cyclic;
    expect(reasonOf(() => parseRemoteExecutionContext(cyclic))).toBe('tooDeep');
  });

  it('never pollutes a prototype', () => {
    const base = { MessageName: 'Update', PrimaryEntityName: 'a', PrimaryEntityId: 'x' };
    const viaKey = JSON.stringify({ ...base, InputParameters: [{ key: 'Target', value: { LogicalName: 'a', Attributes: [{ key: '__proto__', value: { polluted: true } }] } }] });
    expect(reasonOf(() => parseRemoteExecutionContext(viaKey))).toBe('forbiddenKey');
    const viaProperty = `{"MessageName":"Update","PrimaryEntityName":"a","PrimaryEntityId":"x","__proto__":{"polluted":true}}`;
    expect(reasonOf(() => parseRemoteExecutionContext(viaProperty))).toBe('forbiddenKey');
    expect(reasonOf(() => parseRemoteExecutionContext(JSON.stringify({ ...base, PostEntityImages: [{ key: 'constructor', value: { Attributes: [] } }] })))).toBe('forbiddenKey');
    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
  });
});

describe('verifyWebhookAuth', () => {
  it('accepts the right secret and refuses wrong, missing, repeated or empty ones', () => {
    const key = { kind: 'webhookKey' as const, value: 'k1' };
    expect(verifyWebhookAuth({ url: '/hook?code=k1', headers: {} }, key)).toBe(true);
    expect(verifyWebhookAuth({ url: 'https://host/hook?a=1&code=k1', headers: {} }, key)).toBe(true);
    expect(verifyWebhookAuth({ url: '/hook?code=k2', headers: {} }, key)).toBe(false);
    expect(verifyWebhookAuth({ url: '/hook?code=k1x', headers: {} }, key)).toBe(false);
    expect(verifyWebhookAuth({ url: '/hook?code=k1&code=k1', headers: {} }, key)).toBe(false);
    expect(verifyWebhookAuth({ headers: {} }, key)).toBe(false);
    expect(verifyWebhookAuth({ url: '/hook?code=', headers: {} }, { kind: 'webhookKey', value: '' })).toBe(false);

    const header = { kind: 'httpHeader' as const, headers: { 'X-Secret': 'abc', 'x-two': '2' } };
    expect(verifyWebhookAuth({ headers: { 'x-secret': 'abc', 'x-two': '2' } }, header)).toBe(true);
    expect(verifyWebhookAuth({ headers: { 'x-secret': 'abc' } }, header)).toBe(false);
    expect(verifyWebhookAuth({ headers: { 'x-secret': ['abc', 'abc'], 'x-two': '2' } }, header)).toBe(false);
    expect(verifyWebhookAuth({ headers: { 'x-secret': 'ABC', 'x-two': '2' } }, header)).toBe(false);
    expect(verifyWebhookAuth({ headers: { 'x-secret': 'abc' } }, { kind: 'httpHeader', headers: {} })).toBe(false);

    const query = { kind: 'httpQueryString' as const, params: { t: 'a b' } };
    expect(verifyWebhookAuth({ url: '/h?t=a+b', headers: {} }, query)).toBe(true);
    expect(verifyWebhookAuth({ url: '/h?t=a', headers: {} }, query)).toBe(false);
    expect(verifyWebhookAuth({ url: '/h', headers: {} }, { kind: 'unknown' } as never)).toBe(false);
  });

  it('compares in constant time whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual(undefined, '')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
