/** FetchXML for the emulator: parse `<fetch>`, evaluate it over in-memory rows, encode/decode paging cookies. */
export { FetchXmlError } from './errors';
export { parseFetchXml, MAX_PAGE_SIZE } from './parse-fetchxml';
export { evaluateFetch } from './evaluate-fetch';
export type { FetchResult, FetchSource } from './evaluate-fetch';
export { buildInnerCookie, parseInnerCookie } from './inner-cookie';
export { decodePagingCookie, encodePagingCookieAnnotation, escapePagingCookieForFetch } from './paging-cookie';
export type { DecodedPagingCookie } from './paging-cookie';
export type * from './query';
