/** The validator's result types and the small helpers every check uses (JSON pointers, plain-object tests). */

export interface Issue {
  /** Stable rule id, e.g. 'title-length', 'schema-apiProperties', 'swagger-structure'. */
  rule: string;
  message: string;
  /** JSON pointer into the checked document, e.g. /paths/~1accounts/get/summary. */
  path?: string;
  /** Which file the path points into when it is not the swagger (apiProperties.json, settings.json, icon.png). */
  file?: string;
}

export interface ValidationReport {
  errors: Issue[];
  warnings: Issue[];
}

export interface ConnectorInput {
  /** The parsed apiDefinition.swagger.json. */
  swagger: unknown;
  /** The parsed apiProperties.json (checks on it are skipped, with a warning, when absent). */
  apiProperties?: unknown;
  /** The parsed settings.json (optional). */
  settings?: unknown;
  /** The icon.png bytes (optional). */
  icon?: Buffer;
  /** The script.csx bytes; null when the folder has none; undefined when not checked (no presence rules then). */
  script?: Buffer | null;
  /** Size of the swagger file in bytes; computed from a 4-space-indented serialisation when absent. */
  swaggerBytes?: number;
}

/** Collects issues into errors and warnings. */
export class IssueList implements ValidationReport {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];

  error(rule: string, message: string, path?: string, file?: string): void {
    this.errors.push(issue(rule, message, path, file));
  }

  warn(rule: string, message: string, path?: string, file?: string): void {
    this.warnings.push(issue(rule, message, path, file));
  }

  add(other: ValidationReport): void {
    this.errors.push(...other.errors);
    this.warnings.push(...other.warnings);
  }
}

function issue(rule: string, message: string, path?: string, file?: string): Issue {
  const out: Issue = { rule, message };
  if (path !== undefined) out.path = path;
  if (file !== undefined) out.file = file;
  return out;
}

/** One JSON pointer token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointer(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins tokens into a JSON pointer: pointer('paths', '/accounts', 'get') → /paths/~1accounts/get. */
export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => `/${escapePointer(t)}`).join('');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
