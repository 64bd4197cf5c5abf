/** The Finance & Operations client: entities, actions, custom services, Data management and recurring integrations. */
export { FnoClient } from './client';
export { FnoContext, type CallOptions as FnoCallOptions, type FnoClientOptions } from './context';
export type { FnoPage, FnoRow, GetOptions as FnoGetOptions, PageOptions as FnoPageOptions, RowOptions as FnoRowOptions, UpsertResult as FnoUpsertResult, WriteOptions as FnoWriteOptions, WriteResult as FnoWriteResult } from './entities';
export type { CompanyOptions, FnoKey, FnoQuery } from './paths';
export { FNO_NAMESPACE } from './actions';
export type { ServiceGroupInfo, ServiceInfo, ServiceOperationInfo, ServiceParameterInfo } from './services';
export { parseExecutionErrors, parseWriteUrl, type DmfJobResult, type DmfRowError, type ExportOptions, type ExportResult, type ExportRowsResult, type ImportOptions, type ImportRowsOptions } from './dmf';
export { isFinalStatus, type ExecutionStatus, type PollOptions } from './dmf-poll';
export { activitySegment, type DataJobStatusDetail, type DequeuedMessage, type EnqueueOptions } from './recurring';
export { buildPackage, readPackage, type BuildPackageOptions, type OpenedPackage, type PackageEntityData, type PackageEntityInput } from './package/data-package';
export { readZip, type ZipEntry, type ZipReadLimits } from './package/zip-reader';
export { writeZip, type ZipInput } from './package/zip-writer';
export {
  activateBusinessEvent,
  createHttpsEndpoint,
  deactivateBusinessEvent,
  deleteEventEndpoint,
  listBusinessEvents,
  listEventActivations,
  listEventEndpoints,
  type BusinessEventActivation,
  type BusinessEventEndpoint,
  type BusinessEventInfo,
} from './business-events';
