import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { withConnection } from '../Dataverse/methods/context';

/**
 * Only the tables with change tracking enabled (EntityDefinitions' ChangeTrackingEnabled): the others cannot be
 * polled for changes. The search matches display name, logical name and entity set name, like searchTables.
 */
export async function searchTrackedTables(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const tables = await conn.metadata.listTables();
    const results = tables
      .filter((t) => t.changeTrackingEnabled)
      .filter((t) => !wanted || [t.displayName, t.logicalName, t.entitySetName].some((s) => s?.toLowerCase().includes(wanted)))
      .map((t) => ({
        name: t.displayName ? `${t.displayName} (${t.entitySetName})` : t.entitySetName,
        value: t.entitySetName,
        url: `${conn.dv.serviceRoot}${t.entitySetName}`,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { results };
  });
}
