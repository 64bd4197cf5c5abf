/**
 * Bound OData actions: parameters checked against the model, then the built-in behaviour of the entity actions the
 * F&O model declares. Declared actions without a behaviour here (Data Management, owned by extensions) answer 501.
 */
import type { CsdlModel, Operation } from '../../client/metadata/model';
import type { EmulatorResponse } from '../http/types';
import type { FnoEntitySetInfo, FnoKey, FnoRecord, FnoService } from './context';
import { FnoError } from './context';
import { badRequest, ODATA_EXCEPTION } from './errors';
import { json } from './serialize';

type ActionImpl = (service: FnoService, target: { info: FnoEntitySetInfo; key?: FnoKey; record?: FnoRecord }, params: Record<string, unknown>) => unknown;

const NS = 'Microsoft.Dynamics.DataEntities';

function lines(service: FnoService, record: FnoRecord) {
  return service.store.list('SalesOrderLines', { crossCompany: true }).filter(
    (l) => l.row.dataAreaId === record.row.dataAreaId && String(l.row.SalesOrderNumber).toLowerCase() === String(record.row.SalesOrderNumber).toLowerCase(),
  );
}

const ACTIONS: Record<string, ActionImpl> = {
  'SalesOrderHeaderV2.CalculateTotalAmount': (service, { record }) =>
    Math.round(lines(service, record!).reduce((sum, l) => sum + Number(l.row.LineAmount), 0) * 100) / 100,

  'SalesOrderHeaderV2.CancelSalesOrder': (service, { key, record }) => {
    const status = String(record!.row.SalesOrderStatus);
    if (status === 'Invoiced' || status === 'Delivered') {
      throw new FnoError(400, `Sales order ${String(record!.row.SalesOrderNumber)} cannot be canceled because its status is ${status}.`);
    }
    for (const line of lines(service, record!)) {
      service.store.update('SalesOrderLines', { dataAreaId: String(line.row.dataAreaId), InventoryLotId: String(line.row.InventoryLotId) }, { SalesOrderLineStatus: 'Canceled' });
    }
    service.store.update('SalesOrderHeadersV2', key!, { SalesOrderStatus: 'Canceled' });
    return `Sales order ${String(record!.row.SalesOrderNumber)} was canceled.`;
  },

  'CustomerV3.SetOnHoldStatus': (service, { key }, params) => {
    service.store.update('CustomersV3', key!, { OnHoldStatus: params.OnHoldStatus });
    return true;
  },

  'PurchaseOrderHeaderV2.ConfirmPurchaseOrder': (service, { key, record }) => {
    const state = String(record!.row.DocumentApprovalStatus);
    if (state !== 'Approved') {
      throw new FnoError(400, `Purchase order ${String(record!.row.PurchaseOrderNumber)} must be approved before it is confirmed; its approval status is ${state}.`);
    }
    service.store.update('PurchaseOrderHeadersV2', key!, { DocumentApprovalStatus: 'Confirmed', ConfirmedDeliveryDate: record!.row.RequestedDeliveryDate });
    return `Purchase order ${String(record!.row.PurchaseOrderNumber)} was confirmed.`;
  },

  'BusinessEventsCatalog.getBusinessEventsCatalog': (service, _target, params) => {
    const category = String(params._businessEventsCategory ?? '');
    return service.store
      .list('BusinessEventsCatalogs')
      .filter((r) => category === '' || String(r.row.Category).toLowerCase() === category.toLowerCase())
      .map((r) => r.row);
  },
};

export function findBoundAction(model: CsdlModel, entityType: string, name: string, collection: boolean): Operation | undefined {
  return model.actions.find((a) => {
    const binding = a.parameters[0];
    return a.bound && a.name === name && binding?.type === entityType && binding.collection === collection;
  });
}

/** Checks the JSON body against the declared parameters (the binding parameter excluded). */
function readParameters(model: CsdlModel, action: Operation, body: Buffer): Record<string, unknown> {
  let parsed: unknown = {};
  if (body.length) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The parameters of an action must be a JSON object.');
  const declared = action.parameters.slice(1);
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const p = declared.find((d) => d.name === name);
    if (!p) throw badRequest(`The parameter '${name}' in the request payload is not a valid parameter for the operation '${action.name}'.`);
    const enumType = model.enumTypes.get(p.type);
    if (enumType) {
      const member = enumType.members.find((m) => m.name === value || m.value === value);
      if (!member) throw badRequest(`The value '${String(value)}' of parameter '${name}' is not a member of '${p.type}'.`);
      params[name] = member.name;
      continue;
    }
    const expected = p.type === 'Edm.Boolean' ? 'boolean' : /Edm\.(Int|Decimal|Double|Single|Byte)/.test(p.type) ? 'number' : 'string';
    if (value !== null && typeof value !== expected) {
      throw badRequest(`Cannot convert the value of parameter '${name}' to the expected type '${p.type}'.`);
    }
    params[name] = value;
  }
  for (const p of declared) {
    if (!(p.name in params) && !p.nullable) throw badRequest(`The parameter '${p.name}' of the operation '${action.name}' is missing.`);
  }
  return params;
}

export function invokeAction(
  service: FnoService,
  action: Operation,
  target: { info: FnoEntitySetInfo; key?: FnoKey; record?: FnoRecord },
  body: Buffer,
): EmulatorResponse {
  const params = readParameters(service.model, action, body);
  const typeName = target.info.entityType.slice(NS.length + 1);
  const impl = ACTIONS[`${typeName}.${action.name}`];
  if (!impl) {
    throw new FnoError(501, `The action '${action.name}' is declared by the model but has no behaviour in this emulator.`, ODATA_EXCEPTION);
  }
  const value = impl(service, target, params);
  const returns = action.returnType;
  if (!returns) return { status: 204, headers: { 'odata-version': '4.0' } };
  const context = returns.collection
    ? `${service.origin}/data/$metadata#Collection(${returns.type})`
    : `${service.origin}/data/$metadata#${returns.type}`;
  return json(200, { '@odata.context': context, value });
}
