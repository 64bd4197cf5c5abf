/**
 * What the pickers and operations read from the environment's `$metadata` (parsed by client/metadata): an entity's
 * key, its fields with their Edm or enum types, and the actions bound to it (to a row, or to the whole collection).
 */
import type { CsdlModel, EntityType, Operation, Property } from '../../../client/metadata/model';

export interface EntityField {
  name: string;
  /** Qualified type: `Edm.String`, `Microsoft.Dynamics.DataEntities.NoYes`. */
  type: string;
  /** Declared not nullable (F&O marks mandatory fields so). */
  required: boolean;
  key: boolean;
  /** Enum members, for enum-typed fields. */
  members?: string[];
}

export interface EntityAction {
  name: string;
  /** Bound to the whole entity set instead of one row. */
  collection: boolean;
  parameters: { name: string; type: string }[];
  returnType?: string;
}

export function entityTypeOf(model: CsdlModel, set: string): EntityType | undefined {
  const entitySet = model.entitySets.get(set);
  return entitySet ? model.entityTypes.get(entitySet.entityType) : undefined;
}

function shortType(type: string): string {
  return type.replace(/^Microsoft\.Dynamics\.DataEntities\./, '');
}

export function entityFields(model: CsdlModel, set: string): EntityField[] {
  const type = entityTypeOf(model, set);
  if (!type) return [];
  const key = new Set(type.keyProperties.length ? type.keyProperties : type.key);
  const props: Property[] = [...(type.allProperties.size ? type.allProperties : type.properties).values()];
  return props
    .filter((p) => !p.collection && !p.computed && !p.readOnly)
    .map((p) => {
      const field: EntityField = { name: p.name, type: p.type, required: !p.nullable, key: key.has(p.name) };
      const enumType = model.enumTypes.get(p.type);
      if (enumType) field.members = enumType.members.map((m) => m.name);
      return field;
    });
}

export function keyFields(model: CsdlModel, set: string): EntityField[] {
  const type = entityTypeOf(model, set);
  if (!type) return [];
  const order = type.keyProperties.length ? type.keyProperties : type.key;
  const fields = new Map(entityFields(model, set).map((f) => [f.name, f]));
  return order.map((name) => fields.get(name) ?? { name, type: 'Edm.String', required: true, key: true });
}

function boundTo(operation: Operation, entityType: string): 'row' | 'collection' | undefined {
  const binding = operation.parameters[0];
  if (!operation.bound || !binding || binding.type !== entityType) return undefined;
  return binding.collection ? 'collection' : 'row';
}

export function entityActions(model: CsdlModel, set: string): EntityAction[] {
  const type = entityTypeOf(model, set);
  if (!type) return [];
  const out: EntityAction[] = [];
  for (const operation of model.actions) {
    const binding = boundTo(operation, type.qualifiedName);
    if (!binding) continue;
    const action: EntityAction = {
      name: operation.name,
      collection: binding === 'collection',
      parameters: operation.parameters.slice(1).map((p) => ({ name: p.name, type: shortType(p.collection ? `Collection(${p.type})` : p.type) })),
    };
    if (operation.returnType) action.returnType = shortType(operation.returnType.type);
    out.push(action);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function findEntityAction(model: CsdlModel, set: string, name: string): EntityAction | undefined {
  const bare = name.replace(/^Microsoft\.Dynamics\.DataEntities\./, '');
  return entityActions(model, set).find((a) => a.name === bare);
}

/** A sample value per declared type, for the JSON templates the pickers show. */
export function sampleValue(type: string, model?: CsdlModel): unknown {
  const enumType = model?.enumTypes.get(type) ?? model?.enumTypes.get(`Microsoft.Dynamics.DataEntities.${type}`);
  if (enumType) return enumType.members[0]?.name ?? '';
  switch (type.replace(/^Edm\./, '').toLowerCase()) {
    case 'int':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'real':
    case 'decimal':
    case 'double':
      return 0;
    case 'boolean':
      return false;
    case 'date':
      return '2024-01-31';
    case 'datetimeoffset':
    case 'utcdatetime':
      return '2024-01-31T00:00:00Z';
    default:
      return type.endsWith('[]') ? [] : '';
  }
}
