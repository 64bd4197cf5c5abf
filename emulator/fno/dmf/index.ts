/**
 * Data management for the F&O emulator: the package API actions (after authentication) and the SAS-signed blob
 * endpoint for package upload and download (before it, since a SAS URL carries no bearer token).
 */
import type { FnoExtension, FnoExtensionFactory } from '../context';
import { dataManagementActions } from './actions';
import { blobEndpoint } from './blob-endpoint';
import type { DataManagement, DataManagementOptions } from './runtime';
import { dataManagementOf } from './shared';

export { DataManagement } from './runtime';
export type { DataManagementOptions } from './runtime';
export type { ExecutionStatus } from './executions';
export { dataManagementOf } from './shared';

export interface DataManagementExtension extends FnoExtension {
  name: 'data-management';
  runtime: DataManagement;
}

export function dataManagementExtension(options: DataManagementOptions = {}): FnoExtensionFactory {
  return (service): DataManagementExtension => {
    const runtime = dataManagementOf(service, options);
    return {
      name: 'data-management',
      runtime,
      handlers: [dataManagementActions(runtime)],
      publicHandlers: [blobEndpoint(runtime.blobs)],
      close: () => runtime.close(),
    };
  };
}
