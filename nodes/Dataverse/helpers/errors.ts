import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { D365Error } from '../../../client/http/errors';

/** A problem with the node's input (not the service's answer): carries a code like the service's errors do. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Code of any error the node may meet, for continueOnFail output. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof D365Error || error instanceof InputError) return error.code;
  const fromApi = (error as { errorResponse?: { code?: unknown } })?.errorResponse?.code;
  if (typeof fromApi === 'string') return fromApi;
  const context = (error as { context?: { code?: unknown } })?.context?.code;
  return typeof context === 'string' ? context : undefined;
}

/** n8n error for a failure on one item: NodeApiError with the Dataverse code and message (never a token). */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
  if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
  if (error instanceof InputError) {
    const wrapped = new NodeOperationError(node, error.message, { itemIndex, description: `Code: ${error.code}` });
    wrapped.context.code = error.code;
    return wrapped;
  }
  if (error instanceof D365Error) {
    const response: JsonObject = { message: error.message };
    if (error.code) response.code = error.code;
    if (error.status !== undefined) response.status = error.status;
    if (error.requestId) response.requestId = error.requestId;
    return new NodeApiError(node, response, {
      message: error.message,
      description: [error.code && `Dataverse code: ${error.code}`, error.requestId && `Request id: ${error.requestId}`].filter(Boolean).join('. ') || undefined,
      httpCode: error.status !== undefined ? String(error.status) : undefined,
      itemIndex,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodeOperationError(node, message, { itemIndex });
}
