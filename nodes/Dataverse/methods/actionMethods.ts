/** Pickers of the Action resource: the environment's actions and functions, and the parameters of the chosen one. */
import type { FieldType, ILoadOptionsFunctions, INodeListSearchResult, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import { declaredParameters } from '../../../client/dataverse/operation-parameters';
import type { CsdlModel, Parameter } from '../../../client/metadata/model';
import { callableOperations, operationLabel } from '../../../client/metadata/service-operations';
import { resolveOperationTarget } from '../actions/action/operation-target';
import { withConnection } from './context';

const FIELD_TYPES: Record<string, FieldType> = {
  'Edm.Boolean': 'boolean',
  'Edm.Byte': 'number',
  'Edm.SByte': 'number',
  'Edm.Int16': 'number',
  'Edm.Int32': 'number',
  'Edm.Int64': 'number',
  'Edm.Decimal': 'number',
  'Edm.Double': 'number',
  'Edm.Single': 'number',
  'Edm.DateTimeOffset': 'dateTime',
  'Edm.TimeOfDay': 'time',
};

/** Every callable action and function; the search matches the name and the table it is bound to. */
export async function searchActions(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
  return withConnection(this, async (conn) => {
    const wanted = (filter ?? '').trim().toLowerCase();
    const callables = callableOperations(await conn.dv.serviceMetadata());
    const results = callables
      .filter((c) => !wanted || [c.operation.name, c.entitySet ?? ''].some((s) => s.toLowerCase().includes(wanted)))
      .map((c) => ({ name: operationLabel(c), value: c.operation.name, description: c.operation.description }));
    return { results };
  });
}

function parameterField(model: CsdlModel, parameter: Parameter): ResourceMapperField {
  const enumType = model.enumTypes.get(parameter.type);
  let type: FieldType = FIELD_TYPES[parameter.type] ?? 'string';
  if (parameter.collection) type = 'array';
  else if (enumType) type = 'options';
  else if (model.entityTypes.has(parameter.type) || model.complexTypes.has(parameter.type)) type = 'object';
  const field: ResourceMapperField = {
    id: parameter.name,
    displayName: `${parameter.name} (${parameter.collection ? `Collection(${parameter.type})` : parameter.type})`,
    required: !parameter.nullable,
    defaultMatch: false,
    canBeUsedToMatch: false,
    display: true,
    type,
  };
  if (enumType && !parameter.collection) field.options = enumType.members.map((m) => ({ name: m.name, value: m.name }));
  return field;
}

/** The declared parameters of the chosen operation, typed from their Edm types, required when not nullable. */
export async function getActionParameters(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
  return withConnection(this, async (conn) => {
    const target = await resolveOperationTarget(
      conn,
      this.getCurrentNodeParameter('operationName', { extractValue: true }),
      this.getCurrentNodeParameter('table', { extractValue: true }),
      this.getCurrentNodeParameter('rowId', { extractValue: true }),
    );
    const fields = declaredParameters(target.callable.operation).map((p) => parameterField(target.model, p));
    if (fields.length === 0) return { fields, emptyFieldsNotice: 'This operation takes no parameters.' };
    return { fields };
  });
}
