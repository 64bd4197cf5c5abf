import type { ILoadOptionsFunctions } from 'n8n-workflow';
import { toNodeError } from '../helpers/errors';
import { getConnection, releaseConnection, type AuthenticationKind, type Connection } from '../transport/connection';

/** Runs a picker with this call's connection, freed afterwards; failures become n8n errors. */
export async function withConnection<T>(ctx: ILoadOptionsFunctions, work: (conn: Connection) => Promise<T>): Promise<T> {
  const authentication = (ctx.getCurrentNodeParameter('authentication') as AuthenticationKind | undefined) ?? 'appRegistration';
  try {
    return await work(await getConnection(ctx, authentication));
  } catch (error) {
    throw toNodeError(ctx.getNode(), error, 0);
  } finally {
    await releaseConnection(ctx);
  }
}

export function currentText(ctx: ILoadOptionsFunctions, name: string): string {
  const value = ctx.getCurrentNodeParameter(name, { extractValue: true });
  return typeof value === 'string' ? value.trim() : '';
}
