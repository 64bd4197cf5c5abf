/** Relate and unrelate rows through a navigation property's `$ref`. */
import { addOperation, DynamicContext, ref, visible } from './common';
import { DEFINITIONS, schemaRef } from './schemas';

const NAVIGATION_HELP =
  'Name of the relationship as the navigation property of the table (for example contact_customer_accounts for the contacts of an account, or a many-to-many relationship name)';

export function addRelationshipOperations(ctx: DynamicContext): void {
  const path = '/{entityset}({id})/{navigation}/$ref';
  const navigation = visible('navigation', 'path', 'Relationship', NAVIGATION_HELP, { type: 'string' }, 'important');
  addOperation(ctx, {
    path,
    method: 'post',
    id: 'RelateRows',
    title: 'Relate rows',
    description: 'Links a row to another row through a one-to-many or many-to-many relationship',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('RowId'),
      navigation,
      visible('item', 'body', 'Relate with', 'The row to link, as its URL', { required: true, schema: schemaRef(DEFINITIONS.RowReference) }),
    ],
    responses: { 204: { description: 'The rows were related.' } },
  });
  addOperation(ctx, {
    path,
    method: 'delete',
    id: 'UnrelateRows',
    title: 'Unrelate rows',
    description: 'Removes the link between a row and a related row',
    visibility: 'important',
    parameters: [
      ref('EntitySet'),
      ref('RowId'),
      navigation,
      visible(
        '$id',
        'query',
        'Unrelate with',
        'URL of the related row to unlink, for example contacts(00000000-0000-0000-0000-000000000001); leave empty for a single-valued (lookup) relationship',
        { type: 'string' },
        'important',
      ),
    ],
    responses: { 204: { description: 'The rows were unrelated.' } },
  });
}
