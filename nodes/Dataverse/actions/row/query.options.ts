/** Select / expand / order options shared by Get and Get Many, checked against the table's metadata. */
import type { INodeProperties } from 'n8n-workflow';
import type { ExpandOption, OrderByItem } from '../../../../client/odata/query';
import type { TableInfo } from '../../../../client/metadata/entity-definitions';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';

const LOOKUP_TYPES = new Set(['Lookup', 'Owner', 'Customer']);

export const selectOption: INodeProperties = {
  displayName: 'Columns to Return',
  name: 'select',
  type: 'multiOptions',
  typeOptions: { loadOptionsMethod: 'getColumns', loadOptionsDependsOn: ['table.value'] },
  default: [],
  description: 'Only these columns ($select); empty returns all. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const expandOption: INodeProperties = {
  displayName: 'Expand',
  name: 'expand',
  type: 'string',
  default: '',
  placeholder: 'primarycontactid($select=fullname),contact_customer_accounts',
  description: 'Related rows to include ($expand): navigation properties, comma separated, each optionally with ($select=…)',
};

export const orderByOption: INodeProperties = {
  displayName: 'Order By',
  name: 'orderBy',
  type: 'string',
  default: '',
  placeholder: 'name asc, createdon desc',
  description: 'Columns to sort by ($orderby), each optionally followed by asc or desc',
};

export async function checkSelect(conn: Connection, table: TableInfo, value: unknown): Promise<string[] | undefined> {
  const list = (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [])
    .map((s) => String(s).trim())
    .filter(Boolean);
  if (list.length === 0) return undefined;
  const columns = new Map((await conn.metadata.getColumns(table.logicalName)).map((c) => [c.logicalName, c]));
  return list.map((c) => {
    const column = columns.get(/^_(.+)_value$/.exec(c)?.[1] ?? c);
    if (!column) throw new InputError(`The column '${c}' does not exist on table '${table.logicalName}'.`, 'UnknownColumn');
    // Lookups are read as _<column>_value.
    return LOOKUP_TYPES.has(column.attributeType) ? `_${column.logicalName}_value` : column.logicalName;
  });
}

/** `nav($select=a,b),other` → expand options (only $select is understood inside the parentheses). */
export function parseExpand(value: unknown): ExpandOption[] | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) return undefined;
  const out: ExpandOption[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^)]*)\))?\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    const option: ExpandOption = { property: m[1] };
    if (m[2]) {
      const select = /^\s*\$select=(.+)$/.exec(m[2]);
      if (!select) throw new InputError(`Only $select is supported inside the parentheses of an expand: '${m[0].trim()}'.`, 'InvalidExpand');
      option.select = select[1].split(',').map((s) => s.trim()).filter(Boolean);
    }
    out.push(option);
  }
  if (re.lastIndex < text.length || out.length === 0) throw new InputError(`The expand '${text}' is not like nav($select=a,b),other.`, 'InvalidExpand');
  return out;
}

export function parseOrderBy(value: unknown): OrderByItem[] | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) return undefined;
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw new InputError(`The order '${part.trim()}' is not like 'name asc'.`, 'InvalidOrderBy');
    return { column: m[1], descending: m[2]?.toLowerCase() === 'desc' };
  });
}
