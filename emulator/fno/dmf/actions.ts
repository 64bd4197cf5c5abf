/**
 * The Data management package API: OData actions bound to the DataManagementDefinitionGroups collection, each
 * answering `{"@odata.context": …#Edm.String, "value": …}` (Edm.Boolean for GenerateImportTargetErrorKeysFile).
 * GetAzureWriteUrl returns its URL as a JSON document inside the string, as F&O does.
 */
import type { FnoHandler, FnoService } from '../context';
import { FnoError } from '../context';
import { badRequest, errorToResponse } from '../errors';
import { writeCsv } from '../package/csv';
import type { EmulatorResponse } from '../../http/types';
import { readParameters, type ParamType } from './action-body';
import { checkBlobName } from './blob-store';
import { DataManagement } from './runtime';

const PREFIX = '/data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.';

type Params = Record<string, string | boolean | number>;
type Action = { signature: Record<string, ParamType>; run: (p: Params, userId: string) => string | boolean };

export function dataManagementActions(dm: DataManagement): FnoHandler {
  const service = dm.service;
  const importAction: Action = {
    signature: { packageUrl: 'string', definitionGroupId: 'string', executionId: 'string', execute: 'boolean', overwrite: 'boolean', legalEntityId: 'string' },
    run: (p, userId) => {
      const company = service.resolveCompany(String(p.legalEntityId));
      const name = dm.blobs.nameOf(String(p.packageUrl));
      if (name === undefined) throw badRequest('packageUrl must be a URL returned by GetAzureWriteUrl: the emulator reads packages only from its own blob storage.');
      const blob = dm.blobs.get(name);
      if (!blob) throw badRequest(`Nothing was uploaded to the package URL (blob '${name}'); PUT the package there first.`);
      return dm.startImport({ packageBytes: blob.data, definitionGroupId: String(p.definitionGroupId), executionId: String(p.executionId), execute: p.execute === true, company, userId }).id;
    },
  };
  const exportAction: Action = {
    signature: { definitionGroupId: 'string', packageName: 'string', executionId: 'string', reExecute: 'boolean', legalEntityId: 'string' },
    run: (p) => {
      const company = service.resolveCompany(String(p.legalEntityId));
      return dm.startExport({ definitionGroupId: String(p.definitionGroupId), packageName: String(p.packageName), executionId: String(p.executionId), reExecute: p.reExecute === true, company }).id;
    },
  };
  const previewAction: Action = {
    signature: { ...exportAction.signature, count: 'number' },
    run: (p) => {
      const count = Number(p.count);
      if (!Number.isInteger(count) || count < 0) throw badRequest('The parameter \'count\' of the operation \'ExportToPackagePreview\' must be a non-negative integer.');
      const company = service.resolveCompany(String(p.legalEntityId));
      return dm.startExport({ definitionGroupId: String(p.definitionGroupId), packageName: String(p.packageName), executionId: String(p.executionId), reExecute: p.reExecute === true, company, limit: count }).id;
    },
  };
  const byExecution = { executionId: 'string' } as const;
  const byEntity = { executionId: 'string', entityName: 'string' } as const;
  const entityErrors = (p: Params) => {
    const job = dm.executions.get(String(p.executionId));
    const prefix = `${String(p.entityName).toLowerCase()},`;
    return (job?.outcome?.errors ?? []).filter((e) => e.toLowerCase().startsWith(prefix));
  };
  const errorFileUrl = (p: Params, kind: string) => {
    const errors = entityErrors(p);
    if (errors.length === 0) return '';
    const name = `${String(p.executionId).replace(/[^\w.-]/g, '_')}-${String(p.entityName).replace(/[^\w.-]/g, '_')}-${kind}.csv`;
    dm.blobs.put(name, writeCsv([['ERROR'], ...errors.map((e) => [e])]), 'text/csv');
    return dm.blobs.sasUrl(name, 'r');
  };
  const actions: Record<string, Action> = {
    GetAzureWriteUrl: {
      signature: { uniqueFileName: 'string' },
      run: (p) => {
        const problem = checkBlobName(String(p.uniqueFileName));
        if (problem) throw badRequest(problem);
        return JSON.stringify({ BlobId: DataManagement.blobId(), BlobUrl: dm.blobs.sasUrl(String(p.uniqueFileName), 'w') });
      },
    },
    ImportFromPackage: importAction,
    ImportFromPackageAsync: importAction,
    ExportToPackage: exportAction,
    ExportToPackageAsync: exportAction,
    ExportToPackagePreview: previewAction,
    ExportToPackagePreviewAsync: previewAction,
    GetExecutionSummaryStatus: { signature: byExecution, run: (p) => dm.executions.status(String(p.executionId)) },
    GetExportedPackageUrl: {
      signature: byExecution,
      run: (p) => {
        const job = dm.executions.get(String(p.executionId));
        return job?.outcome?.packageBlob ? dm.blobs.sasUrl(job.outcome.packageBlob, 'r') : '';
      },
    },
    GetExecutionErrors: {
      signature: byExecution,
      run: (p) => {
        const job = dm.executions.get(String(p.executionId));
        if (!job) throw new FnoError(400, `The execution '${String(p.executionId)}' was not found.`);
        return JSON.stringify(job.outcome?.errors ?? []);
      },
    },
    GetImportStagingErrorFileUrl: { signature: byEntity, run: (p) => errorFileUrl(p, 'staging-errors') },
    GenerateImportTargetErrorKeysFile: { signature: byEntity, run: (p) => entityErrors(p).length > 0 },
    GetImportTargetErrorKeysFileUrl: { signature: byEntity, run: (p) => errorFileUrl(p, 'target-error-keys') },
    GetMessageStatus: {
      signature: { messageId: 'string' },
      run: (p) => {
        const status = dm.messageStatus(String(p.messageId));
        if (status === undefined) throw new FnoError(400, `The message '${String(p.messageId)}' was not found.`);
        return status;
      },
    },
  };

  return async (req, ctx) => {
    if (!req.url.pathname.startsWith(PREFIX)) return undefined;
    const name = req.url.pathname.slice(PREFIX.length);
    const action = actions[name];
    if (!action) return undefined;
    if (req.method !== 'POST') return errorToResponse(new FnoError(405, `${name} is an action; call it with POST.`));
    try {
      const params = readParameters(name, req.body, action.signature);
      const value = action.run(params, ctx.userId);
      return valueResponse(service, value);
    } catch (e) {
      if (e instanceof FnoError) return errorToResponse(e);
      throw e;
    }
  };
}


function valueResponse(service: FnoService, value: string | boolean): EmulatorResponse {
  const type = typeof value === 'boolean' ? 'Edm.Boolean' : 'Edm.String';
  return {
    status: 200,
    headers: { 'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8', 'odata-version': '4.0' },
    body: JSON.stringify({ '@odata.context': `${service.origin}/data/$metadata#${type}`, value }),
  };
}
