/**
 * Exit codes of d365-connectors, which scripts can rely on (also listed in --help):
 *   0 success; 1 validation found errors or generation refused (too large, unknown table…); 2 usage error;
 *   3 input error (metadata missing, not XML, not CSDL, truncated, hostile, over the size limit, network or auth),
 *     or the output folder cannot be written.
 */
export const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2, INPUT: 3 });

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one message line and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.USAGE);
export const inputError = (message: string) => new CliError(message, EXIT.INPUT);

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  validation found errors, or generation refused (too large without --split, unknown table…)
  2  usage error (unknown command or flag, missing or bad value)
  3  input error (metadata missing or unreadable, not XML, not CSDL, truncated, DOCTYPE/entities, over the
     size limit, network or authentication failure), or the output folder cannot be written`;
