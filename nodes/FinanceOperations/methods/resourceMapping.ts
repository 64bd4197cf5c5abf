import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import type { EntityField } from '../helpers/model';
import { entityFields, keyFields } from '../helpers/model';
import { currentText, withConnection } from './context';

function fieldType(field: EntityField): FieldType {
  if (field.members) return 'options';
  switch (field.type) {
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Decimal':
    case 'Edm.Double':
    case 'Edm.Single':
    case 'Edm.Byte':
      return 'number';
    case 'Edm.Boolean':
      return 'boolean';
    case 'Edm.DateTimeOffset':
    case 'Edm.Date':
      return 'dateTime';
    default:
      return 'string';
  }
}

function mapperField(field: EntityField, required: boolean): ResourceMapperField {
  const out: ResourceMapperField = {
    id: field.name,
    displayName: field.name,
    required,
    defaultMatch: false,
    canBeUsedToMatch: false,
    display: true,
    type: fieldType(field),
  };
  if (field.members) out.options = field.members.map((m) => ({ name: m, value: m }));
  return out;
}

/** Every key part of the chosen entity; dataAreaId is optional because the Company fills it. */
export async function getKeyFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  return withConnection(this, async (conn) => {
    const set = currentText(this, 'entitySet');
    if (!set) return { fields: [] };
    const model = await conn.fno.metadata();
    return { fields: keyFields(model, set).map((f) => mapperField(f, f.name !== 'dataAreaId')) };
  });
}

/**
 * Writable fields with their types and enum members. On create the key and the mandatory fields are required
 * (dataAreaId excepted: the Company fills it); on update and upsert the key is given in the Key parameter.
 */
export async function getEntityFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  return withConnection(this, async (conn) => {
    const set = currentText(this, 'entitySet');
    if (!set) return { fields: [] };
    const operation = String(this.getCurrentNodeParameter('operation') ?? 'create');
    const model = await conn.fno.metadata();
    const fields = entityFields(model, set).filter((f) => operation === 'create' || !f.key);
    const required = (f: EntityField) => operation === 'create' && f.name !== 'dataAreaId' && (f.key || (f.required && !f.members));
    return {
      fields: fields
        .map((f) => mapperField(f, required(f)))
        .sort((a, b) => Number(b.required) - Number(a.required) || a.displayName.localeCompare(b.displayName)),
    };
  });
}
