/** The answer of an action or function as output items. */
import type { IDataObject } from 'n8n-workflow';
import type { Operation } from '../../../../client/metadata/model';

function withoutContext(body: Record<string, unknown>): IDataObject {
  const rest = { ...body };
  delete rest['@odata.context'];
  return rest as IDataObject;
}

/**
 * Nothing (204) becomes `{ success: true }` so the flow goes on; a declared collection becomes one item per
 * element (primitive elements as `{ value }`); anything else is one item.
 */
export function operationOutput(operation: Operation, body: Record<string, unknown> | undefined): IDataObject[] {
  if (body === undefined) return [{ success: true }];
  if (operation.returnType?.collection && Array.isArray(body.value)) {
    return body.value.map((element: unknown) =>
      element !== null && typeof element === 'object' && !Array.isArray(element) ? (element as IDataObject) : { value: element as IDataObject[keyof IDataObject] },
    );
  }
  return [withoutContext(body)];
}
