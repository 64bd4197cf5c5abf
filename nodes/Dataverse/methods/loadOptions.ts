import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { InputError } from '../helpers/errors';
import { currentTable, withConnection } from './context';

/** Readable columns of the chosen table (select, filter conditions, key columns). */
export async function getColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const columns = await conn.metadata.getColumns(table.logicalName);
    return columns
      .filter((c) => c.isValidForRead && c.attributeType !== 'Virtual')
      .map((c) => ({ name: c.displayName ? `${c.displayName} (${c.logicalName})` : c.logicalName, value: c.logicalName, description: c.attributeType }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Choice columns of the chosen table. */
export async function getChoiceColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const columns = await conn.metadata.getColumns(table.logicalName);
    return columns
      .filter((c) => ['Picklist', 'State', 'Status', 'Boolean'].includes(c.attributeType) || c.attributeTypeName === 'MultiSelectPicklistType')
      .map((c) => ({ name: c.displayName ? `${c.displayName} (${c.logicalName})` : c.logicalName, value: c.logicalName, description: c.attributeType }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Values of a choice column (the `column` parameter next to it, or `optionSetColumn`). */
export async function getOptionSetValues(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const column = String(this.getCurrentNodeParameter('&column') ?? this.getCurrentNodeParameter('optionSetColumn') ?? '').trim();
    if (!column) throw new InputError('Choose a choice column first.', 'EmptyColumn');
    const options = await conn.metadata.getOptionSet(table.logicalName, column);
    return options.map((o) => ({ name: o.label ?? String(o.value), value: o.value }));
  });
}

/** One-to-many and many-to-many relationships of the chosen table, by collection navigation property. */
export async function getRelationships(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const relationships = await conn.metadata.getRelationships(table.logicalName);
    return relationships
      .filter((r) => r.kind !== 'ManyToOne' && r.navigationProperty)
      .map((r) => ({ name: `${r.navigationProperty} (${r.relatedTable}, ${r.kind === 'ManyToMany' ? 'N:N' : '1:N'})`, value: r.navigationProperty!, description: r.schemaName }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}
