/**
 * Data management package API: import a package (GetAzureWriteUrl → PUT to the blob → ImportFromPackage → wait →
 * GetExecutionErrors) and export one (ExportToPackage → wait → GetExportedPackageUrl → download → unpack). Blob
 * transfers go to SAS URLs through the blob transport, never with the bearer token.
 */
import { randomUUID } from 'node:crypto';
import { callCollectionAction } from './actions';
import { callOptions, checkCompanyId, type CallOptions, type FnoContext } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { DMF_SET, waitForExecution, type ExecutionStatus, type PollOptions } from './dmf-poll';
import { buildPackage, checkPackage, readPackage, type BuildPackageOptions, type OpenedPackage, type PackageEntityInput } from './package/data-package';
import { loadModel } from './schema';
import type { CompanyOptions } from './paths';

export interface DmfRowError {
  /** The message as Data management wrote it. */
  message: string;
  entity?: string;
  file?: string;
  /** Line of the data file (header = line 1), when the message names one. */
  line?: number;
}

export interface DmfJobResult {
  executionId: string;
  status: ExecutionStatus;
  /** Succeeded with no error; PartiallySucceeded imported some rows and refused others. */
  succeeded: boolean;
  errors: DmfRowError[];
}

export interface ImportOptions extends PollOptions, CompanyOptions {
  /** The data project (definition group) that imports the package. */
  definitionGroupId: string;
  /** Default '' (the service makes one). */
  executionId?: string;
  /** false stages and validates only (default true). */
  execute?: boolean;
  /** Must stay false for composite entities (default false). */
  overwrite?: boolean;
  /** Check locally that the package is a readable data package before uploading it (default true). */
  verify?: boolean;
  /** Return right after ImportFromPackage, without waiting (default false). */
  noWait?: boolean;
}

export interface ImportRowsOptions extends ImportOptions {
  entityName: string;
  columns?: string[];
  encoding?: BuildPackageOptions['encoding'];
}

async function legalEntity(ctx: FnoContext, options: CompanyOptions & CallOptions): Promise<string> {
  const company = options.company ?? ctx.company;
  if (company !== undefined) return checkCompanyId(company);
  // Data management needs a legal entity; without one, use the caller's default company as F&O's UI does.
  const info = await ctx.executeJson<{ Company?: unknown }>({
    method: 'POST',
    path: 'api/services/UserSessionService/AifUserSessionService/GetUserSessionInfo',
    json: {},
    idempotent: true,
    operation: 'default company',
    ...callOptions(options),
  });
  if (typeof info?.Company !== 'string' || !info.Company) throw invalidArgument('No company was given for the Data management job and the default company could not be read; pass company.');
  return info.Company.toLowerCase();
}

function text(value: unknown, action: string): string {
  if (typeof value !== 'string') throw invalidResponse(`${action} answered ${JSON.stringify(value)?.slice(0, 80)}, not a string.`);
  return value;
}

/** GetAzureWriteUrl's `value` is a JSON document inside the string: `{"BlobId":"{…}","BlobUrl":"https://…?sig=…"}`. */
export function parseWriteUrl(value: unknown): { blobId: string; blobUrl: string } {
  let parsed: { BlobId?: unknown; BlobUrl?: unknown };
  try {
    parsed = JSON.parse(text(value, 'GetAzureWriteUrl'));
  } catch (e) {
    if (e instanceof SyntaxError) throw invalidResponse('GetAzureWriteUrl answered a value that is not the expected JSON string with BlobId and BlobUrl.');
    throw e;
  }
  if (typeof parsed?.BlobUrl !== 'string' || !/^https?:\/\//i.test(parsed.BlobUrl)) throw invalidResponse('GetAzureWriteUrl answered no BlobUrl.');
  return { blobId: String(parsed.BlobId ?? ''), blobUrl: parsed.BlobUrl };
}

export async function getWriteUrl(ctx: FnoContext, uniqueFileName: string, options: CallOptions = {}): Promise<{ blobId: string; blobUrl: string }> {
  return parseWriteUrl(await callCollectionAction(ctx, DMF_SET, 'GetAzureWriteUrl', { uniqueFileName }, { ...options, idempotent: true }));
}

export async function uploadPackage(ctx: FnoContext, blobUrl: string, zip: Buffer, options: CallOptions = {}): Promise<void> {
  await ctx.sendBlob({
    method: 'PUT',
    url: blobUrl,
    headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip' },
    body: zip,
    idempotent: true,
    operation: 'upload data package',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

const LINE = /\bline (\d+)\b/i;

/** GetExecutionErrors: a JSON list inside the string (its item format is not documented: text or objects). */
export function parseExecutionErrors(value: unknown): DmfRowError[] {
  if (value === undefined || value === null || value === '') return [];
  let items: unknown = value;
  if (typeof value === 'string') {
    try {
      items = JSON.parse(value);
    } catch {
      items = [value];
    }
  }
  const list = Array.isArray(items) ? items : [items];
  return list.map((item) => {
    const message = typeof item === 'string' ? item : JSON.stringify(item);
    const error: DmfRowError = { message };
    // "<entity>, <file> line <n>: <message>", as Data management prefixes row errors.
    const head = /^([^,:]+), ([^:]+?)(?: line (\d+))?: /.exec(message);
    if (head) {
      error.entity = head[1].trim();
      error.file = head[2].trim();
    }
    const line = LINE.exec(message);
    if (line) error.line = Number(line[1]);
    return error;
  });
}

export async function executionErrors(ctx: FnoContext, executionId: string, options: CallOptions = {}): Promise<DmfRowError[]> {
  return parseExecutionErrors(await callCollectionAction(ctx, DMF_SET, 'GetExecutionErrors', { executionId }, { ...options, idempotent: true }));
}

async function result(ctx: FnoContext, executionId: string, status: ExecutionStatus, options: CallOptions): Promise<DmfJobResult> {
  const errors = status === 'Succeeded' ? [] : await executionErrors(ctx, executionId, options);
  return { executionId, status, succeeded: status === 'Succeeded' && errors.length === 0, errors };
}

/** Uploads a package and imports it; the result says how the job ended and which rows it refused. */
export async function importPackage(ctx: FnoContext, zip: Buffer, options: ImportOptions): Promise<DmfJobResult> {
  if (!Buffer.isBuffer(zip) || zip.length === 0) throw invalidArgument('The package must be the bytes of a ZIP file.');
  if (!options?.definitionGroupId?.trim()) throw invalidArgument('definitionGroupId (the data project that imports the package) is required.');
  if (options.verify !== false) checkPackage(zip);
  const company = await legalEntity(ctx, options);
  const call = callOptions(options);
  const { blobUrl } = await getWriteUrl(ctx, `${options.definitionGroupId.replace(/[^\w.-]/g, '_')}-${randomUUID()}.zip`, call);
  await uploadPackage(ctx, blobUrl, zip, call);
  const executionId = text(
    await callCollectionAction(ctx, DMF_SET, 'ImportFromPackage', {
      packageUrl: blobUrl,
      definitionGroupId: options.definitionGroupId,
      executionId: options.executionId ?? '',
      execute: options.execute ?? true,
      overwrite: options.overwrite ?? false,
      legalEntityId: company,
    }, call),
    'ImportFromPackage',
  );
  if (!executionId) throw invalidResponse('ImportFromPackage answered an empty execution id.');
  if (options.noWait) return { executionId, status: 'NotRun', succeeded: false, errors: [] };
  const status = await waitForExecution(ctx, executionId, options);
  return result(ctx, executionId, status, call);
}

/** Builds a one-entity package from rows (or a data file) and imports it. */
export async function importRows(ctx: FnoContext, rows: Iterable<Record<string, unknown>>, options: ImportRowsOptions): Promise<DmfJobResult> {
  const zip = buildPackage({ definitionGroupId: options.definitionGroupId, entities: [{ entityName: options.entityName, rows, columns: options.columns }], encoding: options.encoding });
  return importPackage(ctx, zip, { ...options, verify: false });
}

export async function importFile(ctx: FnoContext, file: Buffer, options: ImportOptions & { entityName: string; fileName?: string; sourceFormat?: string }): Promise<DmfJobResult> {
  const entity: PackageEntityInput = { entityName: options.entityName, file, fileName: options.fileName, sourceFormat: options.sourceFormat };
  return importPackage(ctx, buildPackage({ definitionGroupId: options.definitionGroupId, entities: [entity] }), options);
}

export interface ExportOptions extends PollOptions, CompanyOptions {
  definitionGroupId: string;
  /** Default `<definitionGroupId>.zip`. */
  packageName?: string;
  executionId?: string;
  reExecute?: boolean;
}

export interface ExportResult extends DmfJobResult {
  /** The package, when the export produced one. */
  package?: Buffer;
}

export async function exportPackage(ctx: FnoContext, options: ExportOptions): Promise<ExportResult> {
  if (!options?.definitionGroupId?.trim()) throw invalidArgument('definitionGroupId (the export data project) is required.');
  const company = await legalEntity(ctx, options);
  const call = callOptions(options);
  const executionId = text(
    await callCollectionAction(ctx, DMF_SET, 'ExportToPackage', {
      definitionGroupId: options.definitionGroupId,
      packageName: options.packageName ?? `${options.definitionGroupId}.zip`,
      executionId: options.executionId ?? '',
      reExecute: options.reExecute ?? false,
      legalEntityId: company,
    }, call),
    'ExportToPackage',
  );
  const status = await waitForExecution(ctx, executionId, options);
  const done = await result(ctx, executionId, status, call);
  if (status !== 'Succeeded' && status !== 'PartiallySucceeded') return done;
  const url = text(await callCollectionAction(ctx, DMF_SET, 'GetExportedPackageUrl', { executionId }, { ...call, idempotent: true }), 'GetExportedPackageUrl');
  if (!url) throw invalidResponse(`GetExportedPackageUrl of '${executionId}' answered no URL although the export ended ${status}.`);
  const response = await ctx.sendBlob({ method: 'GET', url, headers: {}, idempotent: true, operation: 'download data package', ...(options.signal ? { signal: options.signal } : {}) });
  return { ...done, package: response.body };
}

export interface ExportRowsResult extends ExportResult {
  opened: OpenedPackage;
}

/**
 * Exports and unpacks. Data management writes header names in upper case; when the environment's model knows
 * the entity, columns get the entity's own field names back.
 */
export async function exportRows(ctx: FnoContext, options: ExportOptions): Promise<ExportRowsResult> {
  const exported = await exportPackage(ctx, options);
  if (!exported.package) {
    throw invalidResponse(`The export '${exported.executionId}' ended ${exported.status} without a package: ${exported.errors.map((e) => e.message).join('; ') || 'no error was reported'}.`);
  }
  const fields = ctx.useMetadata ? await fieldNames(ctx, options) : undefined;
  const opened = readPackage(exported.package, { columnName: (entity, column) => fields?.(entity, column) ?? column });
  return { ...exported, opened };
}

async function fieldNames(ctx: FnoContext, options: CallOptions): Promise<(entity: string, column: string) => string | undefined> {
  const model = await loadModel(ctx, options);
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');
  return (entity, column) => {
    for (const [setName, set] of model.entitySets) {
      const typeName = set.entityType.split('.').pop() ?? '';
      if (norm(setName) !== norm(entity) && norm(typeName) !== norm(entity)) continue;
      const type = model.entityTypes.get(set.entityType);
      for (const name of type?.properties.keys() ?? []) if (name.toLowerCase() === column.toLowerCase()) return name;
    }
    return undefined;
  };
}
