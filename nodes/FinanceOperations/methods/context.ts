import type { ILoadOptionsFunctions } from 'n8n-workflow';
import { pickerAuthentication } from '../../shared/authentication';
import { withConnection as withContextConnection, type Connection } from '../transport/connection';

/** Runs a picker with this call's connection, freed afterwards; failures become n8n errors. */
export function withConnection<T>(ctx: ILoadOptionsFunctions, work: (conn: Connection) => Promise<T>): Promise<T> {
  return withContextConnection(ctx, pickerAuthentication(ctx), work);
}

export function currentText(ctx: ILoadOptionsFunctions, name: string): string {
  const value = ctx.getCurrentNodeParameter(name, { extractValue: true });
  return typeof value === 'string' ? value.trim() : '';
}
