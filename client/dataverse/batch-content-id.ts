/**
 * Content-ID references inside a `$batch`: `$n` at the start of a request path (`PATCH $1`, `PUT $1/x/$ref`) or as
 * the whole value of an `@odata.bind` / `@odata.id` member (`{"@odata.id":"$2"}`), per OData 4.0 and Dataverse.
 * Found on the client so a wrong reference fails before anything is sent, not as a 400 after part of a batch ran.
 */

/** Characters a Content-ID may use so that `$<id>` stays one URL segment and one header token. */
export const CONTENT_ID_PATTERN = /^[A-Za-z0-9\-._~]{1,64}$/;

/** `$` segments that name OData resources, not Content-IDs. */
const SYSTEM_SEGMENTS = new Set(['batch', 'metadata', 'entity', 'crossjoin', 'all', 'root', 'count', 'ref', 'value', 'filter', 'each']);
const PATH_REFERENCE = /^\$([A-Za-z0-9\-._~]+)(?=[/?(#]|$)/;
const VALUE_REFERENCE = /^\$([A-Za-z0-9\-._~]+)$/;
/** Deep-insert bodies nest, but not this deep; the limit and the visited set keep odd structures cheap. */
const MAX_DEPTH = 64;

/** The Content-ID a path refers to (`$1/primarycontactid/$ref` → `1`), or undefined for ordinary paths. */
export function pathReference(path: string): string | undefined {
  const match = PATH_REFERENCE.exec(path);
  if (!match || SYSTEM_SEGMENTS.has(match[1].toLowerCase())) return undefined;
  return match[1];
}

function isBindMember(name: string): boolean {
  return name.endsWith('@odata.bind') || name === '@odata.id';
}

function valueReference(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = VALUE_REFERENCE.exec(value);
  return match ? match[1] : undefined;
}

function collect(node: unknown, depth: number, found: string[], visited: Set<object>): void {
  if (depth > MAX_DEPTH || node === null || typeof node !== 'object' || visited.has(node)) return;
  // An object shared (or cyclic) in the caller's body is walked once: without this, two self-references cost 2^depth.
  visited.add(node);
  if (Array.isArray(node)) {
    for (const item of node) collect(item, depth + 1, found, visited);
    return;
  }
  for (const [name, value] of Object.entries(node)) {
    if (isBindMember(name)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        const id = valueReference(item);
        if (id !== undefined) found.push(id);
      }
    }
    collect(value, depth + 1, found, visited);
  }
}

/** Content-IDs referred to in a JSON body (objects, or strings that parse as JSON; other text has none). */
export function bodyReferences(body: object | string | undefined): string[] {
  let json: unknown = body;
  if (typeof body === 'string') {
    if (!body.includes('@odata.')) return [];
    try {
      json = JSON.parse(body);
    } catch {
      return [];
    }
  }
  const found: string[] = [];
  collect(json, 0, found, new Set());
  return found;
}
