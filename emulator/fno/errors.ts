/**
 * F&O error bodies: the ASP.NET Web API OData envelope with an empty `code`, the summary in `message` and the
 * detail (the infolog for writes) in `innererror`, the shape F&O clients read.
 */
import type { EmulatorResponse } from '../http/types';
import { FnoError } from './context';

export const WRITE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';
export const DELETE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataDeleteException';
export const GENERIC_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataException';
export const ODATA_EXCEPTION = 'Microsoft.OData.ODataException';

/** The outer message F&O uses for failures whose detail is in `innererror`. */
const SUMMARY = 'An error has occurred.';

/** `summary` replaces the generic outer message (throttling answers carry their reason there too). */
export function fnoErrorBody(message: string, innerType = GENERIC_EXCEPTION, summary = SUMMARY): string {
  return JSON.stringify({ error: { code: '', message: summary, innererror: { message, type: innerType, stacktrace: '' } } });
}

export function fnoErrorResponse(
  status: number,
  message: string,
  innerType = GENERIC_EXCEPTION,
  headers: Record<string, string> = {},
  summary = SUMMARY,
): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8', 'odata-version': '4.0', ...headers },
    body: fnoErrorBody(message, innerType, summary),
  };
}

export function errorToResponse(e: FnoError): EmulatorResponse {
  return fnoErrorResponse(e.status, e.message, e.innerType, e.headers);
}

export const badRequest = (message: string, innerType = ODATA_EXCEPTION): FnoError => new FnoError(400, message, innerType);
export const notFound = (message: string): FnoError => new FnoError(404, message, GENERIC_EXCEPTION);
