/**
 * Errors raised by client/fno itself. Service failures arrive as D365Error from the pipeline; these cover bad
 * arguments, answers the client cannot read, and the F&O failures that need rewording to be acted on (an unknown
 * company, a Data management job that ran out of time).
 */
import { D365Error } from '../http/errors';

export function invalidArgument(message: string, cause?: unknown): D365Error {
  return new D365Error(message, { code: 'InvalidArgument', retryable: false, ...(cause !== undefined ? { cause } : {}) });
}

export function invalidResponse(message: string, status?: number): D365Error {
  return new D365Error(message, { code: 'InvalidResponse', retryable: false, ...(status !== undefined ? { status } : {}) });
}

export function unknownCompany(company: string, known?: string[], cause?: D365Error): D365Error {
  const list = known && known.length ? ` Legal entities of this environment: ${known.join(', ')}.` : ' Use the dataAreaId of a legal entity (see /data/LegalEntities).';
  return new D365Error(`Unknown company '${company}': no legal entity of this Finance & Operations environment has that id.${list}`, {
    code: 'UnknownCompany',
    status: cause?.status ?? 400,
    requestId: cause?.requestId,
    operation: cause?.operation,
    retryable: false,
    ...(cause ? { cause } : {}),
  });
}

const COMPANY_MISSING = /company '([^']*)' does not exist/i;

/**
 * F&O names a company that is not a legal entity inside a generic 400; the client says it plainly and tags it
 * (code UnknownCompany) so callers can tell it from a bad key or filter.
 */
export function rewordServiceError(error: unknown): unknown {
  if (!(error instanceof D365Error) || error.code === 'UnknownCompany') return error;
  const match = COMPANY_MISSING.exec(error.message);
  return match ? unknownCompany(match[1], undefined, error) : error;
}
