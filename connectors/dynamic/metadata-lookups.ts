/**
 * Internal lookup operations the designer calls to fill dropdowns.
 *
 * Decision: only the table list is looked up at design time. Dataverse can list tables by entity set name
 * (GET EntityDefinitions), but every per-table lookup (columns, relationships, file columns, keys) is keyed by the
 * table's *logical* name (EntityDefinitions(LogicalName='account')/…), while the row operations need the *entity
 * set* name in their URL (accounts). x-ms-dynamic-* can only pass a parameter's value on unchanged, not derive
 * one from the other or build a `$filter=EntitySetName eq '…'`, so such dropdowns would query the wrong table.
 * Those values are therefore free text with examples in their descriptions. Column schemas are the exception:
 * GetTableSchema (table-schema.ts) goes through the connector's script, which can look the table up by entity set
 * name and turn its attribute metadata into the JSON Schema x-ms-dynamic-schema / -properties need.
 */
import { addOperation, DynamicContext, GET_TABLES, internalQuery } from './common';
import { DEFINITIONS, schemaRef } from './schemas';

export function addMetadataLookups(ctx: DynamicContext): void {
  const id = addOperation(ctx, {
    path: '/EntityDefinitions',
    method: 'get',
    id: GET_TABLES,
    title: 'List tables',
    description: 'Lists the tables of the environment with their entity set and display names, for the table dropdowns',
    visibility: 'internal',
    parameters: [
      internalQuery('$select', 'LogicalName,EntitySetName,DisplayCollectionName', 'Table properties', 'The table properties to return'),
    ],
    responses: { 200: { description: 'The tables.', schema: schemaRef(DEFINITIONS.TableList) } },
  });
  if (id !== GET_TABLES) throw new Error(`Internal error: the lookup operation was named ${id}.`);
}
