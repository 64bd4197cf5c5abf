/**
 * The operations of one table in the typed style: List, Get, Create, Update (PATCH with an internal `If-Match: *`,
 * so it never creates), Upsert (PATCH without If-Match) and Delete. Swagger 2.0 holds one PATCH per path, so Upsert
 * addresses the row with the named key form (`accounts(accountid={accountid})`, composite keys in reverse order),
 * which OData treats as the same resource.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { EntitySet, EntityType, Property } from '../../client/metadata/model';
import { label, primitiveSchema } from '../edm-schema';
import { ODATA_HEADER_PARAMETERS } from '../document';
import { summary, sentence, type OperationIds } from '../names';
import type { GeneratorWarning } from '../types';
import type { TableDefinitionNames } from './schemas';

type Parameter = OpenAPIV2.Parameter;
type Operation = OpenAPIV2.OperationObject;

const ref = (name: string) => ({ $ref: `#/parameters/${name}` }) as unknown as Parameter;

/** Parameters every typed document declares once under `#/parameters`. */
export const TYPED_PARAMETERS: Readonly<Record<string, Parameter>> = Object.freeze({
  ...ODATA_HEADER_PARAMETERS,
  Select: query('$select', 'Select columns', 'Comma-separated columns to return, e.g. name,createdon; all columns when empty.'),
  Filter: query('$filter', 'Filter rows', "OData filter expression the rows must match, e.g. statecode eq 0 and contains(name,'x')."),
  OrderBy: query('$orderby', 'Sort by', 'Comma-separated columns to sort by, each optionally followed by asc or desc.'),
  Expand: query('$expand', 'Expand query', 'Related rows to include, e.g. primarycontactid($select=fullname).'),
  Top: { ...query('$top', 'Row count', 'Maximum number of rows to return.'), type: 'integer', format: 'int32', minimum: 1 },
  Count: { ...query('$count', 'Include count', 'Whether the response includes the total number of matching rows.'), type: 'boolean' },
  PreferRead: header('Prefer', 'Prefer', 'odata.include-annotations="*"', 'Asks the service to include formatted values and other annotations.'),
  PreferWrite: header('Prefer', 'Prefer', 'return=representation', 'Asks the service to return the written row.'),
  IfMatchAny: header('If-Match', 'If match', '*', 'Makes the update fail when the row does not exist instead of creating it.'),
});

function query(name: string, title: string, description: string): Parameter {
  return { name, in: 'query', required: false, type: 'string', 'x-ms-summary': title, description, 'x-ms-visibility': 'advanced' };
}

function header(name: string, title: string, value: string, description: string): Parameter {
  return { name, in: 'header', required: true, type: 'string', default: value, 'x-ms-visibility': 'internal', 'x-ms-summary': title, description };
}

export interface TableNames {
  /** Plural, for List (`Accounts`). */
  plural: string;
  /** Singular, for the other operations (`Account`). */
  singular: string;
}

export function tablePaths(
  set: EntitySet,
  type: EntityType,
  names: TableNames,
  defs: TableDefinitionNames,
  ids: OperationIds,
  warnings: GeneratorWarning[],
): Record<string, OpenAPIV2.PathItemObject> {
  const headers = [ref('ODataVersion'), ref('ODataMaxVersion')];
  const rowRef = { $ref: `#/definitions/${defs.row}` };
  const failed = { description: 'Operation failed.' };
  const setLabel = label(set.name);
  const rowLabel = label(type.name);
  const base = `/${set.name}`;
  const paths: Record<string, OpenAPIV2.PathItemObject> = {};

  const list: Operation = {
    operationId: ids.take(`List${names.plural}`, base),
    summary: summary(`List ${setLabel} rows`),
    description: sentence(`Lists the rows of the ${set.name} table that match the filter, one page at a time`),
    'x-ms-visibility': 'important',
    parameters: [ref('Select'), ref('Filter'), ref('OrderBy'), ref('Top'), ref('Expand'), ref('Count'), ref('PreferRead'), ...headers],
    responses: {
      200: {
        description: 'OK',
        schema: {
          type: 'object',
          properties: {
            '@odata.count': { type: 'integer', format: 'int64', description: 'Total number of matching rows (with $count).', 'x-ms-summary': 'Count' },
            value: { type: 'array', items: rowRef, description: sentence(`The ${set.name} rows of this page`), 'x-ms-summary': 'Rows' },
            '@odata.nextLink': { type: 'string', description: 'URL of the next page, absent on the last page.', 'x-ms-summary': 'Next link' },
          },
        } as OpenAPIV2.SchemaObject,
      },
      default: failed,
    },
    'x-ms-pageable': { nextLinkName: '@odata.nextLink' },
  } as Operation;
  const body = (schemaName: string, title: string): Parameter => ({
    name: 'item',
    in: 'body',
    required: true,
    schema: { $ref: `#/definitions/${schemaName}` },
    'x-ms-summary': title,
    description: sentence(`The columns of the ${rowLabel} row`),
  });
  const create: Operation = {
    operationId: ids.take(`Create${names.singular}`, base),
    summary: summary(`Create a ${rowLabel} row`),
    description: sentence(`Adds a new row to the ${set.name} table and returns it`),
    parameters: [body(defs.create, 'Row'), ref('PreferWrite'), ...headers],
    responses: {
      201: { description: 'Created', schema: rowRef },
      204: { description: 'Created; the service returned no content.' },
      default: failed,
    },
  } as Operation;
  paths[base] = { get: list, post: create };

  const address = rowAddress(set, type);
  if (!address) {
    warnings.push({
      code: 'SkippedOperation',
      message: `${set.name} has no usable key, so Get, Update, Upsert and Delete are left out.`,
      where: base,
    });
    return paths;
  }
  const { keys, keyParams, byKey } = address;
  const byNamedKey = `${base}(${keySegment(keys.length > 1 ? [...keys].reverse() : keys, true)})`;

  const get: Operation = {
    operationId: ids.take(`Get${names.singular}`, byKey),
    summary: summary(`Get a ${rowLabel} row by key`),
    description: sentence(`Returns one row of the ${set.name} table by its key`),
    parameters: [...keyParams, ref('Select'), ref('Expand'), ref('PreferRead'), ...headers],
    responses: { 200: { description: 'OK', schema: rowRef }, default: failed },
  } as Operation;
  const update: Operation = {
    operationId: ids.take(`Update${names.singular}`, byKey),
    summary: summary(`Update a ${rowLabel} row`),
    description: sentence(`Changes the given columns of an existing row of the ${set.name} table; fails when the row does not exist`),
    parameters: [...keyParams, body(defs.update, 'Row'), ref('IfMatchAny'), ref('PreferWrite'), ...headers],
    responses: {
      200: { description: 'OK', schema: rowRef },
      204: { description: 'Updated; the service returned no content.' },
      default: failed,
    },
  } as Operation;
  const remove: Operation = {
    operationId: ids.take(`Delete${names.singular}`, byKey),
    summary: summary(`Delete a ${rowLabel} row`),
    description: sentence(`Deletes one row of the ${set.name} table by its key`),
    parameters: [...keyParams, ...headers],
    responses: { 204: { description: 'Deleted' }, default: failed },
  } as Operation;
  paths[byKey] = { get, patch: update, delete: remove };

  const upsert: Operation = {
    operationId: ids.take(`Upsert${names.singular}`, byNamedKey),
    summary: summary(`Update or insert a ${rowLabel} row`),
    description: sentence(`Changes the row of the ${set.name} table with this key, or creates it when it does not exist`),
    parameters: [...keyParams, body(defs.update, 'Row'), ref('PreferWrite'), ...headers],
    responses: {
      200: { description: 'OK', schema: rowRef },
      201: { description: 'Created', schema: rowRef },
      204: { description: 'Written; the service returned no content.' },
      default: failed,
    },
  } as Operation;
  paths[byNamedKey] = { patch: upsert };
  return paths;
}

/** How one row of the table is addressed (`/accounts({accountid})`), or undefined when the type has no usable key. */
export function rowAddress(set: EntitySet, type: EntityType): { keys: Property[]; keyParams: Parameter[]; byKey: string } | undefined {
  const keys = type.keyProperties.map((name) => type.allProperties.get(name)).filter((p): p is Property => !!p);
  if (!keys.length || keys.length !== type.keyProperties.length) return undefined;
  return { keys, keyParams: keys.map((k) => keyParameter(k, label(type.name))), byKey: `/${set.name}(${keySegment(keys, keys.length > 1)})` };
}

/** Types written unquoted in a key (`accounts(<guid>)`, `Orders(42)`); everything else is a quoted string. */
export const UNQUOTED = new Set(['Edm.Guid', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Boolean', 'Edm.Date', 'Edm.DateTimeOffset', 'Edm.TimeOfDay']);

/** `{accountid}`, `accountid={accountid}`, `dataAreaId='{dataAreaId}',CustomerAccount='{CustomerAccount}'`. */
export function keySegment(keys: Property[], named: boolean): string {
  return keys
    .map((k) => {
      const value = UNQUOTED.has(k.type) ? `{${paramName(k.name)}}` : `'{${paramName(k.name)}}'`;
      return named ? `${k.name}=${value}` : value;
    })
    .join(',');
}

/** Key property paths (`Address/City`) are not valid template names. */
export function paramName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

export function keyParameter(key: Property, rowLabel: string): Parameter {
  const schema = primitiveSchema(key.type, key, 'swagger2') ?? { type: 'string' };
  const quoted = !UNQUOTED.has(key.type);
  const param: Parameter = {
    name: paramName(key.name),
    in: 'path',
    required: true,
    type: schema.type === 'object' ? 'string' : (schema.type as string),
    'x-ms-summary': label(key.name),
    description: sentence(
      `${key.description ?? `Key ${label(key.name)} of the ${rowLabel} row`}${quoted ? "; write a single quote inside the value twice ('')" : ''}`,
    ),
    'x-ms-url-encoding': 'double',
  };
  if (typeof schema.format === 'string') param.format = schema.format;
  return param;
}
