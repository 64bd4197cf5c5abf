/** The file or image column an operation works on, checked against the table's metadata. */
import type { IExecuteFunctions } from 'n8n-workflow';
import type { ColumnInfo, TableInfo } from '../../../../client/metadata/entity-definitions';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';

export type FileColumnKind = 'file' | 'image';

export interface FileColumn {
  logicalName: string;
  kind: FileColumnKind;
  /** The column's upload limit, when the environment reports it. */
  maxSizeInKB?: number;
}

/** File and image columns are `Virtual` columns told apart by AttributeTypeName. */
export function fileColumnKind(column: ColumnInfo): FileColumnKind | undefined {
  if (column.attributeTypeName === 'FileType') return 'file';
  if (column.attributeTypeName === 'ImageType') return 'image';
  return undefined;
}

const CAST: Record<FileColumnKind, string> = { file: 'FileAttributeMetadata', image: 'ImageAttributeMetadata' };

// Per connection (one n8n run), so that many items on one column cost one metadata request.
const maxSizes = new WeakMap<Connection, Map<string, Promise<number | undefined>>>();

function maxSizeInKB(conn: Connection, table: TableInfo, column: string, kind: FileColumnKind): Promise<number | undefined> {
  let known = maxSizes.get(conn);
  if (!known) maxSizes.set(conn, (known = new Map()));
  const key = `${table.logicalName}.${column}`;
  let size = known.get(key);
  if (!size) {
    const path = `EntityDefinitions(LogicalName='${table.logicalName}')/Attributes(LogicalName='${column}')/Microsoft.Dynamics.CRM.${CAST[kind]}?$select=MaxSizeInKB`;
    size = conn.dv.context
      .executeJson<{ MaxSizeInKB?: unknown }>({ method: 'GET', path, idempotent: true, operation: 'metadata' })
      .then((body) => (typeof body?.MaxSizeInKB === 'number' ? body.MaxSizeInKB : undefined))
      // The limit only lets us refuse early; the service still enforces it, so an unreadable limit is no failure.
      .catch(() => undefined);
    known.set(key, size);
  }
  return size;
}

/** Reads the `column` parameter and makes sure it names a file or image column of the table. */
export async function fileColumnParameter(ctx: IExecuteFunctions, conn: Connection, table: TableInfo, i: number, withMaxSize = false): Promise<FileColumn> {
  const raw = ctx.getNodeParameter('column', i, '');
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) throw new InputError('The File or Image Column is empty: pick a column or check the expression that gives it.', 'EmptyColumn');
  const column = (await conn.metadata.getColumns(table.logicalName)).find((c) => c.logicalName === name.toLowerCase());
  if (!column) throw new InputError(`The table '${table.entitySetName}' has no column '${name}'.`, 'ColumnNotFound');
  const kind = fileColumnKind(column);
  if (!kind) {
    const type = column.attributeTypeName ?? column.attributeType;
    throw new InputError(`The column '${column.logicalName}' of '${table.entitySetName}' is a ${type} column, not a file or image column.`, 'NotAFileColumn');
  }
  const result: FileColumn = { logicalName: column.logicalName, kind };
  if (withMaxSize) result.maxSizeInKB = await maxSizeInKB(conn, table, column.logicalName, kind);
  return result;
}
