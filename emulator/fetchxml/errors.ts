/**
 * A FetchXML query the emulator refuses. Codes follow Dataverse where known; `0x80040203` (InvalidArgument) is the
 * emulator's choice for malformed queries whose exact live code is not documented (inference).
 */
export class FetchXmlError extends Error {
  readonly status = 400;
  constructor(
    message: string,
    readonly code = INVALID_ARGUMENT,
  ) {
    super(message);
    this.name = 'FetchXmlError';
  }
}

export const INVALID_ARGUMENT = '0x80040203';
/** QueryBuilderNoEntity (inference: the number as the SDK error list gives it). */
export const UNKNOWN_ENTITY = '0x80041102';
/** AggregateQueryRecordLimit: aggregates run over at most 50,000 rows. */
export const AGGREGATE_LIMIT = '0x8004e023';
