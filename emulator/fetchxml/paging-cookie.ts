/**
 * The `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` annotation and the forms clients send back.
 *
 * Dataverse writes `<cookie pagenumber="2" pagingcookie="…" istracking="False" />` with the inner cookie
 * (`<cookie page="1"><accountid last="{GUID}" first="{GUID}" /></cookie>`) URL-encoded twice, lower-case hex.
 */
import { escapeXml } from '../../client/metadata/xml';
import { FetchXmlError } from './errors';

export interface DecodedPagingCookie {
  /** `pagenumber` of the annotation: the page to ask for next (absent for a bare inner cookie). */
  pageNumber?: number;
  /** The inner cookie as XML, or '' when the server sent `pagingcookie=""`. */
  pagingCookie: string;
  /** `page` of the inner cookie: the page it was issued for. */
  previousPage?: number;
  isTracking?: boolean;
}

/** Characters .NET's URL encoder leaves alone; everything else becomes lower-case %xx of its UTF-8 bytes. */
const SAFE = /[A-Za-z0-9\-_.!*()]/;

function encodeOnce(text: string): string {
  let out = '';
  for (const char of text) {
    if (SAFE.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function encodePagingCookieAnnotation(pageNumber: number, innerCookie: string): string {
  return `<cookie pagenumber="${pageNumber}" pagingcookie="${encodeOnce(encodeOnce(innerCookie))}" istracking="False" />`;
}

/** The inner cookie as a client puts it in `<fetch paging-cookie='…'>`. */
export function escapePagingCookieForFetch(innerCookie: string): string {
  return escapeXml(innerCookie);
}

function invalid(value: string): FetchXmlError {
  return new FetchXmlError(`The paging cookie '${value.slice(0, 120)}' is not valid.`);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
}

/** Peels URL-encoding layers (at most three) until the text is XML. */
function urlDecodeToXml(text: string, original: string): string {
  let current = text;
  for (let round = 0; round < 3 && !current.startsWith('<') && /%[0-9a-f]{2}/i.test(current); round++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      throw invalid(original);
    }
  }
  return current.startsWith('&lt;') ? unescapeXml(current) : current;
}

const OUTER_TAIL = /"(\s+istracking="([^"]*)")?\s*\/>\s*$/;

/**
 * Accepts the annotation as Dataverse sends it now (inner cookie double-encoded), as older servers sent it
 * (the whole value URL-encoded, see the DynamicsWebApi stubs), with `pagingcookie=""`, and a bare inner cookie,
 * raw or XML-escaped as it appears in `<fetch paging-cookie='…'>`.
 */
export function decodePagingCookie(value: string): DecodedPagingCookie {
  const text = urlDecodeToXml(value.trim().startsWith('&lt;') ? unescapeXml(value.trim()) : value.trim(), value);
  if (!text.startsWith('<cookie')) throw invalid(value);
  const outer = /^<cookie\s+pagenumber="(\d{1,10})"\s+pagingcookie="/.exec(text);
  if (!outer) return withPreviousPage({ pagingCookie: text }, value);

  const tail = OUTER_TAIL.exec(text.slice(outer[0].length - 1));
  if (!tail) throw invalid(value);
  const innerEnd = outer[0].length - 1 + tail.index;
  const inner = urlDecodeToXml(text.slice(outer[0].length, innerEnd), value);
  const decoded: DecodedPagingCookie = { pageNumber: Number(outer[1]), pagingCookie: inner };
  if (tail[2] !== undefined) decoded.isTracking = tail[2].toLowerCase() === 'true';
  return withPreviousPage(decoded, value);
}

function withPreviousPage(decoded: DecodedPagingCookie, original: string): DecodedPagingCookie {
  if (decoded.pagingCookie === '') return decoded;
  const page = /^<cookie\s+page="(\d{1,10})"/.exec(decoded.pagingCookie);
  if (!page) throw invalid(original);
  return { ...decoded, previousPage: Number(page[1]) };
}
