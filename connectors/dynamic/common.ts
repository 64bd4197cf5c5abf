/**
 * Shared building blocks of the dynamic Dataverse connector: the generation context, parameter and response
 * helpers, and the reusable `#/parameters` entries (table, row ID, $select, $expand).
 */
import type { OpenAPIV2 } from 'openapi-types';
import { OperationIds, sentence, summary } from '../names';
import type { GeneratorWarning } from '../types';

/** The internal lookup operation that lists the tables (see metadata-lookups.ts). */
export const GET_TABLES = 'GetTables';

export interface DynamicContext {
  doc: OpenAPIV2.Document;
  ids: OperationIds;
  warnings: GeneratorWarning[];
  /** Namespace of bound actions in URLs (`Microsoft.Dynamics.CRM`). */
  namespace: string;
}

/** Any Swagger parameter object plus the x-ms-* extensions Power Automate reads. */
export type Param = { name: string; in: string } & Record<string, unknown>;
export type Ref = OpenAPIV2.ReferenceObject;

/** A `$ref` to one of the shared `#/parameters` entries. */
export const ref = (name: string): Ref => ({ $ref: `#/parameters/${name}` });

/** The two OData headers of document.ts, sent on every request. */
export const ODATA_HEADERS: Ref[] = [ref('ODataVersion'), ref('ODataMaxVersion')];

type Visibility = 'important' | 'advanced';

/** A parameter the maker sees: x-ms-summary and a description are always set. */
export function visible(
  name: string,
  location: 'path' | 'query' | 'header' | 'body',
  title: string,
  description: string,
  extra: Record<string, unknown> = {},
  visibility?: Visibility,
): Param {
  const p: Param = { name, in: location, 'x-ms-summary': title, description: sentence(description), ...extra };
  if (location === 'path') {
    p.required = true;
    // Like Microsoft's Dataverse connector: every path value is double-encoded so names and keys containing
    // slashes or other reserved characters survive the gateway.
    p['x-ms-url-encoding'] = 'double';
  } else if (p.required === undefined) p.required = false;
  if (visibility) p['x-ms-visibility'] = visibility;
  return p;
}

/** A hidden header always sent with a fixed value (internal parameters must be required and have a default). */
export function internalHeader(name: string, value: string, title: string, description: string): Param {
  return {
    name,
    in: 'header',
    required: true,
    type: 'string',
    default: value,
    'x-ms-visibility': 'internal',
    'x-ms-summary': title,
    description: sentence(description),
  };
}

/** A hidden query parameter always sent with a fixed value. */
export function internalQuery(name: string, value: string, title: string, description: string): Param {
  return { ...internalHeader(name, value, title, description), in: 'query' };
}

/** The error response every operation declares: no schema, as certification requires. */
export const DEFAULT_RESPONSE: OpenAPIV2.Response = { description: 'Operation failed.' };

export interface OperationInput {
  path: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  id: string;
  title: string;
  description: string;
  parameters: Array<Param | Ref>;
  responses: Record<string, OpenAPIV2.Response>;
  visibility?: 'important' | 'advanced' | 'internal';
  extra?: Record<string, unknown>;
}

/** Adds one operation: a unique PascalCase operationId, a rule-abiding summary and a description that differs. */
export function addOperation(ctx: DynamicContext, input: OperationInput): string {
  const operationId = ctx.ids.take(input.id, `${input.method.toUpperCase()} ${input.path}`);
  const title = summary(input.title);
  let description = sentence(input.description);
  if (description.replace(/\.$/, '').toLowerCase() === title.toLowerCase()) description = sentence(`${title} in Microsoft Dataverse`);
  const operation: Record<string, unknown> = {
    operationId,
    summary: title,
    description,
    parameters: [...input.parameters, ...ODATA_HEADERS],
    responses: { ...input.responses, default: DEFAULT_RESPONSE },
  };
  if (input.visibility) operation['x-ms-visibility'] = input.visibility;
  Object.assign(operation, input.extra ?? {});
  const paths = ctx.doc.paths as Record<string, Record<string, unknown>>;
  const item = (paths[input.path] ??= {});
  if (item[input.method]) throw new Error(`Internal error: ${input.method.toUpperCase()} ${input.path} is generated twice.`);
  item[input.method] = operation;
  return operationId;
}

/** Dropdown of tables: both the classic and the newer dynamic extension, as Microsoft's connector does. */
const TABLE_DROPDOWN = {
  'x-ms-dynamic-values': {
    operationId: GET_TABLES,
    parameters: {},
    'value-collection': 'value',
    'value-path': 'EntitySetName',
    'value-title': 'DisplayCollectionName/UserLocalizedLabel/Label',
  },
  'x-ms-dynamic-list': {
    operationId: GET_TABLES,
    parameters: {},
    itemsPath: 'value',
    itemValuePath: 'EntitySetName',
    itemTitlePath: 'DisplayCollectionName/UserLocalizedLabel/Label',
  },
};

/** The shared parameters every row operation refers to through `#/parameters/…`. */
export function sharedParameters(): Record<string, Param> {
  return {
    EntitySet: visible(
      'entityset',
      'path',
      'Table name',
      'The table to work with, as its entity set name (for example accounts); pick it from the list or enter a custom value',
      { type: 'string', ...TABLE_DROPDOWN },
      'important',
    ),
    RowId: visible('id', 'path', 'Row ID', 'The unique identifier (GUID) of the row', { type: 'string' }, 'important'),
    Select: visible(
      '$select',
      'query',
      'Select columns',
      'Comma-separated logical names of the columns to return (for example name,createdon); all columns when empty',
      { type: 'string' },
      'important',
    ),
    Expand: visible(
      '$expand',
      'query',
      'Expand query',
      'Related rows to include, as an OData $expand expression (for example primarycontactid($select=fullname))',
      { type: 'string' },
      'advanced',
    ),
  };
}
