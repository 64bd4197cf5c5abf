/**
 * n8n errors for the F&O node. Problems the user fixes in the node or its input (a bad argument, a broken package,
 * an unknown company, a job that outlived its time budget) are NodeOperationErrors with their code; what the
 * service refused is a NodeApiError with the F&O status, code and request id. Tokens never appear: client errors
 * are already redacted.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';
import { errorCode, InputError } from '../../Dataverse/helpers/errors';

export { errorCode, InputError };

const INPUT_CODES = new Set([
  'InvalidArgument',
  'InvalidPackage',
  'UnknownCompany',
  'TimeBudgetExceeded',
  'NotFinanceOperations',
  'InvalidEnvironmentUrl',
  'InvalidAuthConfiguration',
  'NoBlobTransport',
]);

const HINTS: Record<string, string> = {
  UnknownCompany: 'Pick a company from the list (legal entities of the environment) or leave it empty for the default company.',
  InvalidPackage: 'A data package is a ZIP with Manifest.xml, PackageHeader.xml and the data files the manifest names, as Data management exports it.',
  TimeBudgetExceeded: 'Raise the Time Budget option, or read the job later with Data Management > Get Job Status and its execution ID.',
};

export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof InputError || (error instanceof D365Error && error.code && INPUT_CODES.has(error.code))) {
    const code = (error as InputError | D365Error).code as string;
    const description = [`Code: ${code}`, HINTS[code]].filter(Boolean).join('. ');
    const wrapped = new NodeOperationError(node, error.message, { itemIndex, description });
    wrapped.context.code = code;
    return wrapped;
  }
  if (error instanceof D365Error) {
    const response: JsonObject = { message: error.message };
    if (error.code) response.code = error.code;
    if (error.status !== undefined) response.status = error.status;
    if (error.requestId) response.requestId = error.requestId;
    return new NodeApiError(node, response, {
      message: error.message,
      description: [error.code && `Finance & Operations code: ${error.code}`, error.requestId && `Request id: ${error.requestId}`].filter(Boolean).join('. ') || undefined,
      httpCode: error.status !== undefined ? String(error.status) : undefined,
      itemIndex,
    });
  }
  return new NodeOperationError(node, error instanceof Error ? error.message : String(error), { itemIndex });
}
