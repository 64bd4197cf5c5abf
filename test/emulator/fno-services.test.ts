/** F&O custom services (/api/services): discovery down to operations, JSON calls, faults. */
import { useFnoApi } from '../helpers/emulator';

const f = useFnoApi();

describe('discovery', () => {
  test('groups, services, operations and an operation description', async () => {
    const groups = await f.call('GET', 'api/services');
    expect(groups.status).toBe(200);
    expect(groups.json.ServiceGroups).toEqual(expect.arrayContaining([{ Name: 'UserSessionService' }, { Name: 'ContosoIntegrationServices' }]));
    const services = await f.call('GET', 'api/services/UserSessionService');
    expect(services.json).toEqual({ Services: [{ Name: 'AifUserSessionService' }] });
    const operations = await f.call('GET', 'api/services/UserSessionService/AifUserSessionService');
    expect(operations.json.Operations).toEqual(expect.arrayContaining([{ Name: 'GetUserSessionInfo' }]));
    const op = await f.call('GET', 'api/services/ContosoIntegrationServices/CustomerCreditService/GetCreditInfo');
    expect(op.json).toEqual({
      Parameters: [{ Name: '_dataAreaId', Type: 'str' }, { Name: '_customerAccount', Type: 'str' }],
      Return: { Name: 'return', Type: 'ContosoCustomerCreditContract' },
    });
  });

  test('unknown group, service or operation is 404 with an F&O service fault body', async () => {
    for (const path of ['api/services/Nope', 'api/services/UserSessionService/Nope', 'api/services/UserSessionService/AifUserSessionService/Nope']) {
      const res = await f.call('GET', path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ Message: expect.stringContaining('Nope'), ExceptionType: 'XppServicesNotFoundException', ActivityId: expect.any(String) });
    }
  });

  test('custom services need the F&O token too', async () => {
    const res = await f.call('GET', 'api/services', { token: 'not-a-token' });
    expect(res.status).toBe(401);
  });
});

describe('calls', () => {
  test('GetUserSessionInfo answers with the default company and the caller', async () => {
    const res = await f.call('POST', 'api/services/UserSessionService/AifUserSessionService/GetUserSessionInfo', { body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ Company: 'USMF', AOSLocaleName: 'en-US', UserObjectId: f.emulator.entra.applicationUserIdFor(f.emulator.clientId) });
  });

  test('a custom operation works on the OData rows and sees their changes', async () => {
    const path = 'api/services/ContosoIntegrationServices/CustomerCreditService/GetCreditInfo';
    const before = await f.call('POST', path, { body: { _dataAreaId: 'usmf', _customerAccount: 'US-002' } });
    expect(before.status).toBe(200);
    const lines = await f.call('GET', "data/SalesOrderLines?$filter=SalesOrderNumber eq '000002'&$select=LineAmount");
    const open = lines.json.value.reduce((s: number, l: any) => s + l.LineAmount, 0);
    expect(before.json).toEqual({
      CustomerAccount: 'US-002', Company: 'usmf', CurrencyCode: 'USD', CreditLimit: 50000,
      OpenOrderAmount: Math.round(open * 100) / 100, AvailableCredit: Math.round((50000 - open) * 100) / 100, OnHold: false,
    });
    await f.call('PATCH', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')", { body: { CreditLimit: 60000, OnHoldStatus: 'All' } });
    const after = await f.call('POST', path, { body: { _dataAreaId: 'USMF', _customerAccount: 'us-002' } });
    expect(after.json).toMatchObject({ CreditLimit: 60000, OnHold: true });
    const orders = await f.call('POST', 'api/services/ContosoIntegrationServices/CustomerCreditService/GetOpenSalesOrders', { body: { _dataAreaId: 'usmf', _customerAccount: 'US-002' } });
    expect(orders.json).toEqual(['000002']);
  });

  test('bad bodies, unknown parameters and X++ errors have clear messages', async () => {
    const path = 'api/services/ContosoIntegrationServices/CustomerCreditService/GetCreditInfo';
    const notJson = await f.call('POST', path, { body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.json.ExceptionType).toBe('XppServicesDeserializationException');
    const unknown = await f.call('POST', path, { body: { customer: 'US-001' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.Message).toContain("'customer' is not a parameter of 'GetCreditInfo'");
    const missing = await f.call('POST', path, { body: { _dataAreaId: 'usmf', _customerAccount: 'US-999' } });
    expect(missing.status).toBe(500);
    expect(missing.json).toMatchObject({ Message: 'Customer US-999 does not exist in company usmf.', ExceptionType: 'XppServicesException' });
    const badCompany = await f.call('POST', path, { body: { _dataAreaId: 'zzzz', _customerAccount: 'US-001' } });
    expect(badCompany.json.Message).toContain("company 'zzzz' does not exist");
    const put = await f.call('PUT', path, { body: {} });
    expect(put.status).toBe(405);
  });
});
