import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { fileColumnKind } from '../actions/file/file-column';
import { currentTable, withConnection } from './context';

/** File and image columns of the chosen table (the File resource's column picker). */
export async function getFileColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const columns = await conn.metadata.getColumns(table.logicalName);
    return columns
      .flatMap((c) => {
        const kind = fileColumnKind(c);
        if (!kind) return [];
        const label = c.displayName ? `${c.displayName} (${c.logicalName})` : c.logicalName;
        return [{ name: label, value: c.logicalName, description: kind === 'image' ? 'Image column' : 'File column' }];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}
