/**
 * `$<Content-ID>` references inside a $batch: at the start of a request URL (`PATCH $1`, `PUT $1/x/$ref`) or as a
 * whole `@odata.bind` / `@odata.id` JSON value (`{"@odata.id":"$2"}`), per OData 4.0 and Dataverse.
 */
import { BatchFormatError } from './errors';

/** `$` segments that name OData resources rather than Content-IDs. */
const SYSTEM_SEGMENTS = new Set(['batch', 'metadata', 'entity', 'crossjoin', 'all', 'root', 'count', 'ref', 'value']);
const URL_REFERENCE = /^\$([A-Za-z0-9\-._~]+)(?=[/?(#]|$)/;
const VALUE_REFERENCE = /^\$([A-Za-z0-9\-._~]+)$/;
/** A JSON member whose name ends in @odata.bind / is @odata.id, with a string or array-of-strings value. */
const BIND_MEMBER = /("(?:[^"\\]|\\.)*@odata\.(?:bind|id)"\s*:\s*)("(?:[^"\\]|\\.)*"|\[[^\]]*\])/g;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** The Content-ID a request URL refers to (`$1/...` → `1`), or undefined for ordinary URLs. */
export function contentIdReferenceOf(url: string): string | undefined {
  const match = URL_REFERENCE.exec(url);
  if (!match || SYSTEM_SEGMENTS.has(match[1].toLowerCase())) return undefined;
  return match[1];
}

export function unknownReferenceError(id: string): BatchFormatError {
  return new BatchFormatError(`Content-ID Reference: '$${id}' does not exist in the batch context.`);
}

function lookup(id: string, map: Map<string, string>): string {
  const url = map.get(id);
  if (url === undefined) throw unknownReferenceError(id);
  return url;
}

function resolveJsonString(literal: string, map: Map<string, string>): string {
  const match = VALUE_REFERENCE.exec(literal.slice(1, -1));
  return match ? JSON.stringify(lookup(match[1], map)) : literal;
}

/**
 * Replaces Content-ID references with the entity URLs recorded for them (`map`: Content-ID → URL).
 * Text starting with `$` is treated as a request URL, anything else as a JSON body.
 */
export function resolveContentIdReferences(text: string, map: Map<string, string>): string {
  if (text.startsWith('$')) {
    const id = contentIdReferenceOf(text);
    if (id === undefined) return text;
    return lookup(id, map) + text.slice(id.length + 1);
  }
  if (!text.includes('@odata.')) return text;
  return text.replace(BIND_MEMBER, (_whole, member: string, value: string) =>
    value.startsWith('[')
      ? member + value.replace(JSON_STRING, (element) => resolveJsonString(element, map))
      : member + resolveJsonString(value, map),
  );
}
