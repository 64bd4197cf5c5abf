/** Dataverse's answers to a change-tracking request, reworded to say what to do in the node. */
import { D365Error } from '../../../../client/http/errors';
import type { TableInfo } from '../../../../client/metadata/entity-definitions';

const NOT_TRACKED_CODE = '0x80072491';

function reworded(error: D365Error, message: string): D365Error {
  return new D365Error(message, { status: error.status, code: error.code, requestId: error.requestId, operation: error.operation, cause: error });
}

function isNotTracked(error: D365Error): boolean {
  return error.code === NOT_TRACKED_CODE || /not enabled for change tracking/i.test(error.message);
}

/**
 * True when Dataverse refused a delta token (expired past the change retention, or garbled): a 400 to a request
 * made with a token that is not the "table not tracked" answer. Only meaningful for a request made with a token.
 */
export function isTokenRefused(error: unknown): boolean {
  return error instanceof D365Error && error.status === 400 && !isNotTracked(error);
}

export function explainTrackingError(error: unknown, table: TableInfo, withToken: boolean): unknown {
  if (!(error instanceof D365Error)) return error;
  if (isNotTracked(error)) {
    return reworded(
      error,
      `Change tracking must be enabled on the table '${table.logicalName}' to get its changes: in Power Apps open the table's properties, Advanced options, and turn on "Track changes". (Dataverse: ${error.message})`,
    );
  }
  // With a token, a 400 is Dataverse refusing the token (expired past the change retention, or garbled).
  if (withToken && isTokenRefused(error)) {
    return reworded(
      error,
      `Dataverse refused the Delta Token: it has expired or is not valid. Clear the Delta Token to start a new full sync, and save the nextDeltaToken it outputs. (Dataverse: ${error.message})`,
    );
  }
  return error;
}
