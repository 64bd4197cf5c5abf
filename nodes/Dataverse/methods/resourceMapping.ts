import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { writableFields, type ValueKind, type WritableField } from '../helpers/metadata';
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
  lookup: 'string',
};

/**
 * Writable columns for the mapper: types from metadata, read-only and computed columns left out, choices with
 * their labels, required flags on create; each lookup once, by its column name, labelled with the tables it may
 * point at (the mapper has no field descriptions, so the label carries it). The per-target `@odata.bind` fields stay
 * accepted in values but are not offered.
 */
export async function getColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  return withConnection(this, async (conn) => {
    const table = await currentTable(this, conn);
    const operation = String(this.getCurrentNodeParameter('operation') ?? 'create');
    const fields = (await writableFields(conn, table, operation === 'update' ? 'update' : 'create', true)).filter((f) => f.kind !== 'bind');
    fields.sort((a, b) => Number(b.required) - Number(a.required) || a.displayName.localeCompare(b.displayName));
    return {
      fields: fields.map((f): ResourceMapperField => {
        const field: ResourceMapperField = {
          id: f.id,
          displayName: f.kind === 'lookup' ? lookupLabel(f) : f.displayName,
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

/** `Regarding (lookup to Account, Contact; as account:<id>)`: the targets, and how a polymorphic one is named. */
export function lookupLabel(field: WritableField): string {
  const targets = field.lookup?.targets ?? [];
  const names = targets.map((t) => `${t.displayName ?? t.table} (${t.table})`).join(', ');
  const hint = targets.length > 1 ? `; value as <table>:<id>, e.g. ${targets[0].table}:<id>` : '; value: row id';
  return `${field.displayName} (lookup to ${names}${hint})`;
}
