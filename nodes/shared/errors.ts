/**
 * n8n errors for every Dynamics 365 node. A problem the user fixes in the node or its input is a NodeOperationError
 * with its code; what the service refused is a NodeApiError with its status, code and request id. Tokens never
 * appear: client errors are already redacted.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { D365Error } from '../../client/http/errors';

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

/** Code of any error a node may meet, for continueOnFail output. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof D365Error || error instanceof InputError) return error.code;
  const fromApi = (error as { errorResponse?: { code?: unknown } })?.errorResponse?.code;
  if (typeof fromApi === 'string') return fromApi;
  const context = (error as { context?: { code?: unknown } })?.context?.code;
  return typeof context === 'string' ? context : undefined;
}

export type ToNodeError = (node: INode, error: unknown, itemIndex: number) => NodeApiError | NodeOperationError;

export interface ServiceErrorStyle {
  /** How the service is named in an error's description ("Dataverse code: …"). */
  service: string;
  /** Client error codes that mean the input or the setup is wrong, shown like an InputError. */
  inputCodes?: ReadonlySet<string>;
  /** What to do about an input code, added to the error's description. */
  hints?: Readonly<Record<string, string>>;
}

/** The node's converter from any failure on one item to the n8n error shown for it. */
export function nodeErrorConverter(style: ServiceErrorStyle): ToNodeError {
  return (node, error, itemIndex) => {
    if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
    if (error instanceof InputError || (error instanceof D365Error && error.code && style.inputCodes?.has(error.code))) {
      const code = (error as InputError | D365Error).code as string;
      const description = [`Code: ${code}`, style.hints?.[code]].filter(Boolean).join('. ');
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
        description: [error.code && `${style.service} code: ${error.code}`, error.requestId && `Request id: ${error.requestId}`].filter(Boolean).join('. ') || undefined,
        httpCode: error.status !== undefined ? String(error.status) : undefined,
        itemIndex,
      });
    }
    return new NodeOperationError(node, error instanceof Error ? error.message : String(error), { itemIndex });
  };
}
