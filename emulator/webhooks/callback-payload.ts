/**
 * The body a callbackregistration receives when its change happens. Reference §12.5: the first-party trigger gets a
 * flattened, entity-typed row (its columns at the top level, not a RemoteExecutionContext), and its `SdkMessage` is
 * Create, Update or Delete. The exact format is not published, so this is the smallest shape those facts give:
 * `@odata.type`, `SdkMessage`, then the row as the Web API serializes it (lookups as `_x_value`); for Delete only
 * the primary key, since the row is gone. (Inference: no annotations, no etag.)
 */
import type { DataverseService } from '../dataverse/context';
import { serializeRow } from '../dataverse/serialize';
import type { RowChange } from './types';

const NO_ANNOTATIONS = { returnRepresentation: false, annotations: [], trackChanges: false, continueOnError: false };

export function buildCallbackPayload(service: DataverseService, change: RowChange): Record<string, unknown> {
  const table = service.schema.table(change.table)!;
  const head: Record<string, unknown> = { '@odata.type': `#Microsoft.Dynamics.CRM.${table.logicalName}`, SdkMessage: change.message };
  if (change.message === 'Delete' || !change.post) return { ...head, [table.primaryId]: change.id };
  const row = serializeRow(table, change.post, undefined, { prefs: NO_ANNOTATIONS, lookupName: () => undefined });
  delete row['@odata.etag'];
  // Content of file, image and binary columns is left out, as the Web API leaves it out of row bodies (inference).
  for (const column of table.columns.values()) if (column.kind === 'file' || column.kind === 'image' || column.kind === 'binary') delete row[column.name];
  return { ...head, ...row };
}
