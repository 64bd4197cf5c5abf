/**
 * The Finance & Operations node's Action and Custom Service resources against the emulator: a row-bound action with
 * its key and parameters, a collection-bound action, custom service calls with JSON parameters, and their errors.
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

const run = (params: Params, extra: { items?: IDataObject[]; continueOnFail?: boolean } = {}) => runNode(node, { params, credentials, ...extra });
const mapped = (value: IDataObject) => ({ mappingMode: 'defineBelow', value });

describe('actions', () => {
  test('a row-bound action runs on the row of the key, in the chosen company, with its parameters', async () => {
    const [out] = await run({
      resource: 'action',
      operation: 'run',
      entitySet: rl('CustomersV3'),
      entityAction: 'SetOnHoldStatus',
      company: rl('demf'),
      key: mapped({ CustomerAccount: 'DE-004' }),
      actionParameters: '{"OnHoldStatus": "All"}',
    });
    expect(out.json).toEqual({ action: 'SetOnHoldStatus', value: true });
    expect(emulator.fno!.service.store.get('CustomersV3', { dataAreaId: 'demf', CustomerAccount: 'DE-004' })?.row.OnHoldStatus).toBe('All');
  });

  test('an action returning a value, and an action the service refuses (a NodeApiError with its message)', async () => {
    const [total] = await run({ resource: 'action', operation: 'run', entitySet: rl('SalesOrderHeadersV2'), entityAction: 'CalculateTotalAmount', key: mapped({ dataAreaId: 'usmf', SalesOrderNumber: '000001' }), actionParameters: '{}' });
    expect(total.json.action).toBe('CalculateTotalAmount');
    expect(total.json.value).toEqual(expect.any(Number));
    const refused = await run({
      resource: 'action', operation: 'run', entitySet: rl('SalesOrderHeadersV2'), entityAction: 'CancelSalesOrder', company: rl('usmf'),
      key: mapped({ SalesOrderNumber: '000004' }), actionParameters: { Reason: 'test' },
    }).catch((e) => e);
    expect(refused).toBeInstanceOf(NodeApiError);
    expect(refused.message).toMatch(/cannot be canceled because its status is Invoiced/);
  });

  test('a collection-bound action needs no key', async () => {
    const [out] = await run({ resource: 'action', operation: 'run', entitySet: rl('DataManagementDefinitionGroups'), entityAction: 'GetExecutionSummaryStatus', actionParameters: '{"executionId": "no-such-execution"}' });
    expect(out.json.action).toBe('GetExecutionSummaryStatus');
    expect(typeof out.json.value).toBe('string');
  });

  test('an unknown action and parameters that are not a JSON object are NodeOperationErrors', async () => {
    const unknown = await run({ resource: 'action', operation: 'run', entitySet: rl('CustomersV3'), entityAction: 'Explode', key: mapped({ CustomerAccount: 'US-001' }), actionParameters: '{}' }).catch((e) => e);
    expect(unknown).toBeInstanceOf(NodeOperationError);
    expect(unknown.message).toBe("'Explode' is not an action of the entity 'CustomersV3'.");
    const notJson = await run({ resource: 'action', operation: 'run', entitySet: rl('CustomersV3'), entityAction: 'SetOnHoldStatus', key: mapped({ CustomerAccount: 'US-001' }), actionParameters: '{OnHoldStatus: All' }).catch((e) => e);
    expect(notJson).toBeInstanceOf(NodeOperationError);
    expect(notJson.message).toMatch(/^The Parameters \(JSON\) is not valid JSON/);
  });
});

describe('custom services', () => {
  const credit = (parameters: unknown) => ({
    resource: 'customService',
    operation: 'call',
    serviceGroup: 'ContosoIntegrationServices',
    service: 'CustomerCreditService',
    serviceOperation: 'GetCreditInfo',
    serviceParameters: parameters,
  });

  test('calls an operation with JSON parameters and returns its data contract', async () => {
    const [out] = await run(credit('{"_dataAreaId": "usmf", "_customerAccount": "US-001"}'));
    expect(out.json).toMatchObject({ CustomerAccount: 'US-001', Company: 'usmf', CreditLimit: expect.any(Number), OpenOrderAmount: expect.any(Number) });
    expect(out.pairedItem).toEqual({ item: 0 });
  });

  test('an operation returning a list, and a session service with no parameters', async () => {
    const [orders] = await run({ ...credit({ _dataAreaId: 'usmf', _customerAccount: 'US-001' }), serviceOperation: 'GetOpenSalesOrders' });
    expect(orders.json.result).toEqual(expect.arrayContaining(['000001']));
    const [session] = await run({ resource: 'customService', operation: 'call', serviceGroup: 'UserSessionService', service: 'AifUserSessionService', serviceOperation: 'GetUserSessionInfo', serviceParameters: '' });
    expect(session.json).toMatchObject({ UserId: 'Admin', Company: 'USMF' });
  });

  test('a parameter the operation does not take is refused by the service with its reason', async () => {
    const error = await run(credit('{"_dataAreaId": "usmf", "account": "US-001"}')).catch((e) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error.message).toMatch(/'account' is not a parameter of 'GetCreditInfo'/);
  });
});
