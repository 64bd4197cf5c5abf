/**
 * A custom service of the kind F&O projects write in X++ (a service group with a data-contract response), working
 * on the emulator's own customers and sales orders.
 */
import type { FnoService } from '../context';
import { ServiceFault, type ServiceGroup } from './types';

function customerOf(service: FnoService, company: unknown, account: unknown) {
  if (typeof company !== 'string' || typeof account !== 'string' || !company || !account) {
    throw new ServiceFault("Both '_dataAreaId' and '_customerAccount' must be non-empty strings.", 400, 'XppServicesDeserializationException');
  }
  const dataAreaId = service.resolveCompany(company);
  const customer = service.store.get('CustomersV3', { dataAreaId, CustomerAccount: account });
  if (!customer) throw new ServiceFault(`Customer ${account} does not exist in company ${dataAreaId}.`);
  return { dataAreaId, customer: customer.row };
}

function openOrders(service: FnoService, dataAreaId: string, account: string) {
  return service.store
    .list('SalesOrderHeadersV2', { company: dataAreaId })
    .filter((o) => String(o.row.OrderingCustomerAccountNumber).toLowerCase() === account.toLowerCase() && o.row.SalesOrderStatus === 'Backorder')
    .map((o) => o.row);
}

function orderAmount(service: FnoService, dataAreaId: string, orderNumber: unknown): number {
  return service.store
    .list('SalesOrderLines', { company: dataAreaId })
    .filter((l) => l.row.SalesOrderNumber === orderNumber)
    .reduce((sum, l) => sum + Number(l.row.LineAmount), 0);
}

export const customerCreditService: ServiceGroup = {
  name: 'ContosoIntegrationServices',
  services: [
    {
      name: 'CustomerCreditService',
      operations: [
        {
          name: 'GetCreditInfo',
          parameters: [{ Name: '_dataAreaId', Type: 'str' }, { Name: '_customerAccount', Type: 'str' }],
          returns: 'ContosoCustomerCreditContract',
          run: (service, args) => {
            const { dataAreaId, customer } = customerOf(service, args._dataAreaId, args._customerAccount);
            const open = openOrders(service, dataAreaId, String(customer.CustomerAccount));
            const openAmount = Math.round(open.reduce((sum, o) => sum + orderAmount(service, dataAreaId, o.SalesOrderNumber), 0) * 100) / 100;
            const limit = Number(customer.CreditLimit);
            return {
              CustomerAccount: customer.CustomerAccount,
              Company: dataAreaId,
              CurrencyCode: customer.SalesCurrencyCode,
              CreditLimit: limit,
              OpenOrderAmount: openAmount,
              AvailableCredit: limit === 0 ? 0 : Math.round((limit - openAmount) * 100) / 100,
              OnHold: customer.OnHoldStatus !== 'No',
            };
          },
        },
        {
          name: 'GetOpenSalesOrders',
          parameters: [{ Name: '_dataAreaId', Type: 'str' }, { Name: '_customerAccount', Type: 'str' }],
          returns: 'str[]',
          run: (service, args) => {
            const { dataAreaId, customer } = customerOf(service, args._dataAreaId, args._customerAccount);
            return openOrders(service, dataAreaId, String(customer.CustomerAccount)).map((o) => o.SalesOrderNumber);
          },
        },
      ],
    },
  ],
};
