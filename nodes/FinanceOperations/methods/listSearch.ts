import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { withConnection } from './context';

const matches = (wanted: string, ...texts: (string | undefined)[]) => !wanted || texts.some((t) => t?.toLowerCase().includes(wanted));

/** Entity sets from `$metadata`; the search matches the set and its entity type name. */
export async function searchEntitySets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const model = await conn.fno.metadata();
    const results = [...model.entitySets.values()]
      .map((set) => ({ set: set.name, type: set.entityType.split('.').pop() ?? '' }))
      .filter((s) => matches(wanted, s.set, s.type))
      .map((s) => ({ name: s.type && s.type !== s.set ? `${s.set} (${s.type})` : s.set, value: s.set, url: `${conn.fno.environmentUrl}data/${s.set}` }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { results };
  });
}

/** Legal entities (LegalEntities), plus the default company as an empty value. */
export async function searchCompanies(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const results: INodeListSearchResult['results'] = matches(wanted, 'default company') ? [{ name: 'Default Company', value: '' }] : [];
    for await (const row of conn.fno.iterateRows('LegalEntities', { select: ['LegalEntityId', 'Name'] }, { crossCompany: true, maxRows: 1000 })) {
      const id = String(row.LegalEntityId ?? '');
      const name = String(row.Name ?? '');
      if (id && matches(wanted, id, name)) results.push({ name: name ? `${id.toUpperCase()} – ${name}` : id.toUpperCase(), value: id.toLowerCase() });
    }
    return { results };
  });
}

/** Data projects (DataManagementDefinitionGroups) with their operation type. */
export async function searchDataProjects(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const results: INodeListSearchResult['results'] = [];
    for await (const row of conn.fno.iterateRows('DataManagementDefinitionGroups', { select: ['DefinitionGroupId', 'Description', 'OperationType'] }, { maxRows: 1000 })) {
      const id = String(row.DefinitionGroupId ?? '');
      const text = String(row.Description ?? '');
      if (id && matches(wanted, id, text)) results.push({ name: `${id} (${String(row.OperationType ?? '')}${text ? `: ${text}` : ''})`, value: id });
    }
    return { results: results.sort((a, b) => a.name.localeCompare(b.name)) };
  });
}
