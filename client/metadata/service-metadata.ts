/**
 * The environment's own CSDL `$metadata`: the only place that declares its actions, functions and custom APIs with
 * their parameter types. It is sent through the connection's pipeline like any call (token, host pinning,
 * retries), cached per environment because it is large (megabytes) and changes only with solution imports, and
 * parsed chunk by chunk so that no second copy of the document is held as one string.
 */
import type { CallOptions, DataverseContext } from '../dataverse/context';
import { parseCsdlStream, type CsdlParseOptions } from './csdl';
import { MetadataCache } from './metadata-cache';
import type { CsdlModel } from './model';

export interface ServiceMetadataOptions extends CallOptions {
  /** Shared by default between all connections, so every caller for one environment benefits. */
  cache?: MetadataCache;
  parse?: CsdlParseOptions;
}

const sharedCache = new MetadataCache();
const CHUNK = 64 * 1024;

async function* chunks(body: Buffer): AsyncGenerator<Buffer> {
  for (let start = 0; start < body.length; start += CHUNK) yield body.subarray(start, start + CHUNK);
}

async function download(ctx: DataverseContext, call: CallOptions, parse?: CsdlParseOptions): Promise<CsdlModel> {
  const response = await ctx.execute({
    method: 'GET',
    path: '$metadata',
    headers: { accept: 'application/xml' },
    idempotent: true,
    operation: 'metadata $metadata',
    ...call,
  });
  return parseCsdlStream(chunks(response.body), parse);
}

/** The environment's CSDL model; one download per environment and API version while the cache holds it. */
export function loadServiceMetadata(ctx: DataverseContext, options: ServiceMetadataOptions = {}): Promise<CsdlModel> {
  const { cache = sharedCache, parse, ...call } = options;
  return cache.get(ctx.environmentUrl, `$metadata v${ctx.apiVersion}`, () => download(ctx, call, parse));
}

/** Forgets the downloaded `$metadata` of one environment (after a solution import, say), or of all. */
export function clearServiceMetadata(environmentUrl?: string, cache: MetadataCache = sharedCache): void {
  cache.clear(environmentUrl);
}
