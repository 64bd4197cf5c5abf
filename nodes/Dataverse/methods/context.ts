import type { ILoadOptionsFunctions } from 'n8n-workflow';
import type { TableInfo } from '../../../client/metadata/entity-definitions';
import { pickerAuthentication } from '../../shared/authentication';
import { resolveTable } from '../helpers/metadata';
import { withConnection as withContextConnection, type Connection } from '../transport/connection';

/** Runs a picker with this call's connection, freed afterwards; failures become n8n errors. */
export function withConnection<T>(ctx: ILoadOptionsFunctions, work: (conn: Connection) => Promise<T>): Promise<T> {
  return withContextConnection(ctx, pickerAuthentication(ctx), work);
}

export async function currentTable(ctx: ILoadOptionsFunctions, conn: Connection): Promise<TableInfo> {
  const value = ctx.getCurrentNodeParameter('table', { extractValue: true });
  return resolveTable(conn, typeof value === 'string' ? value : '');
}
