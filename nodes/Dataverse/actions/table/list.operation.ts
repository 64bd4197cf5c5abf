import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { Connection } from '../../transport/connection';

export const description: INodeProperties[] = [
  {
    displayName: 'Search',
    name: 'search',
    type: 'string',
    default: '',
    description: 'Only tables whose display, logical or entity set name contains this text',
    displayOptions: { show: { resource: ['table'], operation: ['list'] } },
  },
  {
    displayName: 'Custom Tables Only',
    name: 'customOnly',
    type: 'boolean',
    default: false,
    description: 'Whether to return only custom tables',
    displayOptions: { show: { resource: ['table'], operation: ['list'] } },
  },
];

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const search = String(this.getNodeParameter('search', i, '') ?? '').trim().toLowerCase();
  const customOnly = this.getNodeParameter('customOnly', i, false) === true;
  const tables = await conn.metadata.listTables();
  return tables
    .filter((t) => !customOnly || t.isCustomEntity)
    .filter((t) => !search || [t.displayName, t.logicalName, t.entitySetName].some((s) => s?.toLowerCase().includes(search)))
    .map((t) => ({ ...t }) as unknown as IDataObject);
}
