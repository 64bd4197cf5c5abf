/**
 * The Finance & Operations node's Entity operations run through execute() against the emulator's F&O environment,
 * as n8n would run them: composite keys with dataAreaId from the company, company and cross-company reads, paging,
 * writes with ETags, upsert, and the errors users meet (unknown company, missing key) as NodeOperationErrors.
 */
import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject, type IDataObject } from 'n8n-workflow';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { FinanceOperations } from '../../nodes/FinanceOperations/FinanceOperations.node';
import { emulatorFnoCredentialData } from '../../scripts/n8n/emulator-credential';
import { rl, runNode, type Params } from '../helpers/n8n-context';

const node = new FinanceOperations();
let emulator: RunningEmulator;
let credentials: Record<string, ICredentialDataDecryptedObject>;

beforeAll(async () => {
  emulator = await startEmulator({ limits: 'off' });
  credentials = { dynamics365AppRegistrationApi: emulatorFnoCredentialData(emulator) as ICredentialDataDecryptedObject };
});
afterAll(async () => {
  await emulator?.stop();
});

const run = (params: Params | ((i: number) => Params), extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) =>
  runNode(node, { params: typeof params === 'function' ? (i) => ({ resource: 'entity', ...params(i) }) : { resource: 'entity', ...params }, credentials, ...extra });
const mapped = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });
const store = () => emulator.fno!.service.store;

describe('create / get / update / delete', () => {
  test('create fills dataAreaId from the company and returns the row; get reads it back by its key', async () => {
    const out = await run(
      (i) => ({
        operation: 'create',
        entitySet: rl('CustomerGroups', 'list'),
        company: rl('ussu', 'list'),
        fields: mapped({ CustomerGroupId: `NG-${i}`, Description: `Node group ${i} O'Brien`, IsSalesTaxIncludedInPrice: 'Yes' }),
      }),
      { items: [{}, {}] },
    );
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    expect(out[1].json).toMatchObject({ dataAreaId: 'ussu', CustomerGroupId: 'NG-1', Description: "Node group 1 O'Brien", IsSalesTaxIncludedInPrice: 'Yes' });
    expect(store().get('CustomerGroups', { dataAreaId: 'ussu', CustomerGroupId: 'NG-0' })?.row).toMatchObject({ Description: "Node group 0 O'Brien" });

    const [got] = await run({ operation: 'get', entitySet: rl('CustomerGroups'), company: rl('ussu'), key: mapped({ CustomerGroupId: 'NG-1' }), options: { select: ['CustomerGroupId', 'Description'] } });
    expect(got.json).toMatchObject({ CustomerGroupId: 'NG-1', Description: "Node group 1 O'Brien" });
    expect(got.json.IsSalesTaxIncludedInPrice).toBeUndefined();
    // dataAreaId in the key wins over the (default) company.
    const [byKey] = await run({ operation: 'get', entitySet: rl(`${emulator.fnoUrl}data/CustomerGroups`, 'url'), key: mapped({ dataAreaId: 'ussu', CustomerGroupId: 'NG-0' }), options: {} });
    expect(byKey.json).toMatchObject({ dataAreaId: 'ussu', CustomerGroupId: 'NG-0' });
  });

  test('update with the ETag as read changes the row and returns it; a stale ETag is a 412 NodeApiError; delete removes it', async () => {
    const [created] = await run({ operation: 'create', entitySet: rl('CustomerGroups'), company: rl('demf'), fields: mapped({ CustomerGroupId: 'NG-UPD', Description: 'before', IsSalesTaxIncludedInPrice: 'No' }) });
    const etag = String(created.json['@odata.etag']);
    const [updated] = await run({
      operation: 'update',
      entitySet: rl('CustomerGroups'),
      company: rl('demf'),
      key: mapped({ CustomerGroupId: 'NG-UPD' }),
      fields: mapped({ Description: 'after' }),
      options: { ifMatch: etag },
    });
    expect(updated.json).toMatchObject({ dataAreaId: 'demf', CustomerGroupId: 'NG-UPD', Description: 'after' });
    expect(updated.json['@odata.etag']).not.toBe(etag);

    const stale = await run({ operation: 'update', entitySet: rl('CustomerGroups'), company: rl('demf'), key: mapped({ CustomerGroupId: 'NG-UPD' }), fields: mapped({ Description: 'lost' }), options: { ifMatch: etag } }).catch((e) => e);
    expect(stale).toBeInstanceOf(NodeApiError);
    expect(stale.httpCode).toBe('412');
    expect(store().get('CustomerGroups', { dataAreaId: 'demf', CustomerGroupId: 'NG-UPD' })?.row.Description).toBe('after');

    const [deleted] = await run({ operation: 'delete', entitySet: rl('CustomerGroups'), company: rl('demf'), key: mapped({ CustomerGroupId: 'NG-UPD' }) });
    expect(deleted.json).toEqual({ key: { CustomerGroupId: 'NG-UPD' }, deleted: true });
    expect(store().get('CustomerGroups', { dataAreaId: 'demf', CustomerGroupId: 'NG-UPD' })).toBeUndefined();
    const missing = await run({ operation: 'get', entitySet: rl('CustomerGroups'), company: rl('demf'), key: mapped({ CustomerGroupId: 'NG-UPD' }), options: {} }).catch((e) => e);
    expect(missing).toBeInstanceOf(NodeApiError);
    expect(missing.httpCode).toBe('404');
    expect(missing.message).not.toMatch(/Bearer|eyJ/);
  });

  test('upsert creates the row the first time and updates it the second', async () => {
    const params = (description: string) => ({
      operation: 'upsert',
      entitySet: rl('CustomerGroups'),
      company: rl('usmf'),
      key: mapped({ CustomerGroupId: 'NG-UPS' }),
      fields: mapped({ Description: description, IsSalesTaxIncludedInPrice: 'No' }),
    });
    const [first] = await run(params('one'));
    expect(first.json).toMatchObject({ created: true, dataAreaId: 'usmf', CustomerGroupId: 'NG-UPS', Description: 'one' });
    const [second] = await run(params('two'));
    expect(second.json).toMatchObject({ created: false, Description: 'two' });
    expect(store().list('CustomerGroups', { company: 'usmf' }).filter((r) => r.row.CustomerGroupId === 'NG-UPS')).toHaveLength(1);
  });
});

test('with no company and no dataAreaId in the key, a key lookup is in the default company of the user', async () => {
  const [row] = await run({ operation: 'get', entitySet: rl('CustomersV3'), key: mapped({ CustomerAccount: 'US-004' }), options: {} });
  expect(row.json).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'US-004', OrganizationName: "O'Brien & Sons Retail" });
});

describe('get many', () => {
  test('one company by default or as chosen, every company with Cross-Company', async () => {
    const params = (extra: IDataObject) => ({ operation: 'getMany', entitySet: rl('CustomersV3'), returnAll: true, options: { select: ['dataAreaId', 'CustomerAccount'] }, ...extra });
    const usmf = await run(params({}));
    expect(new Set(usmf.map((o) => o.json.dataAreaId))).toEqual(new Set(['usmf']));
    const demf = await run(params({ company: rl('demf') }));
    expect(new Set(demf.map((o) => o.json.dataAreaId))).toEqual(new Set(['demf']));
    const all = await run(params({ crossCompany: true, company: rl('demf') }));
    expect(new Set(all.map((o) => o.json.dataAreaId))).toEqual(new Set(['usmf', 'ussu', 'demf']));
    expect(all.length).toBe(store().list('CustomersV3', { crossCompany: true }).length);
  });

  test('return all streams every page; a limit stops early; filter, select and order by go to F&O', async () => {
    const all = await run({ operation: 'getMany', entitySet: rl('CustomersV3'), crossCompany: true, returnAll: true, options: { pageSize: 2, select: ['CustomerAccount'] } });
    expect(all.length).toBe(store().list('CustomersV3', { crossCompany: true }).length);
    expect(all.length).toBeGreaterThan(4);
    const limited = await run({ operation: 'getMany', entitySet: rl('CustomersV3'), crossCompany: true, returnAll: false, limit: 3, options: { pageSize: 2 } });
    expect(limited).toHaveLength(3);
    const filtered = await run({
      operation: 'getMany',
      entitySet: rl('CustomersV3'),
      company: rl('usmf'),
      returnAll: true,
      options: { filter: "OrganizationName eq 'O''Brien & Sons Retail' or CustomerGroupId eq '10'", select: ['CustomerAccount', 'OrganizationName'], orderBy: 'CustomerAccount desc' },
    });
    const accounts = filtered.map((o) => String(o.json.CustomerAccount));
    expect(accounts).toContain('US-004');
    expect([...accounts].sort().reverse()).toEqual(accounts);
    expect(Object.keys(filtered[0].json).filter((k) => !k.startsWith('@'))).toEqual(['CustomerAccount', 'OrganizationName']);
  });

  test('conditions are typed from metadata: quoted text with wildcards, bare numbers, enum values, ANDed with the raw filter', async () => {
    const all = store().list('CustomersV3', { company: 'usmf' }).map((r) => r.row);
    const conditions = (condition: IDataObject[]) => ({ condition });
    const brien = await run({
      operation: 'getMany', entitySet: rl('CustomersV3'), company: rl('usmf'), returnAll: true,
      options: { conditions: conditions([{ field: 'OrganizationName', operator: 'contains', value: "o'brien" }, { field: 'OnHoldStatus', operator: 'eq', value: 'No' }]) },
    });
    const expected = all.filter((r) => /o'brien/i.test(String(r.OrganizationName)) && r.OnHoldStatus === 'No').map((r) => r.CustomerAccount);
    expect(expected.length).toBeGreaterThan(0);
    expect(brien.map((o) => o.json.CustomerAccount)).toEqual(expected);

    const limit = 1000;
    const rich = await run({
      operation: 'getMany', entitySet: rl('CustomersV3'), company: rl('usmf'), returnAll: true,
      options: { conditions: conditions([{ field: 'CreditLimit', operator: 'gt', value: String(limit) }, { field: 'OrganizationName', operator: 'startsWith', value: 'f' }]), filter: "CustomerGroupId ne 'zz'" },
    });
    expect(rich.length).toBeGreaterThan(0);
    expect(rich.map((o) => o.json.CustomerAccount)).toEqual(all.filter((r) => Number(r.CreditLimit) > limit && /^f/i.test(String(r.OrganizationName))).map((r) => r.CustomerAccount));

    const bad = await run({ operation: 'getMany', entitySet: rl('CustomersV3'), returnAll: true, options: { conditions: conditions([{ field: 'CreditLimit', operator: 'gt', value: 'lots' }]) } }).catch((e) => e);
    expect(bad).toBeInstanceOf(NodeOperationError);
    expect(bad.message).toBe("The value of 'CreditLimit' must be a number; got 'lots'.");
    const unbalanced = await run({ operation: 'getMany', entitySet: rl('CustomersV3'), returnAll: true, options: { conditions: conditions([{ field: 'CreditLimit', operator: 'gt', value: '1' }]), filter: "(CustomerGroupId eq '10'" } }).catch((e) => e);
    expect(unbalanced).toBeInstanceOf(NodeOperationError);
    expect(unbalanced.message).toBe("The Filter (OData) has unbalanced parentheses or quotes: (CustomerGroupId eq '10'");
  });
});

describe('bad input', () => {
  test('an unknown company is a NodeOperationError naming the legal entities', async () => {
    const error = await run({ operation: 'getMany', entitySet: rl('CustomersV3'), company: rl('zz99'), returnAll: true, options: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/^Unknown company 'zz99'/);
    for (const company of ['usmf', 'ussu', 'demf']) expect(error.message).toContain(company);
    expect(error.context.code).toBe('UnknownCompany');
    const create = await run({ operation: 'create', entitySet: rl('CustomerGroups'), company: rl('zz99', 'id'), fields: mapped({ CustomerGroupId: 'NG-ZZ', Description: 'x', IsSalesTaxIncludedInPrice: 'No' }) }).catch((e) => e);
    expect(create).toBeInstanceOf(NodeOperationError);
    expect(create.context.code).toBe('UnknownCompany');
    expect(create.message).toMatch(/^Unknown company 'zz99'/);
  });

  test('a key without its fields, or with a field that is not a key field, is a NodeOperationError naming the key', async () => {
    const empty = await run({ operation: 'get', entitySet: rl('CustomersV3'), key: mapped({ dataAreaId: 'usmf' }), options: {} }).catch((e) => e);
    expect(empty).toBeInstanceOf(NodeOperationError);
    expect(empty.message).toMatch(/The Key is empty/);
    const wrong = await run({ operation: 'get', entitySet: rl('CustomersV3'), company: rl('usmf'), key: mapped({ OrganizationName: 'x' }), options: {} }).catch((e) => e);
    expect(wrong).toBeInstanceOf(NodeOperationError);
    expect(wrong.message).toMatch(/'OrganizationName' is not a key field of 'CustomersV3'; its key is \(dataAreaId, CustomerAccount\)/);
  });

  test('with Continue On Fail a failing item carries its error and code, the others go on', async () => {
    const out = await run(
      (i) => ({ operation: 'get', entitySet: rl('CustomersV3'), company: rl(i === 1 ? 'nope' : 'usmf'), key: mapped({ CustomerAccount: 'US-001' }), options: { select: ['CustomerAccount'] } }),
      { items: [{}, {}, {}], continueOnFail: true },
    );
    expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
    expect(out[0].json).toMatchObject({ CustomerAccount: 'US-001' });
    expect(out[1].json.error).toEqual(expect.any(String));
    // The error on the item itself is what n8n's "Continue (using error output)" routes by.
    expect(out[1].error).toBeInstanceOf(Error);
    expect(out[0].error).toBeUndefined();
    expect(out[2].json).toMatchObject({ CustomerAccount: 'US-001' });
  });

  test('a Dataverse credential is refused with what to change', async () => {
    const dataverse = { dynamics365AppRegistrationApi: { ...credentials.dynamics365AppRegistrationApi, service: 'dataverse' } };
    const error = await runNode(node, { params: { resource: 'entity', operation: 'getMany', entitySet: rl('CustomersV3'), returnAll: true, options: {} }, credentials: dataverse }).catch((e) => e);
    expect(error).toBeInstanceOf(NodeOperationError);
    expect(error.message).toMatch(/is a Dataverse environment.*set the credential's Service to Finance & Operations/);
  });
});
