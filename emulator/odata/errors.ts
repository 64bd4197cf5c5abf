/**
 * Error types of the emulator's OData layer. Messages mirror the wording of Microsoft.OData.Core (what Dataverse
 * returns in `error.message`) so that clients see the same text against the emulator as against a real org.
 */

export class ODataError extends Error {
  constructor(
    message: string,
    /** 0-based offset in `text` where the problem was detected, when known. */
    readonly position?: number,
    /** The option value (or alias value) being parsed, when known. */
    readonly text?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The query option text is not valid OData (maps to HTTP 400). */
export class ODataSyntaxError extends ODataError {
  declare readonly position: number;
  constructor(message: string, position: number, text: string) {
    super(message, position, text);
  }
}

/** Valid OData that the emulator deliberately does not implement (maps to HTTP 501 or 400, caller's choice). */
export class ODataNotSupportedError extends ODataError {}

/** A well-formed expression that cannot be evaluated, e.g. incompatible operand types (maps to HTTP 400). */
export class ODataEvaluationError extends ODataError {}

export function syntaxError(text: string, position: number): ODataSyntaxError {
  return new ODataSyntaxError(`Syntax error at position ${position} in '${text}'.`, position, text);
}

export function expressionExpected(text: string, position: number): ODataSyntaxError {
  return new ODataSyntaxError(`Expression expected at position ${position} in '${text}'.`, position, text);
}

export function unterminatedLiteral(text: string): ODataSyntaxError {
  // ODL reports the offset where scanning ran out of input, i.e. the text length.
  return new ODataSyntaxError(
    `There is an unterminated literal at position ${text.length} in '${text}'.`,
    text.length,
    text,
  );
}

export function unknownFunction(name: string, text: string, position: number): ODataSyntaxError {
  return new ODataSyntaxError(
    `An unknown function with name '${name}' was found. ` +
      'This may also be a function import or a key lookup on a navigation property, which is not allowed.',
    position,
    text,
  );
}

export function notSupported(feature: string): ODataNotSupportedError {
  return new ODataNotSupportedError(`${feature} is not supported by the emulator.`);
}
