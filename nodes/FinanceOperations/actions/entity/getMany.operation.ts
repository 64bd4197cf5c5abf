import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { optionsFor, returnAllAndLimit } from '../../../shared/descriptions';
import type { Connection } from '../../transport/connection';
import { InputError } from '../../helpers/errors';
import { companyLocator, entitySetLocator, showFor } from '../common.descriptions';
import { companyParameter, entitySetParameter, listOf, orderByList } from '../helpers';
import { itemParameter } from '../../../shared/parameters';
import { conditionsOption, conditionsFilter } from './conditions';
import { expandOption, filterOption, orderByOption, selectOption } from './query.options';
import { filterBuilder } from '../../../../client/odata/filter';
import type { Filter } from '../../../../client/odata/filter-text';

const show = showFor('entity', ['getMany']);

export const description: INodeProperties[] = [
  { ...entitySetLocator, displayOptions: show },
  {
    displayName: 'Cross-Company',
    name: 'crossCompany',
    type: 'boolean',
    default: false,
    description: 'Whether to read the rows of every legal entity the user can access (cross-company=true) instead of one company',
    displayOptions: show,
  },
  { ...companyLocator, displayOptions: { show: { resource: ['entity'], operation: ['getMany'], crossCompany: [false] } } },
  ...returnAllAndLimit('entity', 'getMany'),
  optionsFor(show, [
    conditionsOption,
    expandOption,
    filterOption,
    orderByOption,
    {
      displayName: 'Page Size',
      name: 'pageSize',
      type: 'number',
      typeOptions: { minValue: 1, maxValue: 10000 },
      default: 1000,
      description: 'Rows per request while reading (F&O allows up to 10,000)',
    },
    selectOption,
  ]),
];

function balancedRaw(text: string): Filter | undefined {
  try {
    return filterBuilder().raw(text);
  } catch {
    return undefined;
  }
}

/** The raw filter as a group of its own, so the conditions' AND cannot change what it means. */
function rawFilter(text: string): Filter {
  const filter = balancedRaw(text);
  if (!filter) throw new InputError(`The Filter (OData) has unbalanced parentheses or quotes: ${text}`, 'InvalidFilter');
  return filter;
}

export async function execute(this: IExecuteFunctions, conn: Connection, i: number): Promise<IDataObject[]> {
  const set = entitySetParameter(this, i);
  const crossCompany = itemParameter<boolean>(this, 'crossCompany', i, false);
  const returnAll = itemParameter<boolean>(this, 'returnAll', i, false);
  const limit = returnAll ? undefined : Number(itemParameter<number>(this, 'limit', i, 50));
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new InputError(`The Limit must be a whole number of at least 1; got ${limit}.`, 'InvalidLimit');
  const options = this.getNodeParameter('options', i, {}) as IDataObject;
  const raw = typeof options.filter === 'string' && options.filter.trim() ? options.filter.trim() : undefined;
  const built = conditionsFilter(await conn.fno.metadata(), set, options);
  const filter = built && raw ? filterBuilder().and(built, rawFilter(raw)) : (built ?? raw);
  const rows: IDataObject[] = [];
  // Pages are read as they are consumed, so memory holds one page besides the rows kept for the output.
  for await (const row of conn.fno.iterateRows(
    set,
    { select: listOf(options.select), filter, orderBy: orderByList(options.orderBy), expand: listOf(options.expand) },
    { company: crossCompany ? undefined : companyParameter(this, i), crossCompany, pageSize: options.pageSize ? Number(options.pageSize) : 1000, maxRows: limit },
  )) {
    rows.push(row as IDataObject);
  }
  return rows;
}
