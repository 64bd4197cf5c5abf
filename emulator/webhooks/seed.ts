/**
 * The SDK messages and message filters every organisation has, so clients look them up by name and table as
 * they do against Dataverse (`sdkmessages?$filter=name eq 'Update'`, then the filter for table + message): Create,
 * Update and Delete on every table, and one message per action the model declares, filtered on the tables it is
 * bound to (`none` for an unbound action), so webhook steps can be registered on actions too.
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
  const messages = new Map<string, string[]>(SEEDED_MESSAGES.map((name) => [name, [...schema.tables.keys()]]));
  for (const action of schema.model.actions) {
    if ((SEEDED_MESSAGES as readonly string[]).includes(action.name)) continue;
    const binding = action.bound ? action.parameters[0]?.type : undefined;
    const tables = binding ? [...schema.tables.values()].filter((t) => t.type.qualifiedName === binding).map((t) => t.logicalName) : ['none'];
    messages.set(action.name, [...new Set([...(messages.get(action.name) ?? []), ...tables])]);
  }
  for (const [name, tables] of messages) {
    const messageId = stableId(`sdkmessage:${name}`);
    if (!store.get('sdkmessage', messageId)) {
      store.put('sdkmessage', messageId, {
        ...blank(messageTable.columns.keys()), sdkmessageid: messageId, sdkmessageidunique: messageId, name, isactive: true,
        availability: 2, isprivate: false, isreadonly: false, autotransact: true, expand: false, template: false,
        isvalidforexecuteasync: false, workflowsdkstepenabled: true, categoryname: name, customizationlevel: 0,
        createdon: stamp, modifiedon: stamp,
      });
    }
    for (const table of tables) {
      const filterId = stableId(`sdkmessagefilter:${name}:${table}`);
      if (store.get('sdkmessagefilter', filterId)) continue;
      store.put('sdkmessagefilter', filterId, {
        ...blank(filterTable.columns.keys()), sdkmessagefilterid: filterId, sdkmessagefilteridunique: filterId,
        _sdkmessageid_value: messageId, primaryobjecttypecode: table, secondaryobjecttypecode: 'none',
        availability: 0, iscustomprocessingstepallowed: true, isvisible: true, workflowsdkstepenabled: true,
        customizationlevel: 0, createdon: stamp, modifiedon: stamp, [LOOKUP_TABLES]: { _sdkmessageid_value: 'sdkmessage' },
      });
    }
  }
}
