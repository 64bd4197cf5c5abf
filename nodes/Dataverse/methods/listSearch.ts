import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { filterBuilder } from '../../../client/odata/filter';
import { currentTable, withConnection } from './context';

const PAGE = 50;

/** Tables from EntityDefinitions; the search matches display name, logical name and entity set name. */
export async function searchTables(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const tables = await conn.metadata.listTables();
    const results = tables
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

/** Rows of the chosen table; the search is `contains` on its primary name column; pages follow the nextLink. */
export async function searchRows(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const nameColumn = table.primaryNameAttribute;
    let page;
    if (paginationToken) {
      page = await conn.dv.retrieveNextPage(paginationToken, { pageSize: PAGE });
    } else {
      const f = filterBuilder();
      const text = (filter ?? '').trim();
      page = await conn.dv.retrieveMultiple(
        table.entitySetName,
        {
          select: nameColumn ? [table.primaryIdAttribute, nameColumn] : [table.primaryIdAttribute],
          filter: text && nameColumn ? f.contains(nameColumn, text) : undefined,
          orderBy: nameColumn ? [nameColumn] : undefined,
        },
        { pageSize: PAGE },
      );
    }
    const results = page.rows.map((row) => {
      const id = String(row[table.primaryIdAttribute]);
      const name = nameColumn && typeof row[nameColumn] === 'string' && row[nameColumn] ? String(row[nameColumn]) : id;
      return { name, value: id, url: `${conn.dv.environmentUrl}main.aspx?etn=${table.logicalName}&id=${id}&pagetype=entityrecord` };
    });
    return { results, paginationToken: page.nextLink };
  });
}
