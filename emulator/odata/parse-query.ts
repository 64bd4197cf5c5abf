/**
 * Parses all query options of one request at once, so parameter aliases (`@p1=...`) are known before the
 * options that use them. Input values must already be percent-decoded by the URL layer.
 */
import type { ParsedQueryOptions } from './ast';
import { ODataSyntaxError } from './errors';
import { parseApply } from './parse-apply';
import { parseFilter } from './parse-filter';
import { parseCompute, parseCount, parseExpand, parseLevels, parseOrderBy, parseSelect, parseSkip, parseTop } from './parse-options';

export interface QueryParseSettings {
  /** Accept 4.01 option names without '$' (`filter=`); in 4.0 those are custom options. Default false. */
  allowNoDollar?: boolean;
}

const SYSTEM_OPTIONS = new Set([
  'filter', 'select', 'expand', 'orderby', 'top', 'skip', 'count', 'search', 'apply', 'compute', 'levels',
  'format', 'skiptoken', 'deltatoken', 'schemaversion', 'index', 'id',
]);

export function parseQueryOptions(
  params: Iterable<[string, string]> | Record<string, string>,
  settings: QueryParseSettings = {},
): ParsedQueryOptions {
  const entries: [string, string][] = Symbol.iterator in params ? [...(params as Iterable<[string, string]>)] : Object.entries(params);
  const result: ParsedQueryOptions = { custom: {}, aliases: {} };
  const system: [string, string][] = [];
  for (const [key, value] of entries) {
    if (key.startsWith('@')) {
      result.aliases[key.slice(1)] = value;
      continue;
    }
    const lower = key.toLowerCase();
    const name = lower.startsWith('$') ? lower.slice(1) : settings.allowNoDollar && SYSTEM_OPTIONS.has(lower) ? lower : undefined;
    if (name === undefined) {
      result.custom[key] = value;
    } else if (!SYSTEM_OPTIONS.has(name)) {
      throw new ODataSyntaxError(`The query parameter '${key}' is not supported.`, 0, key);
    } else if (system.some(([n]) => n === name)) {
      throw new ODataSyntaxError(
        `Query option '$${name}' was specified more than once, but it must be specified at most once.`,
        0,
        key,
      );
    } else {
      system.push([name, value]);
    }
  }
  const options = { aliases: result.aliases };
  for (const [name, value] of system) {
    switch (name) {
      case 'filter': result.filter = parseFilter(value, options); break;
      case 'select': result.select = parseSelect(value, options); break;
      case 'expand': result.expand = parseExpand(value, options); break;
      case 'orderby': result.orderby = parseOrderBy(value, options); break;
      case 'apply': result.apply = parseApply(value, options); break;
      case 'compute': result.compute = parseCompute(value, options); break;
      case 'top': result.top = parseTop(value); break;
      case 'skip': result.skip = parseSkip(value); break;
      case 'count': result.count = parseCount(value); break;
      case 'levels': result.levels = parseLevels(value); break;
      case 'search': result.search = value; break;
      case 'format': result.format = value; break;
      case 'skiptoken': result.skiptoken = value; break;
      case 'deltatoken': result.deltatoken = value; break;
      default: result.custom[`$${name}`] = value;
    }
  }
  return result;
}
