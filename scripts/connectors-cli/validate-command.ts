/**
 * d365-connectors validate <DIR>: every issue on its own line (`error <rule> <path>: <message>`, warnings the
 * same way unless --quiet) and a summary; exit code 1 when there is an error.
 */
import * as fs from 'node:fs';
import { validateConnectorFolder } from '../../connectors/validate';
import type { ValidateArgs } from './args';
import { EXIT, inputError, type ExitCode } from './exit-codes';
import type { CliIo } from './io';

import type { Issue } from '../../connectors/validate';

/** The location is `<file>#<JSON pointer>`; the file is the swagger unless the issue names another. */
export function issueLocation(issue: Issue): string {
  const file = issue.file ?? (issue.path ? 'apiDefinition.swagger.json' : '');
  return `${file}${issue.path ? `#${issue.path}` : ''}`;
}

export function formatIssue(level: 'error' | 'warning', issue: Issue): string {
  const where = issueLocation(issue);
  return `${level} ${issue.rule}${where ? ` ${where}` : ''}: ${issue.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function runValidate(args: ValidateArgs, io: CliIo): Promise<ExitCode> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(args.dir);
  } catch {
    throw inputError(`${args.dir}: no such folder`);
  }
  if (!stat.isDirectory()) throw inputError(`${args.dir}: not a folder (validate takes the connector folder)`);
  const { errors, warnings } = await validateConnectorFolder(args.dir);
  for (const issue of errors) io.stdout(`${formatIssue('error', issue)}\n`);
  if (!args.quiet) for (const issue of warnings) io.stdout(`${formatIssue('warning', issue)}\n`);
  io.stdout(`${args.dir}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}${errors.length === 0 ? ' — valid' : ''}\n`);
  return errors.length > 0 ? EXIT.FAILED : EXIT.OK;
}
