/**
 * The SDK messages and message filters every organisation has, so clients look them up by name and table as
 * they do against Dataverse (`sdkmessages?$filter=name eq 'Update'`, then the filter for table + message).
 * Ids are derived from names, stable across starts; existing rows are left alone (restored data directories).
 */
import { stableId } from '../dataverse/sample-data';
import type { DataverseSchema } from '../dataverse/schema';
import { LOOKUP_TABLES, TableStore } from '../store/table-store';

export const SEEDED_MESSAGES = ['Create', 'Update', 'Delete'] as const;

export function seedSdkMessages(store: TableStore, schema: DataverseSchema, now: Date): void {
  const messageTable = schema.table('sdkmessage');
  const filterTable = schema.table('sdkmessagefilter');
  if (!messageTable || !filterTable) return;
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const blank = (columns: Iterable<string>) => Object.fromEntries([...columns].map((c) => [c, null]));
  for (const name of SEEDED_MESSAGES) {
    const messageId = stableId(`sdkmessage:${name}`);
    if (!store.get('sdkmessage', messageId)) {
      store.put('sdkmessage', messageId, {
        ...blank(messageTable.columns.keys()), sdkmessageid: messageId, sdkmessageidunique: messageId, name, isactive: true,
        availability: 2, isprivate: false, isreadonly: false, autotransact: true, expand: false, template: false,
        isvalidforexecuteasync: false, workflowsdkstepenabled: true, categoryname: name, customizationlevel: 0,
        createdon: stamp, modifiedon: stamp,
      });
    }
    for (const table of schema.tables.values()) {
      const filterId = stableId(`sdkmessagefilter:${name}:${table.logicalName}`);
      if (store.get('sdkmessagefilter', filterId)) continue;
      store.put('sdkmessagefilter', filterId, {
        ...blank(filterTable.columns.keys()), sdkmessagefilterid: filterId, sdkmessagefilteridunique: filterId,
        _sdkmessageid_value: messageId, primaryobjecttypecode: table.logicalName, secondaryobjecttypecode: 'none',
        availability: 0, iscustomprocessingstepallowed: true, isvisible: true, workflowsdkstepenabled: true,
        customizationlevel: 0, createdon: stamp, modifiedon: stamp, [LOOKUP_TABLES]: { _sdkmessageid_value: 'sdkmessage' },
      });
    }
  }
}
