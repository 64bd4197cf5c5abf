/**
 * The "dynamic" Finance and Operations connector: generic operations that work for every data entity of every
 * environment. F&O has no EntityDefinitions API, so the entity dropdown reads the OData service document
 * (`GET /data/`, which lists every public entity set by name) and bodies are open objects.
 *
 * Operations (basePath /data):
 * - GetEntitySets (internal)  GET    /                       service document, dropdown of every `entityset`
 * - ListRecords               GET    /{entityset}?$filter&$select&$orderby&$expand&$top&$skip&$count&cross-company
 *                                    (x-ms-pageable: F&O continues with an @odata.nextLink carrying $skip)
 * - GetRecord                 GET    /{entityset}({key})     key = the key segment, e.g. dataAreaId='usmf',CustomerAccount='US-001'
 * - CreateRecord              POST   /{entityset}
 * - UpdateRecord              PATCH  /{entityset}({key})     If-Match: the record's @odata.etag, or * for any version
 * - DeleteRecord              DELETE /{entityset}({key})
 * - PerformRecordAction       POST   /{entityset}({key})/<namespace>.{actionName}
 * - PerformCollectionAction   POST   /{entityset}/<namespace>.{actionName}
 * - When a business event occurs: business-event-trigger.ts.
 * Every record operation takes cross-company: without it F&O reads and writes only the user's default company.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel } from '../../client/metadata/model';
import { baseDocument, ODATA_HEADER_PARAMETERS } from '../document';
import { OperationIds } from '../names';
import type { GenerateOptions, GeneratorWarning } from '../types';
import { addBusinessEventTrigger } from './business-event-trigger';
import { addFnoOperation } from './operations';
import { companyParameters, CROSS_COMPANY, fnoParameter, fnoRef, SKIP } from './parameters';

export const GET_ENTITY_SETS = 'GetEntitySets';
export const FNO_NAMESPACE = 'Microsoft.Dynamics.DataEntities';

const RECORD = 'FnoRecord';
const RECORD_LIST = 'FnoRecordList';
const ACTION_RESULT = 'FnoActionResult';

function definitions(): Record<string, OpenAPIV2.SchemaObject> {
  return {
    [RECORD]: {
      type: 'object',
      description: 'A record of the data entity: its fields by name, with @odata.etag.',
      additionalProperties: true,
      properties: {
        '@odata.etag': { type: 'string', 'x-ms-summary': 'ETag', description: 'Opaque version of the record, for If-Match.' } as OpenAPIV2.SchemaObject,
        dataAreaId: { type: 'string', 'x-ms-summary': 'Company', description: 'The legal entity of the record (company-specific entities).' } as OpenAPIV2.SchemaObject,
      },
    },
    [RECORD_LIST]: {
      type: 'object',
      properties: {
        value: { type: 'array', items: { $ref: `#/definitions/${RECORD}` }, 'x-ms-summary': 'Records' } as OpenAPIV2.SchemaObject,
        '@odata.nextLink': { type: 'string', 'x-ms-summary': 'Next link', 'x-ms-visibility': 'internal' } as OpenAPIV2.SchemaObject,
        '@odata.count': { type: 'integer', format: 'int64', 'x-ms-summary': 'Count' } as OpenAPIV2.SchemaObject,
      },
    },
    [ACTION_RESULT]: {
      type: 'object',
      description: "The action's result: its return value in value, none for an action without a return type.",
      additionalProperties: true,
      properties: { value: { 'x-ms-summary': 'Result', description: 'The return value of the action.' } as OpenAPIV2.SchemaObject },
    },
  };
}

function sharedParameters(namespace: string, actionNames: string[]): Record<string, unknown> {
  const examples = actionNames.slice(0, 4).join(', ');
  return {
    ...ODATA_HEADER_PARAMETERS,
    ...companyParameters(),
    EntitySet: fnoParameter(
      'entityset',
      'path',
      'Entity name',
      'The data entity, as its public collection name (for example CustomersV3; names are case-sensitive); pick it from the list or enter a custom value',
      {
        type: 'string',
        'x-ms-dynamic-values': { operationId: GET_ENTITY_SETS, parameters: {}, 'value-collection': 'value', 'value-path': 'name', 'value-title': 'name' },
        'x-ms-dynamic-list': { operationId: GET_ENTITY_SETS, parameters: {}, itemsPath: 'value', itemValuePath: 'name', itemTitlePath: 'name' },
      },
      'important',
    ),
    RecordKey: fnoParameter(
      'key',
      'path',
      'Record key',
      "Every key field of the record as in its URL, text in single quotes, for example dataAreaId='usmf',CustomerAccount='US-001'",
      { type: 'string' },
      'important',
    ),
    ActionName: fnoParameter(
      'actionName',
      'path',
      'Action name',
      `The OData action of the entity, without the ${namespace} prefix${examples ? ` (for example ${examples})` : ''}`,
      { type: 'string' },
      'important',
    ),
    Filter: fnoParameter('$filter', 'query', 'Filter query', "OData filter the records must match (for example CustomerGroupId eq '10'; F&O supports neither in nor has)", { type: 'string' }, 'important'),
    Select: fnoParameter('$select', 'query', 'Select fields', 'Comma-separated field names to return; all fields when empty', { type: 'string' }, 'important'),
    OrderBy: fnoParameter('$orderby', 'query', 'Order by', 'Fields to sort by, each optionally followed by asc or desc', { type: 'string' }, 'advanced'),
    Expand: fnoParameter('$expand', 'query', 'Expand query', 'Related entities to include (F&O expands one level only)', { type: 'string' }, 'advanced'),
    Top: fnoParameter('$top', 'query', 'Top count', 'Maximum number of records to return', { type: 'integer', format: 'int32', minimum: 0 }, 'important'),
    Count: fnoParameter('$count', 'query', 'Include count', 'Whether to return the number of matching records in @odata.count', { type: 'boolean' }, 'advanced'),
    IfMatch: fnoParameter(
      'If-Match',
      'header',
      'If match',
      "The record's @odata.etag to change it only if nobody changed it since it was read, or * for any version",
      { type: 'string', default: '*', required: true },
      'advanced',
    ),
  };
}

export function buildFnoDynamicDocument(model: CsdlModel, options: GenerateOptions, warnings: GeneratorWarning[]): OpenAPIV2.Document {
  if (options.tables && options.tables.length && !(options.tables.length === 1 && options.tables[0] === '*')) {
    warnings.push({ code: 'Other', message: 'The dynamic style works for every data entity; the entity list is ignored.', where: 'tables' });
  }
  const namespace = model.namespace || FNO_NAMESPACE;
  const actionNames = [...new Set(model.actions.filter((a) => a.bound).map((a) => a.name))].sort();
  const doc = baseDocument({ options, covers: 'records of any data entity', warnings });
  doc.parameters = sharedParameters(namespace, actionNames) as OpenAPIV2.ParametersDefinitionsObject;
  doc.definitions = definitions();
  const ids = new OperationIds(warnings);
  const add = (input: Parameters<typeof addFnoOperation>[2]) => addFnoOperation(doc, ids, input);
  const record = { $ref: `#/definitions/${RECORD}` };
  const item = (description: string) => fnoParameter('item', 'body', 'Record', description, { required: true, schema: record });
  const byKey = '/{entityset}({key})';

  add({
    path: '/',
    method: 'get',
    id: GET_ENTITY_SETS,
    title: 'Get entity sets',
    description: 'Lists the public data entities of the environment from the OData service document',
    visibility: 'internal',
    parameters: [],
    responses: {
      200: {
        description: 'The entity sets.',
        schema: {
          type: 'object',
          properties: {
            value: {
              type: 'array',
              items: { type: 'object', properties: { name: { type: 'string', 'x-ms-summary': 'Name' }, url: { type: 'string', 'x-ms-summary': 'URL' } } },
            },
          },
        } as OpenAPIV2.SchemaObject,
      },
    },
  });
  add({
    path: '/{entityset}',
    method: 'get',
    id: 'ListRecords',
    title: 'List records',
    description: 'Lists records of a data entity, filtered, sorted and paged with OData query options, in the default company or across companies',
    visibility: 'important',
    parameters: ['EntitySet', 'Filter', 'Select', 'OrderBy', 'Expand', 'Top', SKIP, 'Count', CROSS_COMPANY].map(fnoRef),
    responses: { 200: { description: 'The records.', schema: { $ref: `#/definitions/${RECORD_LIST}` } } },
    extra: { 'x-ms-pageable': { nextLinkName: '@odata.nextLink' } },
  });
  add({
    path: byKey,
    method: 'get',
    id: 'GetRecord',
    title: 'Get a record',
    description: 'Reads one record of a data entity by its key fields',
    visibility: 'important',
    parameters: [...['EntitySet', 'RecordKey', 'Select', 'Expand', CROSS_COMPANY].map(fnoRef)],
    responses: { 200: { description: 'The record.', schema: record } },
  });
  add({
    path: '/{entityset}',
    method: 'post',
    id: 'CreateRecord',
    title: 'Create a record',
    description: "Creates a record of a data entity (in the company named by its dataAreaId, or the user's default company) and returns it",
    visibility: 'important',
    parameters: [fnoRef('EntitySet'), item('The fields of the new record by name'), fnoRef(CROSS_COMPANY)],
    responses: { 201: { description: 'The created record.', schema: record } },
  });
  add({
    path: byKey,
    method: 'patch',
    id: 'UpdateRecord',
    title: 'Update a record',
    description: 'Changes fields of an existing record, optionally only if its ETag still matches',
    visibility: 'important',
    parameters: [fnoRef('EntitySet'), fnoRef('RecordKey'), item('The fields to change by name'), fnoRef('IfMatch'), fnoRef(CROSS_COMPANY)],
    responses: { 204: { description: 'The record was updated.' } },
  });
  add({
    path: byKey,
    method: 'delete',
    id: 'DeleteRecord',
    title: 'Delete a record',
    description: 'Deletes a record of a data entity by its key fields',
    visibility: 'important',
    parameters: [fnoRef('EntitySet'), fnoRef('RecordKey'), fnoRef('IfMatch'), fnoRef(CROSS_COMPANY)],
    responses: { 204: { description: 'The record was deleted.' } },
  });
  const actionBody = fnoParameter('parameters', 'body', 'Action parameters', 'The parameters of the action by name, as a JSON object ({} when it has none)', {
    required: true,
    schema: { type: 'object', additionalProperties: true },
  });
  add({
    path: `${byKey}/${namespace}.{actionName}`,
    method: 'post',
    id: 'PerformRecordAction',
    title: 'Execute an action on a record',
    description: 'Runs an OData action bound to one record of a data entity',
    visibility: 'advanced',
    parameters: [fnoRef('EntitySet'), fnoRef('RecordKey'), fnoRef('ActionName'), actionBody, fnoRef(CROSS_COMPANY)],
    responses: { 200: { description: 'The result of the action.', schema: { $ref: `#/definitions/${ACTION_RESULT}` } }, 204: { description: 'The action ran and returns nothing.' } },
  });
  add({
    path: `/{entityset}/${namespace}.{actionName}`,
    method: 'post',
    id: 'PerformCollectionAction',
    title: 'Execute an action on an entity',
    description: 'Runs an OData action bound to the collection of a data entity (for example the Data management actions)',
    visibility: 'advanced',
    parameters: [fnoRef('EntitySet'), fnoRef('ActionName'), actionBody, fnoRef(CROSS_COMPANY)],
    responses: { 200: { description: 'The result of the action.', schema: { $ref: `#/definitions/${ACTION_RESULT}` } }, 204: { description: 'The action ran and returns nothing.' } },
  });
  addBusinessEventTrigger(doc, ids);
  options.onProgress?.(1, 1);
  return doc;
}
