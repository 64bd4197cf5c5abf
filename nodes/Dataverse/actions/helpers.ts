/** Reading the node's parameters the same way in every operation. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { toFriendlyRow } from '../../../client/dataverse/annotations';
import type { TableInfo } from '../../../client/metadata/entity-definitions';
import { InputError } from '../helpers/errors';
import { isGuid, resolveTable } from '../helpers/metadata';
import type { Connection } from '../transport/connection';
import { itemParameter } from '../../shared/parameters';

export async function tableParameter(ctx: IExecuteFunctions, conn: Connection, i: number, name = 'table'): Promise<TableInfo> {
  const value = itemParameter<unknown>(ctx, name, i, '', { extractValue: true });
  if (typeof value !== 'string' || !value.trim()) {
    throw new InputError('The Table is empty: pick a table or check the expression that gives it.', 'EmptyTable');
  }
  return resolveTable(conn, value);
}

export function rowIdParameter(ctx: IExecuteFunctions, i: number, name = 'rowId'): string {
  const value = ctx.getNodeParameter(name, i, '', { extractValue: true });
  const id = typeof value === 'string' ? value.trim() : '';
  if (!id) throw new InputError('The Row ID is empty: pick a row or check the expression that gives it.', 'EmptyRowId');
  if (!isGuid(id)) throw new InputError(`The Row ID '${id}' is not a GUID.`, 'InvalidRowId');
  return id;
}

export function callHeaders(options: IDataObject): Record<string, string> {
  const headers: Record<string, string> = {};
  const caller = typeof options.callerObjectId === 'string' ? options.callerObjectId.trim() : '';
  if (caller) {
    if (!isGuid(caller)) throw new InputError(`The user to impersonate '${caller}' is not an Entra object ID (GUID).`, 'InvalidCallerObjectId');
    headers.CallerObjectId = caller;
  }
  if (options.bypassCustomPluginExecution === true) headers['MSCRM.BypassCustomPluginExecution'] = 'true';
  if (options.suppressDuplicateDetection === true) headers['MSCRM.SuppressDuplicateDetection'] = 'true';
  return headers;
}

export function outputRow(row: Record<string, unknown>, friendly: boolean): IDataObject {
  return (friendly ? toFriendlyRow(row) : row) as unknown as IDataObject;
}

/** Mapped column values from the resource mapper (defined below, or the whole input item when auto-mapping). */
export function mappedValues(ctx: IExecuteFunctions, i: number): Record<string, unknown> {
  const mode = itemParameter<string>(ctx, 'columns.mappingMode', i, 'defineBelow');
  if (mode === 'autoMapInputData') return { ...ctx.getInputData()[i].json };
  const value = ctx.getNodeParameter('columns.value', i, {}) as Record<string, unknown> | null;
  return { ...(value ?? {}) };
}
