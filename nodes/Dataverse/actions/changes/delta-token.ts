/**
 * The Delta Token field: empty (full sync), the whole deltaLink a previous run output, or only its `$deltatoken`
 * value. Either way only the token is handed to the client, which asks the chosen table for the changes with the
 * Columns of this run, so the field can be fed the previous run's output as-is and the columns can change.
 */
import type { TableInfo } from '../../../../client/metadata/entity-definitions';
import { D365Error } from '../../../../client/http/errors';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';

interface ParsedToken {
  /** The decoded `$deltatoken` value, e.g. `919042!08/22/2017 08:10:44`. */
  token: string;
  /** Present when a whole link was given: its origin must stay the environment's, its table the chosen one. */
  link?: URL;
}

const PLACEHOLDER_ROOT = 'https://delta-token.invalid/api/data/v9.2/';

function decodeBareToken(value: string): string {
  // Copied out of a link the value is still percent-encoded (`919042%2108%2f22…`); decode it once.
  if (!/%[0-9a-f]{2}/i.test(value)) return value;
  const decoded = attempt(() => decodeURIComponent(value));
  if (decoded === undefined) {
    throw new InputError(`The Delta Token '${value}' is not valid: it is garbled. Clear the Delta Token to start a new full sync.`, 'InvalidDeltaToken');
  }
  return decoded;
}

/** The result, or undefined when it throws (errors are raised by the caller, with a message about the field). */
function attempt<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

export function parseDeltaToken(input: unknown): ParsedToken | undefined {
  // `$deltatoken=…` pasted with its name is still the bare value.
  const value = (typeof input === 'string' ? input.trim() : '').replace(/^\??\$deltatoken=/i, '');
  if (!value) return undefined;
  const isAbsolute = /^https?:\/\//i.test(value);
  if (!isAbsolute && !value.includes('$deltatoken=')) return { token: decodeBareToken(value) };
  const link = attempt(() => new URL(value, PLACEHOLDER_ROOT));
  if (!link) {
    throw new InputError(`The Delta Token '${value}' is not a valid link. Use the nextDeltaToken a previous run output, or clear it to start a new full sync.`, 'InvalidDeltaToken');
  }
  const token = link.searchParams.get('$deltatoken')?.trim();
  if (!token) {
    throw new InputError(`The Delta Token link '${value}' has no $deltatoken. Use the nextDeltaToken a previous run output, or clear it to start a new full sync.`, 'InvalidDeltaToken');
  }
  return isAbsolute ? { token, link } : { token };
}

function tableOfLink(link: URL): string | undefined {
  return /\/api\/data\/v[0-9.]+\/([A-Za-z_][A-Za-z0-9_]*)\/?$/.exec(link.pathname)?.[1];
}

function hostCheckError(conn: Connection, link: string): unknown {
  try {
    conn.dv.context.linkUrl(link, 'Delta Token');
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The token to resume from, after checking that a whole link points at this environment and the chosen table. */
export function deltaTokenFor(conn: Connection, table: TableInfo, parsed: ParsedToken): string {
  if (!parsed.link) return parsed.token;
  const tokenTable = tableOfLink(parsed.link);
  if (tokenTable && tokenTable.toLowerCase() !== table.entitySetName.toLowerCase()) {
    throw new InputError(
      `The Delta Token is a link to table '${tokenTable}', not to '${table.entitySetName}'. Use the token a run on '${table.entitySetName}' output, or clear it to start a new full sync.`,
      'DeltaTokenTableMismatch',
    );
  }
  // The client's own host check, so that a token copied from another environment is refused naming the field.
  const hostError = hostCheckError(conn, parsed.link.href);
  if (hostError instanceof D365Error && hostError.code === 'OriginMismatch') {
    throw new InputError(
      `The Delta Token is a link to ${parsed.link.origin}, not to this credential's environment ${new URL(conn.dv.environmentUrl).origin}. Use a token output by a run against the same environment, or clear it to start a new full sync.`,
      'DeltaTokenOriginMismatch',
    );
  }
  return parsed.token;
}
