/**
 * The emulator's own reading of Web API resource paths (`accounts(accountnumber='A''1')/primarycontactid/$ref`).
 * Kept apart from the client's URL building so that the two check each other.
 */
import { badRequest } from './errors';

export type KeyValue = string | number | boolean | null;

export interface PathSegment {
  name: string;
  /** Text inside the parentheses after the name, if any (raw). */
  args?: string;
}

/** Splits a decoded path on '/', ignoring slashes inside parentheses or quoted strings. */
export function splitPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  const push = (end: number) => {
    const text = path.slice(start, end);
    if (text === '') return;
    const open = text.indexOf('(');
    if (open < 0) segments.push({ name: text });
    else {
      if (!text.endsWith(')')) throw badRequest(`Bad Request - Error in query syntax: unbalanced parentheses in '${text}'.`);
      segments.push({ name: text.slice(0, open), args: text.slice(open + 1, -1) });
    }
  };
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quoted) {
      if (c === "'") {
        if (path[i + 1] === "'") i++;
        else quoted = false;
      }
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '/' && depth === 0) {
      push(i);
      start = i + 1;
    }
  }
  if (quoted) throw badRequest(`There is an unterminated literal in '${path}'.`);
  push(path.length);
  return segments;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** Parses one key or parameter literal; aliases (@p) are resolved from the query string. */
export function parseLiteral(text: string, aliases: URLSearchParams): KeyValue {
  const t = text.trim();
  if (t.startsWith('@')) {
    const value = aliases.get(t);
    if (value === null) throw badRequest(`The parameter alias '${t}' was not found in the request.`);
    return parseLiteral(value, aliases);
  }
  if (t.startsWith("'")) {
    if (t.length < 2 || !t.endsWith("'") || /[^']'(?!')/.test(t.slice(1, -1).replace(/''/g, ''))) {
      throw badRequest(`There is an unterminated literal at position 0 in '${t}'.`);
    }
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (t === 'null') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  if (GUID.test(t)) return t.toLowerCase();
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDlL]?$/.test(t)) return Number(t.replace(/[mMdDlL]$/, ''));
  throw badRequest(`Bad Request - Error in query syntax: '${t}' is not a valid literal.`);
}

/** Reads `(guid)` or `(a=1,b='x')`: a single unnamed value or named parts, split outside quotes. */
export function parseKey(args: string, aliases: URLSearchParams): { single?: KeyValue; named?: Map<string, KeyValue> } {
  const parts = splitOutsideQuotes(args, ',');
  if (parts.length === 1 && !/^\s*[A-Za-z_][\w.]*\s*=/.test(parts[0])) return { single: parseLiteral(parts[0], aliases) };
  const named = new Map<string, KeyValue>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) throw badRequest(`Bad Request - Error in query syntax: expected name=value in '${args}'.`);
    named.set(part.slice(0, eq).trim(), parseLiteral(part.slice(eq + 1), aliases));
  }
  return { named };
}

export function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && (c === '(' || c === '[')) depth++;
    else if (!quoted && (c === ')' || c === ']')) depth--;
    else if (!quoted && depth === 0 && c === separator) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.filter((p, i) => p.trim() !== '' || i === 0);
}
