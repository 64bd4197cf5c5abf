/** Row operations: list, get, add, update (If-Match: *), upsert (by key, no If-Match) and delete. */
import { addOperation, DynamicContext, internalHeader, ref, visible } from './common';
import { dynamicRowListSchema, dynamicRowSchema, type SchemaPurpose } from './table-schema';

const READ_PREFER = 'odata.include-annotations="*"';
const WRITE_PREFER = 'return=representation,odata.include-annotations="*"';

const rowBody = (description: string, purpose: SchemaPurpose) =>
  visible('item', 'body', 'Row item', description, {
    required: true,
    schema: dynamicRowSchema(purpose, 'Columns of the row by logical name; lookups as "<navigation>@odata.bind": "/<entity set>(<id>)".'),
  });
/** A row as Dataverse returns it; its columns come from the table's schema at design time. */
const rowResult = () => dynamicRowSchema('read', 'A row of the table: its columns by logical name, with OData annotations.');

export function addRowOperations(ctx: DynamicContext): void {
  const row = '/{entityset}({id})';
  addOperation(ctx, {
    path: '/{entityset}',
    method: 'get',
    id: 'ListRows',
    title: 'List rows',
    description: 'Lists rows of a table, filtered, sorted and paged with OData query options or a FetchXML query',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('Select'),
      visible('$filter', 'query', 'Filter rows', 'OData filter expression the rows must match (for example statecode eq 0)', { type: 'string' }, 'important'),
      visible('$orderby', 'query', 'Sort by', 'Columns to sort by, each optionally followed by asc or desc (for example name desc)', { type: 'string' }, 'important'),
      ref('Expand'),
      visible('fetchXml', 'query', 'Fetch Xml query', 'A FetchXML query to run instead of the OData options', { type: 'string' }, 'advanced'),
      visible('$top', 'query', 'Row count', 'Maximum number of rows to return', { type: 'integer', format: 'int32', minimum: 0 }, 'important'),
      visible('$count', 'query', 'Include row count', 'Whether to return the number of matching rows (at most 5,000) in @odata.count', { type: 'boolean' }, 'advanced'),
      visible('$skiptoken', 'query', 'Skip token', 'The skip token of the page to read, from a previous @odata.nextLink', { type: 'string' }, 'advanced'),
      internalHeader('Prefer', READ_PREFER, 'Prefer', 'Asks for formatted values and lookup annotations'),
    ],
    responses: { 200: { description: 'The rows.', schema: dynamicRowListSchema() } },
    extra: { 'x-ms-pageable': { nextLinkName: '@odata.nextLink' } },
  });
  addOperation(ctx, {
    path: row,
    method: 'get',
    id: 'GetRow',
    title: 'Get a row by ID',
    description: 'Reads one row of a table by its unique identifier',
    visibility: 'important',
    parameters: [ref('EntitySet'), ref('RowId'), ref('Select'), ref('Expand'), internalHeader('Prefer', READ_PREFER, 'Prefer', 'Asks for formatted values and lookup annotations')],
    responses: { 200: { description: 'The row.', schema: rowResult() } },
  });
  addOperation(ctx, {
    path: '/{entityset}',
    method: 'post',
    id: 'AddRow',
    title: 'Add a new row',
    description: 'Creates a row in a table and returns it',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      rowBody('The columns of the new row by logical name', 'create'),
      internalHeader('Prefer', WRITE_PREFER, 'Prefer', 'Asks Dataverse to return the created row'),
    ],
    responses: {
      201: { description: 'The created row.', schema: rowResult() },
      204: { description: 'The row was created; its URL is in the OData-EntityId header.' },
    },
  });
  addOperation(ctx, {
    path: row,
    method: 'patch',
    id: 'UpdateRow',
    title: 'Update a row',
    description: 'Changes columns of an existing row and fails when the row does not exist',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('RowId'),
      rowBody('The columns to change by logical name', 'update'),
      internalHeader('If-Match', '*', 'If match', 'Makes the update fail instead of creating the row when it does not exist'),
      internalHeader('Prefer', WRITE_PREFER, 'Prefer', 'Asks Dataverse to return the updated row'),
    ],
    responses: {
      200: { description: 'The updated row.', schema: rowResult() },
      204: { description: 'The row was updated.' },
    },
  });
  // A second PATCH on /{entityset}({id}) is impossible in one Swagger (Microsoft's connector uses two API
  // versions), so upsert addresses the row by `key column = value`, which also covers alternate keys.
  addOperation(ctx, {
    path: '/{entityset}({keyColumn}={keyValue})',
    method: 'patch',
    id: 'UpsertRow',
    title: 'Upsert a row',
    description: 'Updates the row with the given key, or creates it when no row has that key',
    visibility: 'advanced',
    parameters: [
      ref('EntitySet'),
      visible('keyColumn', 'path', 'Key column', 'Logical name of the primary ID column (for example accountid) or of an alternate key column', { type: 'string' }, 'important'),
      visible(
        'keyValue',
        'path',
        'Key value',
        "The key value as an OData literal: a GUID as is, text in single quotes (for example 'A-100'); for a key of several columns add them after the first value (for example 'A-100',name='Contoso')",
        { type: 'string' },
        'important',
      ),
      rowBody('The columns to set by logical name', 'upsert'),
      internalHeader('Prefer', WRITE_PREFER, 'Prefer', 'Asks Dataverse to return the row'),
    ],
    responses: {
      200: { description: 'The updated or created row.', schema: rowResult() },
      201: { description: 'The created row.', schema: rowResult() },
      204: { description: 'The row was updated or created.' },
    },
  });
  addOperation(ctx, {
    path: row,
    method: 'delete',
    id: 'DeleteRow',
    title: 'Delete a row',
    description: 'Deletes one row of a table by its unique identifier',
    visibility: 'important',
    parameters: [ref('EntitySet'), ref('RowId')],
    responses: { 204: { description: 'The row was deleted.' } },
  });
}
