/**
 * The inner paging cookie: `<cookie page="1"><name last="…" first="…" /><accountid last="{GUID}" first="{GUID}" /></cookie>`,
 * one element per sort column of the root entity then its primary key, holding the values of the page's last and
 * first rows. Null values are written as `lastnull="1"` / `firstnull="1"`.
 */
import { escapeXml, parseXml, XmlError } from '../../client/metadata/xml';
import { FetchXmlError } from './errors';
import { decodePagingCookie } from './paging-cookie';

export interface CookieColumn {
  name: string;
  last: unknown;
  first: unknown;
}

export interface ParsedInnerCookie {
  page: number;
  /** Keyed by lower-cased column name; null for a null value. */
  last: Map<string, string | null>;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

function cookieText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  const guid = GUID.exec(text);
  return guid ? `{${guid[1].toUpperCase()}}` : text;
}

const valueAttr = (name: 'last' | 'first', value: unknown) =>
  value === null || value === undefined ? `${name}null="1"` : `${name}="${escapeXml(cookieText(value))}"`;

export function buildInnerCookie(page: number, columns: CookieColumn[]): string {
  const elements = columns.map((column) => `<${column.name} ${valueAttr('last', column.last)} ${valueAttr('first', column.first)} />`);
  return `<cookie page="${page}">${elements.join('')}</cookie>`;
}

/** Reads any accepted cookie form (see {@link decodePagingCookie}); '' and `pagingcookie=""` give undefined. */
export function parseInnerCookie(value: string): ParsedInnerCookie | undefined {
  const { pagingCookie } = decodePagingCookie(value);
  if (pagingCookie === '') return undefined;
  let root;
  try {
    // Clients put the cookie back with <, >, " and ' escaped but a bare '&' left as is (DynamicsWebApi does):
    // an '&' that starts no entity is taken literally, as Dataverse does.
    const tolerant = pagingCookie.replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g, '&amp;');
    root = parseXml(tolerant, { maxDepth: 4, maxElements: 100, maxLength: 64 * 1024 });
  } catch (error) {
    if (error instanceof XmlError) throw new FetchXmlError(`The paging cookie is not valid: ${error.message}`);
    throw error;
  }
  const page = Number(root.attrs.page);
  if (root.name !== 'cookie' || !Number.isInteger(page) || page < 1) throw new FetchXmlError('The paging cookie is not valid: expected <cookie page="n">.');
  const last = new Map<string, string | null>();
  for (const column of root.children) {
    last.set(column.name.toLowerCase(), column.attrs.lastnull === '1' ? null : (column.attrs.last ?? null));
  }
  return { page, last };
}
