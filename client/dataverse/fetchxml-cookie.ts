/**
 * The FetchXML paging cookie (reference §9). The `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` annotation is an
 * outer `<cookie pagenumber="2" pagingcookie="…" />` whose pagingcookie attribute holds the inner cookie to send
 * back. Three forms exist in the field:
 *   1. current servers: the attribute value URL-encoded twice (`%253ccookie%2520page…`);
 *   2. older servers: the whole annotation URL-encoded twice, the inner cookie raw once decoded;
 *   3. virtual tables: `pagingcookie=""` (page by number alone).
 * The inner cookie goes back XML-escaped inside `<fetch paging-cookie='…'>`.
 */

export interface PagingCookie {
  /** The page the cookie leads to (`pagenumber`), when the annotation says it. */
  nextPage?: number;
  /** Inner cookie as XML text (`<cookie page="1">…</cookie>`); empty when the service gave none. */
  cookie: string;
}

/** Decodes percent-encoding until the text starts with '<' (at most `times` rounds), never past that. */
function decodeUntilXml(text: string, times: number): string {
  let value = text.trim();
  for (let round = 0; round < times && value !== '' && !value.startsWith('<'); round++) {
    try {
      value = decodeURIComponent(value);
    } catch {
      break;
    }
  }
  return value;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#39);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', '#39': "'" })[name]!);
}

/**
 * The attribute's value. In form 2 it holds raw XML with its own quotes, so it ends at the inner `</cookie>`;
 * otherwise at the next quote.
 */
function pagingCookieAttribute(outer: string): string | undefined {
  const start = /\bpagingcookie\s*=\s*(["'])/.exec(outer);
  if (!start) return undefined;
  const rest = outer.slice(start.index + start[0].length);
  if (rest.startsWith('<')) {
    const end = rest.lastIndexOf('</cookie>');
    return end >= 0 ? rest.slice(0, end + '</cookie>'.length) : undefined;
  }
  const end = rest.indexOf(start[1]);
  return end >= 0 ? unescapeXml(rest.slice(0, end)) : undefined;
}

/** Reads the annotation in any of the three forms; undefined when it is absent or unreadable. */
export function parsePagingCookie(annotation: unknown): PagingCookie | undefined {
  if (typeof annotation !== 'string' || annotation.trim() === '') return undefined;
  const outer = decodeUntilXml(annotation, 2);
  if (!/^<cookie\b/i.test(outer)) return undefined;
  const pageNumber = /\bpagenumber\s*=\s*["'](\d+)["']/i.exec(outer)?.[1];
  const attribute = pagingCookieAttribute(outer);
  const cookie = attribute === undefined ? '' : decodeUntilXml(attribute, 3);
  const result: PagingCookie = { cookie: cookie.startsWith('<') ? cookie : '' };
  if (pageNumber !== undefined) result.nextPage = Number(pageNumber);
  return result;
}

export function escapeXmlAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}
