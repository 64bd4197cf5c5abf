/**
 * Server-driven paging cookies in Dataverse's shape: the `$skiptoken` is
 * `<cookie pagenumber="2" pagingcookie="…" istracking="False" />` whose inner cookie (URL-encoded once inside the
 * token, so twice in the nextLink) names the
 * first and last values of the sort columns on the page just served. Continuing after those values, rather than
 * after an offset, keeps pages free of gaps and duplicates while rows are added or deleted between requests.
 */
import { escapeXml, parseXml } from '../../client/metadata/xml';
import { badRequest } from './errors';

export interface PagePosition {
  pageNumber: number;
  /** Sort columns in order, the primary key last, with the values of the last row served. */
  last: { column: string; value: unknown }[];
  /** Change-tracking syncs remember the row version the first page was read at, for the final deltaLink. */
  anchor?: number;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    return `{${value.toUpperCase()}}`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function encodeSkipToken(position: PagePosition, first: Record<string, unknown>): string {
  const elements = position.last
    .map(({ column, value }) => `<${column} last="${escapeXml(formatValue(value))}" first="${escapeXml(formatValue(first[column]))}" ${value === null ? 'lastnull="1" ' : ''}/>`)
    .join('');
  const inner = `<cookie page="${position.pageNumber - 1}">${elements}</cookie>`;
  const encoded = encodeURIComponent(inner).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const tracking = position.anchor !== undefined ? `True" anchor="${position.anchor}` : 'False';
  return `<cookie pagenumber="${position.pageNumber}" pagingcookie="${encoded}" istracking="${tracking}" />`;
}

/** `columns`: the sort columns (primary key last) the current request pages by; a cookie naming others is refused. */
export function decodeSkipToken(token: string, types: Map<string, string>, columns?: string[]): PagePosition {
  try {
    const outer = parseXml(token);
    const pageNumber = Number(outer.attrs.pagenumber);
    const inner = parseXml(decodeURIComponent(outer.attrs.pagingcookie ?? ''));
    if (!Number.isInteger(pageNumber) || pageNumber < 2 || inner.local !== 'cookie') throw new Error('bad cookie');
    const last = inner.children.map((el) => ({
      column: el.local,
      value: el.attrs.lastnull === '1' ? null : parseValue(el.attrs.last ?? '', types.get(el.local)),
    }));
    if (columns && (last.length !== columns.length || last.some((l, i) => l.column !== columns[i]))) throw new Error('other sort');
    const anchor = outer.attrs.anchor !== undefined ? Number(outer.attrs.anchor) : undefined;
    if (anchor !== undefined && !Number.isInteger(anchor)) throw new Error('bad anchor');
    return { pageNumber, last, anchor };
  } catch {
    throw badRequest('The $skiptoken value is not a paging cookie issued by this service; follow @odata.nextLink unchanged.');
  }
}

/** Values that cannot come from a row of the column's type mean the cookie was edited: throw (→ 400). */
function parseValue(text: string, edmType: string | undefined): unknown {
  if (/^\{[0-9A-F-]{36}\}$/i.test(text)) return text.slice(1, -1).toLowerCase();
  switch (edmType) {
    case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Int16': case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Byte': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error('bad number');
      return n;
    }
    case 'Edm.Boolean':
      if (text !== 'true' && text !== 'false') throw new Error('bad boolean');
      return text === 'true';
    case 'Edm.Guid':
      throw new Error('bad guid');
    case 'Edm.DateTimeOffset': case 'Edm.Date':
      if (Number.isNaN(Date.parse(text))) throw new Error('bad date');
      return text;
    default:
      return text;
  }
}
