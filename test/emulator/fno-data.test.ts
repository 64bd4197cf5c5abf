/** The F&O /data OData service over real HTTPS on its own origin, with a real token from the emulator's Entra. */
import { parseCsdl } from '../../client/metadata/csdl';
import { appToken, httpsRequest, useFnoApi } from '../helpers/emulator';

const f = useFnoApi();

describe('origin and authentication', () => {
  test('the F&O environment has its own origin, named in the ready line', () => {
    const line = JSON.parse(f.emulator.readyLine());
    expect(line.fnoUrl).toBe(f.fnoUrl);
    expect(f.fnoUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(f.fnoUrl).port).not.toBe(new URL(f.emulator.dataverseUrl).port);
  });

  test('a token for the Dataverse URL is refused with 401 and an F&O error body; no token too', async () => {
    const dataverseToken = await appToken(f.emulator);
    const wrong = await f.call('GET', 'data/LegalEntities', { token: dataverseToken });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain(`resource_id=${f.fnoUrl.replace(/\/$/, '')}`);
    expect(wrong.json.error.innererror.message).toContain('wrong audience');
    expect(wrong.text).not.toContain(dataverseToken);
    const none = await httpsRequest(f.emulator, 'GET', `${f.fnoUrl}data/LegalEntities`);
    expect(none.status).toBe(401);
  });

  test('the F&O token does not open the Dataverse Web API', async () => {
    const res = await httpsRequest(f.emulator, 'GET', `${f.emulator.dataverseUrl}api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${f.token}` } });
    expect(res.status).toBe(401);
  });
});

describe('$metadata and the model', () => {
  test('$metadata parses with the client CSDL reader: namespace, composite keys, enums, actions', async () => {
    const res = await f.call('GET', 'data/$metadata', { headers: { accept: 'application/xml' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/xml');
    const model = parseCsdl(res.text);
    expect(model.namespace).toBe('Microsoft.Dynamics.DataEntities');
    expect(model.entitySets.get('CustomersV3')?.entityType).toBe('Microsoft.Dynamics.DataEntities.CustomerV3');
    expect(model.entityTypes.get('Microsoft.Dynamics.DataEntities.CustomerV3')?.keyProperties).toEqual(['dataAreaId', 'CustomerAccount']);
    expect(model.entityTypes.get('Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2')?.keyProperties).toEqual(['dataAreaId', 'SalesOrderNumber']);
    expect(model.enumTypes.get('Microsoft.Dynamics.DataEntities.NoYes')?.members.map((m) => [m.name, m.value])).toEqual([['No', 0], ['Yes', 1]]);
    for (const set of ['VendorsV2', 'SalesOrderHeadersV2', 'SalesOrderLines', 'PurchaseOrderHeadersV2', 'PurchaseOrderLinesV2', 'ReleasedProductsV2', 'LegalEntities']) {
      expect(model.entitySets.has(set)).toBe(true);
    }
    const cancel = model.actions.find((a) => a.name === 'CancelSalesOrder');
    expect(cancel?.bound).toBe(true);
    expect(model.actions.find((a) => a.name === 'GetAzureWriteUrl')?.parameters[0].collection).toBe(true);
  });

  test('set names are case-sensitive: a wrong case is 404 with a hint', async () => {
    const res = await f.call('GET', 'data/customersv3');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('');
    expect(res.json.error.innererror.message).toContain("did you mean 'CustomersV3'");
  });
});

describe('companies and keys', () => {
  test('reads return only the default company (usmf) unless cross-company=true', async () => {
    const own = await f.call('GET', 'data/CustomersV3?$select=dataAreaId,CustomerAccount');
    expect(own.status).toBe(200);
    expect(own.json['@odata.context']).toBe(`${f.fnoUrl}data/$metadata#CustomersV3(dataAreaId,CustomerAccount)`);
    expect(new Set(own.json.value.map((r: any) => r.dataAreaId))).toEqual(new Set(['usmf']));
    const all = await f.call('GET', 'data/CustomersV3?cross-company=true&$select=dataAreaId');
    expect(new Set(all.json.value.map((r: any) => r.dataAreaId))).toEqual(new Set(['usmf', 'ussu', 'demf']));
    const one = await f.call('GET', "data/CustomersV3?cross-company=true&$filter=dataAreaId eq 'demf'&$count=true");
    expect(one.json['@odata.count']).toBe(one.json.value.length);
    expect(one.json.value.every((r: any) => r.dataAreaId === 'demf')).toBe(true);
  });

  test('a composite key reads one row with its opaque ETag; another company needs cross-company', async () => {
    const res = await f.call('GET', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')");
    expect(res.status).toBe(200);
    expect(res.json['@odata.context']).toBe(`${f.fnoUrl}data/$metadata#CustomersV3/$entity`);
    expect(res.json).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'US-001', CreditLimitIsMandatory: 'No' });
    expect(res.json['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect(Buffer.from(res.json['@odata.etag'].slice(3, -1), 'base64').toString()).toMatch(/^'1,\d+;'$/);
    expect(res.headers.etag).toBe(res.json['@odata.etag']);
    const other = await f.call('GET', "data/CustomersV3(dataAreaId='ussu',CustomerAccount='SU-001')");
    expect(other.status).toBe(404);
    expect(other.json.error.innererror.message).toContain('cross-company=true');
    const crossed = await f.call('GET', "data/CustomersV3(dataAreaId='ussu',CustomerAccount='SU-001')?cross-company=true");
    expect(crossed.json.OrganizationName).toBe('Forest Wholesales');
  });

  test('incomplete keys, unknown key fields and unknown companies are F&O errors', async () => {
    const partial = await f.call('GET', "data/CustomersV3(CustomerAccount='US-001')");
    expect(partial.status).toBe(400);
    expect(partial.json.error.innererror.message).toContain('dataAreaId');
    const unknown = await f.call('GET', "data/CustomersV3(dataAreaId='zzzz',CustomerAccount='US-001')");
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.innererror.message).toContain("company 'zzzz' does not exist");
    const missing = await f.call('GET', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='NOPE')");
    expect(missing.status).toBe(404);
  });
});

describe('query options and paging', () => {
  test('$filter with enums and * wildcards, $orderby, $top, $skip', async () => {
    const enumFilter = await f.call('GET', "data/CustomersV3?$filter=CreditLimitIsMandatory eq Microsoft.Dynamics.DataEntities.NoYes'Yes'&$select=CustomerAccount");
    expect(enumFilter.json.value.map((r: any) => r.CustomerAccount)).toEqual(['US-002', 'US-004']);
    const wildcard = await f.call('GET', "data/CustomersV3?$filter=OrganizationName eq '*wholesales*'&$select=OrganizationName");
    expect(wildcard.json.value.map((r: any) => r.OrganizationName)).toEqual(['Forest Wholesales', 'Sunset Wholesales', 'Owl Wholesales']);
    // Characters with a meaning in patterns (here '-' and '.') are matched literally.
    const literal = await f.call('GET', "data/CustomersV3?$filter=CustomerAccount eq 'US-00*' and CustomerAccount ne '*.*'&$select=CustomerAccount");
    expect(literal.json.value.map((r: any) => r.CustomerAccount)).toEqual(['US-001', 'US-002', 'US-003', 'US-004', 'US-005']);
    const ordered = await f.call('GET', 'data/CustomersV3?$orderby=CreditLimit desc&$top=2&$skip=1&$select=CustomerAccount,CreditLimit');
    expect(ordered.json.value).toEqual([
      expect.objectContaining({ CustomerAccount: 'US-001', CreditLimit: 100000 }),
      expect.objectContaining({ CustomerAccount: 'US-002', CreditLimit: 50000 }),
    ]);
  });

  test('in and has are refused; a nested $expand is refused; an unknown field is 400', async () => {
    const inOp = await f.call('GET', "data/CustomersV3?$filter=CustomerAccount in ('US-001','US-002')");
    expect(inOp.status).toBe(501);
    expect(inOp.json.error.innererror.message).toContain("'in' operator is not supported");
    const nested = await f.call('GET', 'data/SalesOrderHeadersV2?$expand=SalesOrderLines($expand=Product)');
    expect(nested.status).toBe(501);
    const unknown = await f.call('GET', "data/CustomersV3?$filter=Nope eq 'x'");
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.innererror.message).toContain("Could not find a property named 'Nope'");
  });

  test('$expand one level: order lines of a header, the header of a line', async () => {
    const res = await f.call('GET', "data/SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000002')?$expand=SalesOrderLines($select=ItemNumber,LineAmount)");
    expect(res.status).toBe(200);
    expect(res.json.SalesOrderLines.length).toBe(3);
    expect(Object.keys(res.json.SalesOrderLines[0]).sort()).toEqual(['@odata.etag', 'ItemNumber', 'LineAmount']);
    const line = await f.call('GET', "data/SalesOrderLines?$top=1&$expand=SalesOrderHeader($select=SalesOrderNumber)");
    expect(line.json.value[0].SalesOrderHeader.SalesOrderNumber).toBe(line.json.value[0].SalesOrderNumber);
    const nav = await f.call('GET', "data/SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000002')/SalesOrderLines");
    expect(nav.json.value.length).toBe(3);
  });

  test('server paging follows Prefer odata.maxpagesize with $skip next links until the end', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${f.fnoUrl}data/SalesOrderLines?cross-company=true&$select=dataAreaId,InventoryLotId&$count=true`;
    let pages = 0;
    let total = 0;
    while (url) {
      const res = await f.call('GET', url, { headers: { prefer: 'odata.maxpagesize=4' } });
      expect(res.status).toBe(200);
      if (pages === 0) {
        total = res.json['@odata.count'];
        expect(res.headers['preference-applied']).toBe('odata.maxpagesize=4');
      }
      expect(res.json.value.length).toBeLessThanOrEqual(4);
      seen.push(...res.json.value.map((r: any) => `${r.dataAreaId}/${r.InventoryLotId}`));
      url = res.json['@odata.nextLink'];
      if (url) expect(url.startsWith(`${f.fnoUrl}data/SalesOrderLines?`)).toBe(true);
      if (url) expect(new URL(url).searchParams.get('$skip')).toBe(String(seen.length));
      pages++;
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 4));
  });

  test('$count as a path segment', async () => {
    const res = await f.call('GET', 'data/VendorsV2/$count');
    expect(res.status).toBe(200);
    expect(res.text).toBe('4');
  });
});

describe('writes, ETags and validation', () => {
  test('POST without dataAreaId creates in the default company; PATCH with If-Match; a stale ETag is 412', async () => {
    const created = await f.call('POST', 'data/CustomersV3', {
      body: { CustomerAccount: 'US-900', OrganizationName: 'Adatum Corporation', CustomerGroupId: '10', SalesCurrencyCode: 'USD', CreditLimitIsMandatory: 'Yes' },
    });
    expect(created.status).toBe(201);
    expect(created.json.dataAreaId).toBe('usmf');
    expect(created.json.OnHoldStatus).toBe('No');
    expect(created.json.AddressCity).toBe('');
    expect(created.headers.location).toBe(`${f.fnoUrl}data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-900')`);
    const url = "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-900')";
    const etag = created.json['@odata.etag'];
    const patched = await f.call('PATCH', url, { headers: { 'if-match': etag }, body: { CreditLimit: 5000 } });
    expect(patched.status).toBe(204);
    expect(patched.headers.etag).not.toBe(etag);
    const stale = await f.call('PATCH', url, { headers: { 'if-match': etag }, body: { CreditLimit: 6000 } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.innererror.message).toContain('modified by another user');
    const read = await f.call('GET', url);
    expect(read.json.CreditLimit).toBe(5000);
    const deleted = await f.call('DELETE', url, { headers: { 'if-match': read.json['@odata.etag'] } });
    expect(deleted.status).toBe(204);
    expect((await f.call('GET', url)).status).toBe(404);
  });

  test('a create in another company names it; a duplicate key, a bad enum, a long value and a missing group fail', async () => {
    const other = await f.call('POST', 'data/VendorsV2', {
      headers: { prefer: 'return=minimal' },
      body: { dataAreaId: 'DEMF', VendorAccountNumber: 'DE-900', VendorOrganizationName: 'Lieferant GmbH', VendorGroupId: '10', CurrencyCode: 'EUR' },
    });
    expect(other.status).toBe(204);
    expect(other.headers['odata-entityid']).toBe(`${f.fnoUrl}data/VendorsV2(dataAreaId='demf',VendorAccountNumber='DE-900')`);
    const duplicate = await f.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'US-001', CustomerGroupId: '10', SalesCurrencyCode: 'USD' } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json.error.message).toBe('An error has occurred.');
    expect(duplicate.json.error.innererror).toMatchObject({ type: expect.stringContaining('AxODataWriteException'), message: expect.stringContaining('already exists') });
    const badEnum = await f.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'US-901', CustomerGroupId: '10', SalesCurrencyCode: 'USD', OnHoldStatus: 'Maybe' } });
    expect(badEnum.status).toBe(400);
    expect(badEnum.json.error.innererror.message).toContain('CustVendorBlocked');
    const long = await f.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'X'.repeat(21), CustomerGroupId: '10', SalesCurrencyCode: 'USD' } });
    expect(long.status).toBe(400);
    expect(long.json.error.innererror.message).toContain('maximum is 20');
    const noGroup = await f.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'US-902', CustomerGroupId: '99', SalesCurrencyCode: 'USD' } });
    expect(noGroup.status).toBe(400);
    expect(noGroup.json.error.innererror.message).toContain("'99' in field 'CustomerGroupId' is not found");
    const unknownField = await f.call('POST', 'data/CustomersV3', { body: { CustomerAccount: 'US-903', Name: 'x' } });
    expect(unknownField.json.error.innererror.message).toContain("The property 'Name' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'");
    const badCompany = await f.call('POST', 'data/CustomersV3', { body: { dataAreaId: 'zzzz', CustomerAccount: 'US-904', CustomerGroupId: '10', SalesCurrencyCode: 'USD' } });
    expect(badCompany.status).toBe(400);
    expect(badCompany.json.error.innererror.message).toContain("company 'zzzz' does not exist");
  });

  test('a sales order takes its number from the number sequence; its lines go with it on delete', async () => {
    const header = await f.call('POST', 'data/SalesOrderHeadersV2', { body: { OrderingCustomerAccountNumber: 'US-003', CurrencyCode: 'USD' } });
    expect(header.status).toBe(201);
    const number = header.json.SalesOrderNumber;
    expect(number).toMatch(/^\d{6}$/);
    expect(header.json.SalesOrderStatus).toBe('None');
    const line = await f.call('POST', 'data/SalesOrderLines', { body: { SalesOrderNumber: number, ItemNumber: 'D0001', OrderedSalesQuantity: 2, SalesPrice: 10, LineAmount: 20 } });
    expect(line.status).toBe(201);
    expect(line.json.InventoryLotId).toMatch(/^USL\d{6}$/);
    const orphan = await f.call('POST', 'data/SalesOrderLines', { body: { SalesOrderNumber: 'NOPE', ItemNumber: 'D0001' } });
    expect(orphan.status).toBe(400);
    const deleted = await f.call('DELETE', `data/SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${number}')`);
    expect(deleted.status).toBe(204);
    const lines = await f.call('GET', `data/SalesOrderLines?$filter=SalesOrderNumber eq '${number}'`);
    expect(lines.json.value).toEqual([]);
  });

  test('a key field cannot change; a customer with orders cannot be deleted', async () => {
    const change = await f.call('PATCH', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')", { body: { CustomerAccount: 'US-777' } });
    expect(change.status).toBe(400);
    const del = await f.call('DELETE', "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')");
    expect(del.status).toBe(400);
    expect(del.json.error.innererror.message).toContain('SalesOrderHeadersV2');
  });
});

describe('entity actions', () => {
  const order = "data/SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')";

  test('CalculateTotalAmount returns an Edm.Decimal value', async () => {
    const lines = await f.call('GET', `${order}/SalesOrderLines`);
    const expected = lines.json.value.reduce((s: number, l: any) => s + l.LineAmount, 0);
    const res = await f.call('POST', `${order}/Microsoft.Dynamics.DataEntities.CalculateTotalAmount`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ '@odata.context': `${f.fnoUrl}data/$metadata#Edm.Decimal`, value: Math.round(expected * 100) / 100 });
  });

  test('CancelSalesOrder changes the header and its lines; an invoiced order refuses', async () => {
    const res = await f.call('POST', `${order}/Microsoft.Dynamics.DataEntities.CancelSalesOrder`, { body: { Reason: 'Customer request' } });
    expect(res.status).toBe(200);
    expect(res.json.value).toBe('Sales order 000001 was canceled.');
    expect((await f.call('GET', order)).json.SalesOrderStatus).toBe('Canceled');
    const lines = await f.call('GET', `${order}/SalesOrderLines`);
    expect(lines.json.value.every((l: any) => l.SalesOrderLineStatus === 'Canceled')).toBe(true);
    const invoiced = await f.call('POST', "data/SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000004')/Microsoft.Dynamics.DataEntities.CancelSalesOrder", { body: {} });
    expect(invoiced.status).toBe(400);
    expect(invoiced.json.error.innererror.message).toContain('Invoiced');
  });

  test('unknown parameters, bad enum values, GET and unknown actions are refused', async () => {
    const customer = "data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-005')";
    const ok = await f.call('POST', `${customer}/Microsoft.Dynamics.DataEntities.SetOnHoldStatus`, { body: { OnHoldStatus: 'All' } });
    expect(ok.json.value).toBe(true);
    expect((await f.call('GET', customer)).json.OnHoldStatus).toBe('All');
    const badParam = await f.call('POST', `${customer}/Microsoft.Dynamics.DataEntities.SetOnHoldStatus`, { body: { Status: 'All' } });
    expect(badParam.status).toBe(400);
    const missing = await f.call('POST', `${customer}/Microsoft.Dynamics.DataEntities.SetOnHoldStatus`, { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.error.innererror.message).toContain("'OnHoldStatus'");
    const badEnum = await f.call('POST', `${customer}/Microsoft.Dynamics.DataEntities.SetOnHoldStatus`, { body: { OnHoldStatus: 'Sometimes' } });
    expect(badEnum.status).toBe(400);
    const get = await f.call('GET', `${customer}/Microsoft.Dynamics.DataEntities.SetOnHoldStatus`);
    expect(get.status).toBe(405);
    const unknown = await f.call('POST', `${customer}/Microsoft.Dynamics.DataEntities.Explode`, { body: {} });
    expect(unknown.status).toBe(404);
  });

  test('the collection-bound business events catalog action filters by category', async () => {
    const res = await f.call('POST', 'data/BusinessEventsCatalogs/Microsoft.Dynamics.DataEntities.getBusinessEventsCatalog', { body: { _businessEventsCategory: 'Sales order' } });
    expect(res.status).toBe(200);
    expect(res.json.value.map((e: any) => e.BusinessEventId)).toEqual(['SalesOrderConfirmedBusinessEvent']);
  });
});
