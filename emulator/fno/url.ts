/**
 * Reads /data resource paths: `Set`, `Set(dataAreaId='usmf',CustomerAccount='US-001')`, then an optional
 * navigation property, `$count` or a namespace-qualified action.
 */
import { parseLiteral } from '../odata';
import type { FnoKey } from './context';
import { badRequest } from './errors';

export interface FnoPath {
  entitySet: string;
  /** Raw text between the parentheses after the set name. */
  keyText?: string;
  /** Segments after the set or key. */
  rest: string[];
}

export function splitDataPath(path: string): FnoPath {
  const segments: string[] = [];
  let quoted = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quoted) {
      if (c === "'" && path[i + 1] === "'") i++;
      else if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '/' && depth === 0) {
      segments.push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw badRequest(`There is an unterminated string literal in '${path}'.`);
  segments.push(path.slice(start));
  const parts = segments.filter((s) => s !== '');
  const first = parts.shift() ?? '';
  const open = first.indexOf('(');
  if (open < 0) return { entitySet: first, rest: parts };
  if (!first.endsWith(')')) throw badRequest(`Bad Request - Error in query syntax: unbalanced parentheses in '${first}'.`);
  return { entitySet: first.slice(0, open), keyText: first.slice(open + 1, -1), rest: parts };
}

/** Splits on commas and equals signs outside quoted strings. */
function splitOutside(text: string, separator: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      if (quoted && text[i + 1] === "'") i++;
      else quoted = !quoted;
    } else if (c === separator && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function literal(text: string): string | number | boolean {
  let parsed;
  try {
    parsed = parseLiteral(text.trim());
  } catch {
    throw badRequest(`Bad Request - Error in query syntax: '${text}' is not a valid key value.`);
  }
  if (parsed.value === null) throw badRequest('A key value cannot be null.');
  if (parsed.type === 'Enum') return String(parsed.value);
  return parsed.value;
}

/** Named key parts; F&O keys are composite, so a single unnamed value works only for one-field keys. */
export function parseKeyText(keyText: string, keyFields: string[], entitySet: string): FnoKey {
  const parts = splitOutside(keyText, ',');
  const key: FnoKey = {};
  if (parts.length === 1 && !/^\s*[A-Za-z_]\w*\s*=/.test(parts[0])) {
    if (keyFields.length !== 1) {
      throw badRequest(`The key of '${entitySet}' has ${keyFields.length} fields (${keyFields.join(', ')}); name each one, e.g. ${entitySet}(${keyFields.map((k) => `${k}='…'`).join(',')}).`);
    }
    key[keyFields[0]] = literal(parts[0]);
    return key;
  }
  for (const part of parts) {
    const [name, ...value] = splitOutside(part, '=');
    const field = name.trim();
    if (value.length !== 1) throw badRequest(`Bad Request - Error in query syntax: '${part}' is not a name=value key part.`);
    if (!keyFields.includes(field)) {
      throw badRequest(`'${field}' is not a key field of '${entitySet}'; its key is (${keyFields.join(', ')}).`);
    }
    key[field] = literal(value[0]);
  }
  const missing = keyFields.filter((k) => !(k in key));
  if (missing.length) {
    throw badRequest(`The key of '${entitySet}' needs every key field (${keyFields.join(', ')}); missing: ${missing.join(', ')}.`);
  }
  return key;
}

export function keyPredicate(keyFields: string[], row: Record<string, unknown>): string {
  return keyFields
    .map((k) => {
      const v = row[k];
      return `${k}=${typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${String(v).replace(/'/g, "''")}'`}`;
    })
    .join(',');
}
