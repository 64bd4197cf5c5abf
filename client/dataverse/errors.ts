/**
 * Errors raised by client/dataverse itself. Service failures already arrive as D365Error from the pipeline (or
 * from DataverseContext); these cover bad arguments and the messages that need the table and key to be useful.
 */
import { D365Error } from '../http/errors';

export const OBJECT_DOES_NOT_EXIST = '0x80040217';

export function invalidArgument(message: string, cause?: unknown): D365Error {
  return new D365Error(message, { code: 'InvalidArgument', retryable: false, ...(cause !== undefined ? { cause } : {}) });
}

/** The service answered 2xx with something this client cannot read; retrying the same request will not help. */
export function invalidResponse(message: string, status?: number): D365Error {
  return new D365Error(message, { code: 'InvalidResponse', retryable: false, ...(status !== undefined ? { status } : {}) });
}

/**
 * A 404 on a row says "Entity 'account' With Id = … Does Not Exist" at best; with an alternate key, a bare key or
 * an unknown table the user cannot tell what to fix, so the table and the key are put first.
 */
export function rowNotFound(error: D365Error, operation: string, set: string, keyText: string, related?: string): D365Error {
  const detail = error.message.replace(/^[^:]*:\s*/, '');
  const what = related
    ? `the row with key ${keyText} in table '${set}' or the related row ${related} does not exist`
    : `no row in table '${set}' has the key ${keyText}`;
  return new D365Error(
    `${operation}: ${what}. Check the id or alternate key value, or that the row was not deleted. (${detail})`,
    {
      status: 404,
      code: error.code || OBJECT_DOES_NOT_EXIST,
      requestId: error.requestId,
      retryable: false,
      operation: error.operation ?? operation,
      cause: error,
    },
  );
}

export function isNotFound(error: unknown): error is D365Error {
  return error instanceof D365Error && error.status === 404;
}
