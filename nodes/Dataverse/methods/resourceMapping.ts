import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { writableFields, type ValueKind } from '../helpers/metadata';
import { currentTable, withConnection } from './context';

const FIELD_TYPES: Record<ValueKind, FieldType> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  dateTime: 'dateTime',
  choice: 'options',
  choices: 'string',
  guid: 'string',
  bind: 'string',
};

/**
 * Writable columns for the mapper: types from metadata, read-only and computed columns left out, choices with
 * their labels, required flags on create; lookups as `<navigation>@odata.bind` (one field per target table).
 */
export async function getColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const operation = String(this.getCurrentNodeParameter('operation') ?? 'create');
    const fields = [...(await writableFields(conn, table, operation === 'update' ? 'update' : 'create', true))];
    fields.sort((a, b) => Number(b.required) - Number(a.required) || a.displayName.localeCompare(b.displayName));
    return {
      fields: fields.map((f): ResourceMapperField => {
        const field: ResourceMapperField = {
          id: f.id,
          displayName: f.kind === 'bind' ? `${f.displayName} → ${f.targetTable} ID` : f.displayName,
          required: f.required,
          defaultMatch: false,
          canBeUsedToMatch: false,
          display: true,
          type: FIELD_TYPES[f.kind],
        };
        if (f.options) field.options = f.options.map((o) => ({ name: o.name, value: o.value }));
        return field;
      }),
    };
  });
}
