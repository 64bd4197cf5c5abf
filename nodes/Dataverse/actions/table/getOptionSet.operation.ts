import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';
import { tableParameter } from '../helpers';
import { tableLocator } from '../common.descriptions';

const show = { show: { resource: ['table'], operation: ['getOptionSet'] } };

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  {
    displayName: 'Choice Column Name or ID',
    name: 'optionSetColumn',
    type: 'options',
    typeOptions: { loadOptionsMethod: 'getChoiceColumns', loadOptionsDependsOn: ['table.value'] },
    default: '',
    required: true,
    description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
    displayOptions: show,
  },
];

const CHOICE_TYPES = new Set(['Picklist', 'State', 'Status', 'Boolean']);

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const name = String(this.getNodeParameter('optionSetColumn', i, '') ?? '').trim();
  if (!name) throw new InputError('The Choice Column is empty (did an expression resolve to nothing?).', 'EmptyColumn');
  const column = (await conn.metadata.getColumns(table.logicalName)).find((c) => c.logicalName === name);
  if (!column) throw new InputError(`The column '${name}' does not exist on table '${table.logicalName}'.`, 'UnknownColumn');
  if (!CHOICE_TYPES.has(column.attributeType) && column.attributeTypeName !== 'MultiSelectPicklistType') {
    throw new InputError(`The column '${name}' is ${column.attributeType}, not a choice column.`, 'NotAChoiceColumn');
  }
  const options = await conn.metadata.getOptionSet(table.logicalName, name);
  return options.map((o) => ({ table: table.logicalName, column: name, value: o.value, label: o.label ?? null, ...(o.state !== undefined ? { state: o.state } : {}) }));
}
