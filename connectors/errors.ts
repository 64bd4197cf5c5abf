/** A generation that cannot produce valid output: the message says what and what to do (e.g. use --split). */
export class GeneratorError extends Error {
  constructor(
    message: string,
    readonly code: 'TooLarge' | 'NoTables' | 'UnknownTable' | 'InvalidOption' | 'InvalidInput',
  ) {
    super(message);
    this.name = 'GeneratorError';
  }
}
