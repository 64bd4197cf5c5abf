/** Node parameters that every Dynamics 365 node writes the same way. */
import type { INodeProperties, INodePropertyMode, INodePropertyOptions } from 'n8n-workflow';

/** Shown for some operations of one resource: several resources share operation names (get, delete). */
export function showFor(resource: string, operations: string[]): INodeProperties['displayOptions'] {
  return { show: { resource: [resource], operation: operations } };
}

/** The Operation choice of one resource. */
export function operationSelector(resource: string, defaultOperation: string, options: INodePropertyOptions[]): INodeProperties {
  return {
    displayName: 'Operation',
    name: 'operation',
    type: 'options',
    noDataExpression: true,
    displayOptions: { show: { resource: [resource] } },
    default: defaultOperation,
    options,
  };
}

/** Return All, and the Limit that applies without it (default 50). */
export function returnAllAndLimit(resource: string, operation: string): INodeProperties[] {
  return [
    {
      displayName: 'Return All',
      name: 'returnAll',
      type: 'boolean',
      default: false,
      description: 'Whether to return all results or only up to a given limit',
      displayOptions: showFor(resource, [operation]),
    },
    {
      displayName: 'Limit',
      name: 'limit',
      type: 'number',
      typeOptions: { minValue: 1 },
      default: 50,
      description: 'Max number of results to return',
      displayOptions: { show: { resource: [resource], operation: [operation], returnAll: [false] } },
    },
  ];
}

/** The Options collection (of one operation, or of a node without operations). */
export function optionsFor(displayOptions: INodeProperties['displayOptions'] | undefined, options: INodeProperties[]): INodeProperties {
  return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add option', default: {}, ...(displayOptions ? { displayOptions } : {}), options };
}

export interface MapperField {
  displayName: string;
  name: string;
  /** The node's resourceMapping method that lists the fields. */
  method: string;
  dependsOn: string[];
  words: { singular: string; plural: string };
  /** Whether every listed field is shown at once (keys, parameters) rather than added one by one. */
  addAllFields: boolean;
  supportAutoMap: boolean;
  required?: boolean;
  displayOptions?: INodeProperties['displayOptions'];
}

/** A resource mapper whose fields come from the service's metadata. */
export function resourceMapperField(field: MapperField): INodeProperties {
  return {
    displayName: field.displayName,
    name: field.name,
    type: 'resourceMapper',
    default: { mappingMode: 'defineBelow', value: null },
    ...(field.required ? { required: true } : {}),
    noDataExpression: true,
    typeOptions: {
      loadOptionsDependsOn: field.dependsOn,
      resourceMapper: {
        resourceMapperMethod: field.method,
        mode: 'add',
        fieldWords: field.words,
        addAllFields: field.addAllFields,
        multiKeyMatch: false,
        supportAutoMap: field.supportAutoMap,
      },
    },
    ...(field.displayOptions ? { displayOptions: field.displayOptions } : {}),
  };
}

/** Comparison operators every OData filter has, with the node's own text operators, in alphabetical order. */
export function comparisonOperators(textOperators: INodePropertyOptions[]): INodePropertyOptions[] {
  const comparisons: INodePropertyOptions[] = [
    { name: 'Equals', value: 'eq' },
    { name: 'Greater Than', value: 'gt' },
    { name: 'Greater Than or Equal', value: 'ge' },
    { name: 'Less Than', value: 'lt' },
    { name: 'Less Than or Equal', value: 'le' },
    { name: 'Not Equals', value: 'ne' },
  ];
  return [...comparisons, ...textOperators].sort((a, b) => a.name.localeCompare(b.name));
}

/** One value picked from a list the node loads, or given by an expression. */
export function listPicker(displayName: string, name: string, loadOptionsMethod: string, dependsOn: string[]): INodeProperties {
  return {
    displayName,
    name,
    type: 'options',
    typeOptions: { loadOptionsMethod, loadOptionsDependsOn: dependsOn },
    default: '',
    description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
  };
}

/** The From List mode of a resource locator, searched by one of the node's listSearch methods. */
export function listMode(placeholder: string, searchListMethod: string): INodePropertyMode {
  return { displayName: 'From List', name: 'list', type: 'list', placeholder, typeOptions: { searchListMethod, searchable: true } };
}

export interface ConditionRows {
  /** The field (column) picker of a row. */
  field: INodeProperties;
  /** The node's text operators, besides the comparisons every filter has. */
  textOperators: INodePropertyOptions[];
  value: INodeProperties;
  description?: string;
  displayOptions?: INodeProperties['displayOptions'];
}

/** Field / operator / value rows that a simple filter is built from. */
export function conditionsCollection(rows: ConditionRows): INodeProperties {
  return {
    displayName: 'Conditions',
    name: 'conditions',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    placeholder: 'Add condition',
    default: {},
    ...(rows.description ? { description: rows.description } : {}),
    ...(rows.displayOptions ? { displayOptions: rows.displayOptions } : {}),
    options: [
      {
        displayName: 'Condition',
        name: 'condition',
        values: [rows.field, { displayName: 'Operator', name: 'operator', type: 'options', default: 'eq', options: comparisonOperators(rows.textOperators) }, rows.value],
      },
    ],
  };
}
