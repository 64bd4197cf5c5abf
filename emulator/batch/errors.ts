/** A $batch request the emulator refuses before running any part; the whole batch answers with this status. */
export class BatchFormatError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    /** Dataverse-style hex error code for the `{"error":{code,message}}` body. */
    readonly code = '0x0',
  ) {
    super(message);
    this.name = 'BatchFormatError';
  }
}

/** Code Dataverse answers for payload errors, including bodies without CRLF line endings. */
export const PAYLOAD_ERROR_CODE = '0x80048d19';

/** Dataverse's answer to an LF-only (or otherwise non-CRLF) batch body. */
export function lineEndingError(): BatchFormatError {
  return new BatchFormatError(
    "Error identified in Payload provided by the user for Entity :''  ---->  InnerException : System.ArgumentException: Stream was not readable.",
    PAYLOAD_ERROR_CODE,
  );
}
