/**
 * FetchXML over the Web API (`GET set?fetchXml=…`), paged with the paging cookie: each request names the page
 * and carries the cookie of the previous answer, which lets Dataverse continue after the last row it sent instead
 * of counting rows again (faster, and no gaps or repeats when rows change meanwhile).
 * A query whose URL would be too long for the front end is sent as a GET inside `$batch`, where URLs may be 64 KB.
 */
import { executeBatch } from './batch';
import { callOptions, parseJson, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { escapeXmlAttribute, parsePagingCookie } from './fetchxml-cookie';
import { FETCHXML_PAGING_COOKIE, MAX_PAGE_SIZE, MORE_RECORDS, pageSize, preferHeaders, type AnnotationsOption } from './prefer';
import { setPath } from './row-path';
import type { Row } from './crud';

export interface FetchXmlOptions extends CallOptions {
  /** Rows per page (`count` on `<fetch>`), 1–5,000; default the fetch's own count, else 5,000. */
  pageSize?: number;
  /** Stop after this many rows in total. */
  maxRows?: number;
  annotations?: AnnotationsOption;
}

export interface FetchXmlPage {
  rows: Row[];
  page: number;
  moreRecords: boolean;
  /** The page's annotations (`@Microsoft.Dynamics.CRM.totalrecordcount`…), without `value`. */
  annotations: Record<string, unknown>;
}

/** Beyond this the URL is sent inside $batch; front ends in front of Dataverse refuse URLs well before 32 KB. */
export const MAX_FETCHXML_URL_LENGTH = 15 * 1024;

const FETCH_START = /<fetch\b((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*>/;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')/g;

interface FetchRoot {
  /** Attributes of `<fetch>` in document order, values without quotes (still XML-escaped). */
  attributes: [string, string][];
  before: string;
  after: string;
}

function parseFetchRoot(fetchXml: string): FetchRoot {
  const match = FETCH_START.exec(fetchXml);
  if (!match) throw invalidArgument('FetchXML: the query must start with a <fetch …> element.');
  const attributes: [string, string][] = [];
  for (const [, name, quoted] of match[1].matchAll(ATTRIBUTE)) attributes.push([name, quoted.slice(1, -1)]);
  return { attributes, before: fetchXml.slice(0, match.index), after: fetchXml.slice(match.index + match[0].length) };
}

function attribute(root: FetchRoot, name: string): string | undefined {
  return root.attributes.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** The query with `page`, `count` and `paging-cookie` set on `<fetch>` (others kept as written). */
export function withPaging(fetchXml: string, paging: { page: number; count: number; cookie?: string }): string {
  const root = parseFetchRoot(fetchXml);
  const kept = root.attributes.filter(([name]) => !['page', 'count', 'paging-cookie'].includes(name.toLowerCase()));
  const written = kept.map(([name, value]) => ` ${name}="${value.replace(/"/g, '&quot;')}"`).join('');
  const cookie = paging.cookie ? ` paging-cookie='${escapeXmlAttribute(paging.cookie)}'` : '';
  return `${root.before}<fetch${written} page='${paging.page}' count='${paging.count}'${cookie}>${root.after}`;
}

function fetchRequest(set: string, fetchXml: string, page: number, options: FetchXmlOptions): RequestSpec {
  return {
    method: 'GET',
    path: `${setPath(set)}?fetchXml=${encodeURIComponent(fetchXml)}`,
    headers: preferHeaders({ annotations: options.annotations, requiredAnnotations: [FETCHXML_PAGING_COOKIE, MORE_RECORDS] }),
    idempotent: true,
    operation: `fetchXml ${set} (page ${page})`,
    ...callOptions(options),
  };
}

async function sendViaBatch(ctx: DataverseContext, spec: RequestSpec): Promise<unknown> {
  const [result] = await executeBatch(
    (request) => ctx.send(request),
    { environmentUrl: ctx.environmentUrl, apiVersion: ctx.apiVersion },
    [{ method: 'GET', path: spec.path, headers: spec.headers }],
    { signal: spec.signal, timeoutMs: spec.timeoutMs },
  );
  if (result.outcome !== 'succeeded') throw result.error ?? invalidResponse(`${spec.operation}: the $batch answer has no result for the query.`);
  return result.body;
}

async function fetchPage(ctx: DataverseContext, spec: RequestSpec): Promise<Record<string, unknown>> {
  const long = ctx.serviceRoot.length + spec.path.length > MAX_FETCHXML_URL_LENGTH;
  const body = long ? await sendViaBatch(ctx, spec) : parseJson(await ctx.execute(spec));
  if (!body || typeof body !== 'object' || !Array.isArray((body as { value?: unknown }).value)) {
    throw invalidResponse(`${spec.operation}: the service's answer has no 'value' array.`);
  }
  return body as Record<string, unknown>;
}

/** Pages of a FetchXML query, lazily. A query with `top` cannot page (Dataverse refuses both) and runs once. */
export async function* iterateFetchXmlPages(
  ctx: DataverseContext,
  set: string,
  fetchXml: string,
  options: FetchXmlOptions = {},
): AsyncGenerator<FetchXmlPage, void, undefined> {
  const root = parseFetchRoot(fetchXml);
  if (options.maxRows !== undefined && (!Number.isInteger(options.maxRows) || options.maxRows < 0)) throw invalidArgument(`maxRows must be a whole number of rows; got ${options.maxRows}.`);
  let remaining = options.maxRows ?? Infinity;
  const paged = attribute(root, 'top') === undefined;
  const ownCount = Number(attribute(root, 'count'));
  const count = pageSize(options.pageSize ?? (Number.isInteger(ownCount) && ownCount > 0 ? ownCount : MAX_PAGE_SIZE));
  let page = Math.max(1, Number(attribute(root, 'page')) || 1);
  let cookie: string | undefined;
  while (remaining > 0) {
    const query = paged ? withPaging(fetchXml, { page, count, cookie }) : fetchXml;
    const body = await fetchPage(ctx, fetchRequest(set, query, page, options));
    const { value, ...annotations } = body;
    const rows = (value as Row[]).slice(0, remaining);
    remaining -= rows.length;
    const next = parsePagingCookie(body[`@${FETCHXML_PAGING_COOKIE}`]);
    const more = paged && (typeof body[`@${MORE_RECORDS}`] === 'boolean' ? body[`@${MORE_RECORDS}`] === true : next !== undefined);
    yield { rows, page, moreRecords: more, annotations };
    // An empty page that claims more would loop forever.
    if (!more || rows.length === 0) return;
    page = next?.nextPage && next.nextPage > page ? next.nextPage : page + 1;
    cookie = next?.cookie || undefined;
  }
}

/** Rows of a FetchXML query across all pages (or up to `maxRows`). */
export async function* iterateFetchXml(ctx: DataverseContext, set: string, fetchXml: string, options: FetchXmlOptions = {}): AsyncGenerator<Row, void, undefined> {
  for await (const page of iterateFetchXmlPages(ctx, set, fetchXml, options)) yield* page.rows;
}
