/**
 * Where the CSDL model comes from: a file (.xml, or gzip-compressed, read and unzipped as a stream) or an
 * environment URL ($metadata downloaded through the shared client, with its token, CA and retries). Either way
 * the document goes through parseCsdlStream, whose tokenizer refuses DOCTYPE/entities and bounds depth, element
 * count and text runs; this module adds a size limit (checked on the file size before reading, and on the
 * characters parsed for a .gz or a download, so a gzip bomb stops at the limit) and turns every failure into an
 * input error (exit code 3) that says which input and where.
 */
import * as fs from 'node:fs';
import { pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { connectDataverse, connectFno } from '../../client/connect';
import { CsdlError, parseCsdlStream, type CsdlParseOptions } from '../../client/metadata/csdl';
import { MetadataCache } from '../../client/metadata/metadata-cache';
import type { CsdlModel } from '../../client/metadata/model';
import { loadServiceMetadata } from '../../client/metadata/service-metadata';
import type { ServiceKind } from '../../connectors/types';
import { CliError, EXIT, inputError, usageError } from './exit-codes';
import { megabytes, type Progress } from './io';

export interface MetadataSourceOptions {
  service: ServiceKind;
  maxMetadataMB: number;
  progress: Progress;
  /** Credentials for a URL; flags win over the environment variables. */
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  authority?: string;
  ca?: string;
  env: Record<string, string | undefined>;
}

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

export async function loadMetadata(source: string, options: MetadataSourceOptions): Promise<CsdlModel> {
  const parse: CsdlParseOptions = { maxLength: Math.floor(options.maxMetadataMB * 1024 * 1024) };
  return isUrl(source) ? fromUrl(source, parse, options) : fromFile(source, parse, options);
}

function describeCsdlError(where: string, e: unknown, secrets: string[] = []): CliError {
  let message = e instanceof Error ? e.message : String(e);
  for (const s of secrets) if (s) message = message.split(s).join('***');
  if (e instanceof CsdlError) return inputError(`${where}: ${message}`);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) {
    return inputError(`${where}: the gzip data is corrupt or truncated (${message})`);
  }
  return inputError(`${where}: ${message}`);
}

async function isGzip(file: string): Promise<boolean> {
  if (/\.gz$/i.test(file)) return true;
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function fromFile(file: string, parse: CsdlParseOptions, options: MetadataSourceOptions): Promise<CsdlModel> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw inputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${(e as Error).message})`);
  }
  if (!stat.isFile()) throw inputError(`${file}: not a file`);
  if (stat.size === 0) throw inputError(`${file}: the file is empty`);
  let gzip: boolean;
  try {
    gzip = await isGzip(file);
  } catch (e) {
    throw inputError(`${file}: cannot read (${(e as Error).message})`);
  }
  const limitBytes = options.maxMetadataMB * 1024 * 1024;
  if (!gzip && stat.size > limitBytes) {
    throw inputError(`${file}: ${megabytes(stat.size)} is over the metadata size limit of ${options.maxMetadataMB} MB (raise it with --max-metadata-mb)`);
  }
  const raw = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  let read = 0;
  const report = (force = false) => options.progress.update(`reading ${file}: ${megabytes(read)} of ${megabytes(stat.size)}`, force);
  let source: AsyncIterable<Buffer>;
  if (gzip) {
    raw.on('data', (chunk: string | Buffer) => {
      read += chunk.length;
      report();
    });
    const gunzip = zlib.createGunzip();
    pipeline(raw, gunzip, () => undefined); // errors surface through the iteration of gunzip
    source = gunzip;
  } else {
    source = (async function* counted() {
      for await (const chunk of raw as AsyncIterable<Buffer>) {
        read += chunk.length;
        report();
        yield chunk;
      }
    })();
  }
  try {
    const model = await parseCsdlStream(source, parse);
    report(true);
    return model;
  } catch (e) {
    if (e instanceof CsdlError && /document is larger than/.test(e.message)) {
      throw inputError(`${file}: the metadata is over the size limit of ${options.maxMetadataMB} MB${gzip ? ' once unzipped' : ''} (raise it with --max-metadata-mb)`);
    }
    throw describeCsdlError(file, e);
  } finally {
    raw.destroy();
    options.progress.done();
  }
}

async function fromUrl(url: string, parse: CsdlParseOptions, options: MetadataSourceOptions): Promise<CsdlModel> {
  const env = options.env;
  const clientId = options.clientId ?? env.D365_CLIENT_ID;
  const clientSecret = options.clientSecret ?? env.D365_CLIENT_SECRET;
  const tenantId = options.tenant ?? env.D365_TENANT_ID;
  if (!clientId) throw usageError('--metadata URL needs --client-id or D365_CLIENT_ID');
  if (!clientSecret) throw usageError('--metadata URL needs D365_CLIENT_SECRET (or --client-secret)');
  if (!tenantId && !options.authority) throw usageError('--metadata URL needs --tenant or D365_TENANT_ID (or --authority)');
  let ca: Buffer | undefined;
  if (options.ca) {
    try {
      ca = fs.readFileSync(options.ca);
    } catch (e) {
      throw inputError(`--ca ${options.ca}: cannot read (${(e as Error).message})`);
    }
  }
  let environmentUrl: string;
  try {
    const parsed = new URL(url);
    environmentUrl = `${parsed.origin}/`;
  } catch {
    throw usageError(`--metadata '${url}' is not a valid URL`);
  }
  const secrets = [clientSecret];
  const credentials = { kind: 'secret' as const, clientId, clientSecret, tenantId, authorityUrl: options.authority };
  let connection: { close(): void } | undefined;
  options.progress.update(`downloading ${environmentUrl}${options.service === 'fno' ? 'data' : 'api/data/v9.2'}/$metadata…`, true);
  try {
    if (options.service === 'fno') {
      // The F&O client: token for the F&O environment (no trailing slash in the resource), /data/$metadata.
      const fno = connectFno({ environmentUrl: environmentUrl.replace(/\/$/, ''), credentials, ca, concurrency: false, timeoutMs: 120_000, metadata: false });
      connection = fno;
      // The client's own reader bounds the document (parseCsdlStream's defaults); --max-metadata-mb applies to files and Dataverse.
      return await fno.metadata();
    }
    const dataverse = connectDataverse({ environmentUrl, credentials, ca, concurrency: false, timeoutMs: 120_000 });
    connection = dataverse;
    // A cache of its own: one download, held by nobody once the command ends.
    return await loadServiceMetadata(dataverse.context, { cache: new MetadataCache(), parse });
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (e instanceof CsdlError && /document is larger than/.test(e.message)) {
      throw inputError(`${environmentUrl}: the metadata is over the size limit of ${options.maxMetadataMB} MB (raise it with --max-metadata-mb)`);
    }
    const error = describeCsdlError(`${environmentUrl}$metadata`, e, secrets);
    throw new CliError(error.message, EXIT.INPUT);
  } finally {
    connection?.close();
    options.progress.done();
  }
}
