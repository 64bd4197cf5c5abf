/** Dataverse error bodies: `{"error":{"code":"0x…","message":"…"}}`, codes as the service returns them. */
import type { EmulatorResponse } from '../http/types';

export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DataverseError';
  }
}

export function errorResponse(err: DataverseError): EmulatorResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0', ...err.headers },
    body: JSON.stringify({ error: { code: err.code, message: err.message } }),
  };
}

export const badRequest = (message: string, code = '0x0') => new DataverseError(400, code, message);

export const rowNotFound = (table: string, id: string) =>
  new DataverseError(404, '0x80040217', `Entity '${table}' With Id = ${id} Does Not Exist`);

export const unknownSegment = (segment: string) =>
  new DataverseError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`);

export const unknownProperty = (property: string, table: string) =>
  new DataverseError(400, '0x0', `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${table}'.`);

export const versionMismatch = () =>
  new DataverseError(412, '0x80060882', "The version of the existing record doesn't match the RowVersion property provided.");

export const duplicateRecord = () =>
  new DataverseError(412, '0x80040237', 'A record with matching key values already exists.');

export const duplicateKey = () => new DataverseError(412, '0x80040237', 'Cannot insert duplicate key.');

export const invalidKey = (table: string) =>
  new DataverseError(
    400,
    '0x80060888',
    `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${table}'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.${table}'.`,
  );

export const methodNotAllowed = (method: string, path: string) =>
  new DataverseError(405, '0x80060888', `The requested resource does not support http method '${method}' on '${path}'.`);
