import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { conditionsCollection, returnAllAndLimit } from '../../../shared/descriptions';
import { filterBuilder } from '../../../../client/odata/filter';
import { raw, type Filter } from '../../../../client/odata/filter-text';
import type { EdmType } from '../../../../client/odata/edm-types';
import type { ColumnInfo } from '../../../../client/metadata/entity-definitions';
import { InputError } from '../../helpers/errors';
import type { Connection } from '../../transport/connection';
import { callHeaders, outputRow, tableParameter } from '../helpers';
import { optionsCollection, tableLocator, columnPicker } from '../common.descriptions';
import { checkSelect, expandOption, orderByOption, parseExpand, parseOrderBy, selectOption } from './query.options';

const show = { show: { resource: ['row'], operation: ['getMany'] } };
const showFilter = (filterType: string) => ({ show: { resource: ['row'], operation: ['getMany'], filterType: [filterType] } });

export const description: INodeProperties[] = [
  { ...tableLocator, displayOptions: show },
  ...returnAllAndLimit('row', 'getMany'),
  {
    displayName: 'Filter',
    name: 'filterType',
    type: 'options',
    default: 'none',
    displayOptions: show,
    options: [
      { name: 'None', value: 'none' },
      { name: 'Conditions', value: 'simple', description: 'Column / operator / value rows, typed from the column metadata' },
      { name: 'OData $filter', value: 'raw', description: 'A raw OData filter expression' },
      { name: 'FetchXML', value: 'fetchXml', description: 'A FetchXML query' },
    ],
  },
  {
    displayName: 'Match',
    name: 'combineConditions',
    type: 'options',
    default: 'and',
    options: [
      { name: 'All Conditions', value: 'and' },
      { name: 'Any Condition', value: 'or' },
    ],
    displayOptions: showFilter('simple'),
  },
  conditionsCollection({
    field: columnPicker(),
    textOperators: [
      { name: 'Contains', value: 'contains' },
      { name: 'Ends With', value: 'endswith' },
      { name: 'Is Empty', value: 'isNull' },
      { name: 'Is Not Empty', value: 'isNotNull' },
      { name: 'Starts With', value: 'startswith' },
    ],
    value: { displayName: 'Value', name: 'value', type: 'string', default: '', displayOptions: { hide: { operator: ['isNull', 'isNotNull'] } } },
    displayOptions: showFilter('simple'),
  }),
  {
    displayName: 'Filter (OData)',
    name: 'filter',
    type: 'string',
    default: '',
    placeholder: "statecode eq 0 and contains(name,'Contoso')",
    displayOptions: showFilter('raw'),
  },
  {
    displayName: 'FetchXML',
    name: 'fetchXml',
    type: 'string',
    typeOptions: { rows: 8 },
    default: '',
    placeholder: '<fetch><entity name="account"><attribute name="name" /></entity></fetch>',
    displayOptions: showFilter('fetchXml'),
  },
  optionsCollection('getMany', ['formattedValues', 'callerObjectId'], [selectOption, expandOption, orderByOption]),
];

const EDM_BY_TYPE: Record<string, EdmType> = {
  String: 'Edm.String',
  Memo: 'Edm.String',
  EntityName: 'Edm.String',
  Integer: 'Edm.Int32',
  Picklist: 'Edm.Int32',
  State: 'Edm.Int32',
  Status: 'Edm.Int32',
  BigInt: 'Edm.Int64',
  Decimal: 'Edm.Decimal',
  Money: 'Edm.Decimal',
  Double: 'Edm.Double',
  Boolean: 'Edm.Boolean',
  DateTime: 'Edm.DateTimeOffset',
  Uniqueidentifier: 'Edm.Guid',
  Lookup: 'Edm.Guid',
  Owner: 'Edm.Guid',
  Customer: 'Edm.Guid',
};
const LOOKUPS = new Set(['Lookup', 'Owner', 'Customer']);

interface Condition {
  column?: string;
  operator?: string;
  value?: unknown;
}

function typedValue(column: ColumnInfo, value: unknown): string | number | boolean {
  const edm = EDM_BY_TYPE[column.attributeType];
  const text = typeof value === 'string' ? value.trim() : value;
  const bad = (expected: string) =>
    new InputError(`The condition on '${column.logicalName}' expects ${expected}, but got ${JSON.stringify(value)}.`, 'InvalidFilterValue');
  if (text === '' || text === undefined || text === null) {
    throw new InputError(`The condition on '${column.logicalName}' has an empty value (did an expression resolve to nothing?). Use Is Empty to test for no value.`, 'EmptyValue');
  }
  switch (edm) {
    case 'Edm.Int32':
    case 'Edm.Int64': {
      const n = Number(text);
      if (!Number.isInteger(n)) throw bad('a whole number');
      return n;
    }
    case 'Edm.Decimal':
    case 'Edm.Double': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'Edm.Boolean':
      if (text === true || text === 'true') return true;
      if (text === false || text === 'false') return false;
      throw bad('true or false');
    case 'Edm.Guid':
      if (typeof text !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) throw bad('a GUID');
      return text;
    case 'Edm.DateTimeOffset':
      if (Number.isNaN(new Date(String(text)).getTime())) throw bad('a date (ISO 8601)');
      return String(text);
    default:
      return String(text);
  }
}

async function simpleFilter(ctx: IExecuteFunctions, conn: Connection, logicalName: string, i: number): Promise<Filter | undefined> {
  const conditions = ((ctx.getNodeParameter('conditions.condition', i, []) as Condition[]) ?? []).filter(Boolean);
  if (conditions.length === 0) return undefined;
  const columns = new Map((await conn.metadata.getColumns(logicalName)).map((c) => [c.logicalName, c]));
  const pathOf = (c: ColumnInfo) => (LOOKUPS.has(c.attributeType) ? `_${c.logicalName}_value` : c.logicalName);
  const typeByPath = new Map([...columns.values()].map((c) => [pathOf(c), EDM_BY_TYPE[c.attributeType]]));
  const f = filterBuilder({ columnType: (path) => typeByPath.get(path) });
  const parts = conditions.map((condition) => {
    const name = String(condition.column ?? '').trim();
    if (!name) throw new InputError('A condition has no column.', 'EmptyColumn');
    const column = columns.get(name) ?? columns.get(/^_(.+)_value$/.exec(name)?.[1] ?? '');
    if (!column) throw new InputError(`The column '${name}' in a condition does not exist on table '${logicalName}'.`, 'UnknownColumn');
    const path = pathOf(column);
    const operator = condition.operator ?? 'eq';
    switch (operator) {
      case 'isNull':
        return f.isNull(path);
      case 'isNotNull':
        return f.isNotNull(path);
      case 'contains':
      case 'startswith':
      case 'endswith': {
        const value = typedValue(column, condition.value);
        if (typeof value !== 'string' || EDM_BY_TYPE[column.attributeType] !== 'Edm.String') {
          throw new InputError(`'${operator}' only works on text columns; '${column.logicalName}' is ${column.attributeType}.`, 'InvalidFilterOperator');
        }
        return f[operator](path, value);
      }
      case 'eq':
      case 'ne':
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        return f[operator](path, typedValue(column, condition.value));
      default:
        throw new InputError(`Unknown operator '${operator}'.`, 'InvalidFilterOperator');
    }
  });
  const combine = ctx.getNodeParameter('combineConditions', i, 'and') as string;
  return combine === 'or' ? f.or(...parts) : f.and(...parts);
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const table = await tableParameter(this, conn, i);
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
  const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new InputError(`The limit ${limit} is not a whole number of at least 1.`, 'InvalidLimit');
  const friendly = options.formattedValues === true;
  const callOptions = {
    maxRows: limit,
    annotations: friendly ? true : undefined,
    extraHeaders: callHeaders(options),
  };
  const filterType = this.getNodeParameter('filterType', i, 'none') as string;
  const out: IDataObject[] = [];
  if (filterType === 'fetchXml') {
    const fetchXml = String(this.getNodeParameter('fetchXml', i, '') ?? '').trim();
    if (!fetchXml) throw new InputError('The FetchXML is empty (did an expression resolve to nothing?).', 'EmptyFetchXml');
    for await (const row of conn.dv.iterateFetchXml(table.entitySetName, fetchXml, callOptions)) out.push(outputRow(row, friendly));
    return out;
  }
  let filter: Filter | undefined;
  if (filterType === 'simple') filter = await simpleFilter(this, conn, table.logicalName, i);
  else if (filterType === 'raw') {
    const text = String(this.getNodeParameter('filter', i, '') ?? '').trim();
    if (!text) throw new InputError('The OData filter is empty (did an expression resolve to nothing?).', 'EmptyFilter');
    filter = raw(text);
  }
  const query = {
    select: await checkSelect(conn, table, options.select),
    expand: parseExpand(options.expand),
    orderBy: parseOrderBy(options.orderBy),
    filter,
  };
  for await (const page of conn.dv.iteratePages(table.entitySetName, query, callOptions)) {
    for (const row of page.rows) out.push(outputRow(row, friendly));
  }
  return out;
}
