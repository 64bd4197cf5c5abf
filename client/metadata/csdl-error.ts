export class CsdlError extends Error {
  constructor(
    message: string,
    /** Where in the document, when the error is about one element. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined && !/\(line \d+, column \d+\)$/.test(message) ? `${message} (line ${line}, column ${column})` : message);
    this.name = 'CsdlError';
  }
}
