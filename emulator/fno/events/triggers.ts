/**
 * Which row changes raise which catalog events: a document reaching a state raises the event of that state
 * (a purchase order's approval becoming Confirmed, a sales order's status becoming Invoiced), with the contract
 * fields the event carries. Events without a trigger here are raised only by raise().
 */
import type { FnoChange, FnoRow } from '../context';

export interface EventTrigger {
  businessEventId: string;
  entitySet: string;
  /** True when this change is the transition the event reports. */
  matches(change: FnoChange): boolean;
  /** The event's own contract fields. */
  contract(row: FnoRow): Record<string, unknown>;
}

const becomes = (field: string, value: string) => (change: FnoChange) =>
  change.op !== 'delete' && change.row[field] === value && (change.op === 'insert' || change.previous?.[field] !== value);

const pick = (row: FnoRow, fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([name, source]) => [name, row[source] ?? '']));

export const EVENT_TRIGGERS: EventTrigger[] = [
  {
    businessEventId: 'PurchaseOrderConfirmedBusinessEvent',
    entitySet: 'PurchaseOrderHeadersV2',
    matches: becomes('DocumentApprovalStatus', 'Confirmed'),
    contract: (row) => pick(row, { PurchaseOrderNumber: 'PurchaseOrderNumber', VendorAccount: 'OrderVendorAccountNumber', CurrencyCode: 'CurrencyCode', ConfirmedDeliveryDate: 'ConfirmedDeliveryDate' }),
  },
  {
    businessEventId: 'SalesOrderInvoicedBusinessEvent',
    entitySet: 'SalesOrderHeadersV2',
    matches: becomes('SalesOrderStatus', 'Invoiced'),
    contract: (row) => pick(row, { SalesOrderNumber: 'SalesOrderNumber', CustomerAccount: 'OrderingCustomerAccountNumber', InvoiceAccount: 'InvoiceCustomerAccountNumber', CurrencyCode: 'CurrencyCode' }),
  },
];
