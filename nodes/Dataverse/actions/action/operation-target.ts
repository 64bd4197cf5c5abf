/** Which declared action or function the node's parameters name, asked of client/ (the node never reads CSDL). */
import type { CsdlModel } from '../../../../client/metadata/model';
import { findOperation, type CallableOperation } from '../../../../client/metadata/service-operations';
import { InputError } from '../../helpers/errors';
import { isGuid, resolveTable } from '../../helpers/metadata';
import type { Connection } from '../../transport/connection';

export interface OperationTarget {
  model: CsdlModel;
  callable: CallableOperation;
  /** Entity set and row id the call is bound to (bound operations only). */
  entitySet?: string;
  rowId?: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The operation `name`, bound to `table` (entity set or logical name) and `rowId` when they are given. */
export async function resolveOperationTarget(conn: Connection, name: unknown, table: unknown, rowId: unknown): Promise<OperationTarget> {
  const operationName = text(name);
  if (!operationName) throw new InputError('The Action or Function is empty: pick one or check the expression that gives it.', 'EmptyOperation');
  const tableName = text(table);
  const row = text(rowId);
  if (row && !isGuid(row)) throw new InputError(`The Row ID '${row}' is not a GUID.`, 'InvalidRowId');
  if (row && !tableName) throw new InputError('A Row ID is given without a Table: a bound operation needs both.', 'EmptyTable');
  const entitySet = tableName ? (await resolveTable(conn, tableName)).entitySetName : undefined;
  const model = await conn.dv.serviceMetadata();
  const callable = findOperation(model, operationName, { entitySet, row: row !== '' });
  return { model, callable, entitySet, rowId: row || undefined };
}
