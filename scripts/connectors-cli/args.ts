/**
 * Command-line parsing of d365-connectors (node:util parseArgs, strict): every flag is checked here, so a bad
 * flag is a usage error (exit 2) before any file is read or any request is sent.
 */
import { parseArgs } from 'node:util';
import type { ConnectorStyle, ServiceKind } from '../../connectors/types';
import { EXIT_CODES_HELP, usageError } from './exit-codes';

export const DEFAULT_MAX_METADATA_MB = 128;

export const PROGRAM_HELP = `Usage: d365-connectors <command> [options]

Generates Power Automate custom connectors (paconn folders) from a Dynamics 365 OData $metadata document, and
checks connector folders against the Power Automate certification rules.

Commands:
  generate --metadata <FILE|URL> --out <DIR> [options]   write connector folder(s) or an OpenAPI 3 document
  validate <DIR>                                         check a connector folder

Options:
  --help, -h     show this help (also: d365-connectors <command> --help)
  --version      print the version

${EXIT_CODES_HELP}`;

export const GENERATE_HELP = `Usage: d365-connectors generate --metadata <FILE|URL> --out <DIR> [options]

Input:
  --metadata FILE|URL    $metadata as a file (.xml, or .xml.gz) or an environment URL
                         (https://org.crm.dynamics.com, or the emulator's) to download it from
  --max-metadata-mb N    refuse metadata larger than N MB (default ${DEFAULT_MAX_METADATA_MB}; also bounds a .gz once unzipped)
  --service KIND         dataverse (default) or fno

Download (--metadata URL only; app registration with a client secret):
  --tenant ID            directory (tenant) id        [env D365_TENANT_ID]
  --client-id ID         application (client) id      [env D365_CLIENT_ID]
  --client-secret S      client secret                [env D365_CLIENT_SECRET; prefer the variable: flags are
                         visible to other users in the process list]
  --authority URL        full authority URL (the emulator's authorityUrl)
  --ca FILE              PEM certificate to trust (the emulator's caCertFile)

Output:
  --out DIR              output folder (created if missing)
  --format F             swagger2 (default): paconn connector folder(s);
                         openapi3: one DIR/openapi.json describing every entity set (or --tables)
  --style S              dynamic: a few generic actions for any table (the default for dataverse; for fno
                         the entity list comes from the service document); typed: one set of actions per
                         table (the default for fno)
  --tables a,b,…|*       entity sets (or logical names) for the typed style; * = all (default)
  --title TEXT           connector title (at most 30 characters)
  --split                split into several connectors when one would break a Power Automate limit
                         (otherwise generation is refused with exit code 1)

Messages:
  --progress             show progress on stderr even when it is not a terminal
  --quiet, -q            do not print warnings
  --help, -h             show this help

Warnings go to stderr as "warning <code> <where>: <message>". The folders written are printed on stdout.

${EXIT_CODES_HELP}`;

export const VALIDATE_HELP = `Usage: d365-connectors validate <DIR> [options]

Checks a connector folder (apiDefinition.swagger.json, apiProperties.json, settings.json, icon.png) against the
paconn schemas and the Power Automate certification rules. Issues are printed on stdout, one per line:
  error <rule> <path>: <message>
  warning <rule> <path>: <message>
followed by a summary line.

Options:
  --quiet, -q    print errors and the summary only (no warnings)
  --help, -h     show this help

${EXIT_CODES_HELP}`;

export type OutputFormat = 'swagger2' | 'openapi3';

export interface GenerateArgs {
  metadata: string;
  out: string;
  service: ServiceKind;
  style: ConnectorStyle;
  format: OutputFormat;
  tables?: string[];
  title?: string;
  split: boolean;
  maxMetadataMB: number;
  progress: boolean;
  quiet: boolean;
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  authority?: string;
  ca?: string;
}

export interface ValidateArgs {
  dir: string;
  quiet: boolean;
}

export type Parsed<T> = { help: true } | { help: false; args: T };

/** parseArgs with its errors turned into usage errors (they name the flag). */
function parse<T extends Parameters<typeof parseArgs>[0]>(config: T) {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`--${flag} must be ${allowed.join(' or ')}, not '${value}'`);
  return value as T;
}

export function parseGenerateArgs(argv: string[]): Parsed<GenerateArgs> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      metadata: { type: 'string' },
      out: { type: 'string' },
      service: { type: 'string' },
      style: { type: 'string' },
      format: { type: 'string' },
      tables: { type: 'string' },
      title: { type: 'string' },
      split: { type: 'boolean' },
      'max-metadata-mb': { type: 'string' },
      progress: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      authority: { type: 'string' },
      ca: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  if (positionals.length > 0) throw usageError(`unexpected argument '${positionals[0]}'`);
  const str = (name: string) => values[name as keyof typeof values] as string | undefined;
  const metadata = str('metadata');
  const out = str('out');
  if (!metadata) throw usageError('--metadata <FILE|URL> is required');
  if (!out) throw usageError('--out <DIR> is required');
  const maxRaw = str('max-metadata-mb');
  const maxMetadataMB = maxRaw === undefined ? DEFAULT_MAX_METADATA_MB : Number(maxRaw);
  if (!Number.isFinite(maxMetadataMB) || maxMetadataMB <= 0) throw usageError(`--max-metadata-mb must be a positive number, not '${maxRaw}'`);
  const tablesRaw = str('tables');
  let tables: string[] | undefined;
  if (tablesRaw !== undefined) {
    tables = tablesRaw.split(',').map((t) => t.trim()).filter(Boolean);
    if (tables.length === 0) throw usageError('--tables needs at least one name, or *');
    if (tables.includes('*')) tables = ['*'];
  }
  const title = str('title');
  if (title !== undefined && !title.trim()) throw usageError('--title must not be empty');
  const service = oneOf('service', str('service'), ['dataverse', 'fno'] as const, 'dataverse');
  const style = oneOf('style', str('style'), ['dynamic', 'typed'] as const, service === 'fno' ? 'typed' : 'dynamic');
  const format = oneOf('format', str('format'), ['swagger2', 'openapi3'] as const, 'swagger2');
  return {
    help: false,
    args: {
      metadata,
      out,
      service,
      style,
      format,
      tables,
      title,
      split: values.split === true,
      maxMetadataMB,
      progress: values.progress === true,
      quiet: values.quiet === true,
      tenant: str('tenant'),
      clientId: str('client-id'),
      clientSecret: str('client-secret'),
      authority: str('authority'),
      ca: str('ca'),
    },
  };
}

export function parseValidateArgs(argv: string[]): Parsed<ValidateArgs> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: { quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return { help: true };
  if (positionals.length === 0) throw usageError('validate needs the connector folder: d365-connectors validate <DIR>');
  if (positionals.length > 1) throw usageError(`validate takes one folder, got ${positionals.length}`);
  return { help: false, args: { dir: positionals[0], quiet: values.quiet === true } };
}
