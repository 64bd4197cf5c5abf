/**
 * The simple filter builder of Get Many: field / operator / value rows joined with AND. Values are typed from the
 * entity's metadata and written by the client's filter builder, so quotes are doubled, numbers stay bare and enums
 * get their qualified literal; contains and starts with use F&O's `*` wildcard, the only text matching it offers.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { conditionsCollection, listPicker } from '../../../shared/descriptions';
import type { CsdlModel } from '../../../../client/metadata/model';
import { filterBuilder } from '../../../../client/odata/filter';
import type { Filter } from '../../../../client/odata/filter-text';
import { InputError } from '../../helpers/errors';
import { entityFields } from '../../helpers/model';

export const conditionsOption: INodeProperties = conditionsCollection({
  field: listPicker('Field Name or ID', 'field', 'getFieldNames', ['entitySet.value']),
  textOperators: [
    { name: 'Contains', value: 'contains' },
    { name: 'Starts With', value: 'startsWith' },
  ],
  value: { displayName: 'Value', name: 'value', type: 'string', default: '' },
  description: 'Conditions that every row must meet (combined with AND, and with Filter (OData) when both are given)',
});

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);

function typedValue(field: string, type: string, value: unknown): string | number | boolean {
  const text = typeof value === 'string' ? value : String(value ?? '');
  if (NUMERIC.has(type)) {
    const n = typeof value === 'number' ? value : Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) throw new InputError(`The value of '${field}' must be a number; got '${text}'.`, 'InvalidConditionValue');
    return n;
  }
  if (type === 'Edm.Boolean') {
    if (!/^(true|false)$/i.test(text.trim())) throw new InputError(`The value of '${field}' must be true or false; got '${text}'.`, 'InvalidConditionValue');
    return text.trim().toLowerCase() === 'true';
  }
  return text;
}

/** The conditions as one filter, or undefined when there are none. */
export function conditionsFilter(model: CsdlModel, set: string, options: IDataObject): Filter | undefined {
  const rows = ((options.conditions as IDataObject | undefined)?.condition as IDataObject[] | undefined) ?? [];
  if (!rows.length) return undefined;
  const types = new Map(entityFields(model, set).map((f) => [f.name, f.type]));
  const f = filterBuilder({ columnType: (column) => types.get(column), likeWildcards: 'keep' });
  const parts = rows.map((row) => {
    const field = typeof row.field === 'string' ? row.field.trim() : '';
    const type = types.get(field);
    if (!type) throw new InputError(`'${field}' is not a field of '${set}'.`, 'UnknownField');
    const operator = String(row.operator ?? 'eq');
    if (operator === 'contains' || operator === 'startsWith') {
      if (type !== 'Edm.String') throw new InputError(`'${field}' is not text: Contains and Starts With work on text fields only.`, 'InvalidCondition');
      const text = String(row.value ?? '');
      return f.eq(field, operator === 'contains' ? `*${text}*` : `${text}*`);
    }
    const compare = { eq: f.eq, ne: f.ne, gt: f.gt, ge: f.ge, lt: f.lt, le: f.le }[operator as 'eq'];
    if (!compare) throw new InputError(`Unknown operator '${operator}'.`, 'InvalidCondition');
    return compare(field, typedValue(field, type, row.value));
  });
  return f.and(...parts);
}
