/** Adding one operation to an F&O document: unique operationId, rule-abiding summary, OData headers, default response. */
import type { OpenAPIV2 } from 'openapi-types';
import { OperationIds, sentence, summary } from '../names';
import { fnoRef, type FnoParam } from './parameters';

export interface FnoOperationInput {
  path: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  id: string;
  title: string;
  description: string;
  parameters: Array<FnoParam | OpenAPIV2.ReferenceObject>;
  responses: Record<string, OpenAPIV2.Response>;
  visibility?: 'important' | 'advanced' | 'internal';
  extra?: Record<string, unknown>;
}

export function addFnoOperation(doc: OpenAPIV2.Document, ids: OperationIds, input: FnoOperationInput): string {
  const operationId = ids.take(input.id, `${input.method.toUpperCase()} ${input.path}`);
  const title = summary(input.title);
  let description = sentence(input.description);
  if (description.replace(/\.$/, '').toLowerCase() === title.toLowerCase()) description = sentence(`${title} in Finance and Operations`);
  const operation: Record<string, unknown> = {
    operationId,
    summary: title,
    description,
    parameters: [...input.parameters, fnoRef('ODataVersion'), fnoRef('ODataMaxVersion')],
    responses: { ...input.responses, default: { description: 'Operation failed.' } },
  };
  if (input.visibility) operation['x-ms-visibility'] = input.visibility;
  Object.assign(operation, input.extra ?? {});
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  const item = (paths[input.path] ??= {});
  if (item[input.method]) throw new Error(`Internal error: ${input.method.toUpperCase()} ${input.path} is generated twice.`);
  item[input.method] = operation;
  return operationId;
}
