/**
 * Design-time action parameters: the internal GetActionParameters operation and the x-ms-dynamic-schema /
 * x-ms-dynamic-properties that point the body of PerformBoundAction and PerformUnboundAction at it, so the designer
 * shows the fields of the action the maker picked. Its answer comes from the script part of
 * action-parameters-script.ts, which holds the parameters read from $metadata at generation time.
 *
 *   GetActionParameters (internal)  GET /{actionName}/$parameters?binding=bound|unbound   → { action, binding, schema }
 *
 * The path is never sent to Dataverse (the script answers), so it only has to stay apart from the other templates.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, Operation } from '../../client/metadata/model';
import { addScriptParts } from '../script';
import { actionParameterSpecs } from './action-parameter-spec';
import {
  type ActionBinding,
  actionParametersCsharp,
  actionParametersScriptPart,
  type ActionParametersScriptInput,
  BINDINGS,
} from './action-parameters-script';
import { addOperation, DynamicContext } from './common';

export const GET_ACTION_PARAMETERS = 'GetActionParameters';
export const ACTION_PARAMETERS_PATH = '/{actionName}/$parameters';
/** Where the JSON Schema is in the answer (value-path / itemValuePath). */
export const ACTION_SCHEMA_VALUE_PATH = 'schema';
/** The part's share of script.csx (below 1 MB with the other parts); above it the bodies stay open objects. */
export const MAX_ACTION_SCRIPT_BYTES = 512 * 1024;

export interface ActionChoices {
  /** The actions offered in the bound and unbound name lists (empty when that list is left as free text). */
  bound: Operation[];
  unbound: Operation[];
}

export interface ActionParametersPlan {
  /** The bindings whose body the designer can describe (the others keep the open JSON object). */
  described: Set<ActionBinding>;
  /** Adds GetActionParameters and its script part (nothing when no binding is described). */
  addOperation(): void;
}

/** Works out which action bodies can be described; the operation is added after the ones that refer to it. */
export function planActionParameters(ctx: DynamicContext, model: CsdlModel, choices: ActionChoices): ActionParametersPlan {
  const described = new Set<ActionBinding>();
  const nothing = { described, addOperation: () => undefined };
  if (!choices.bound.length && !choices.unbound.length) return nothing;
  const bound = actionParameterSpecs(model, choices.bound);
  const unbound = actionParameterSpecs(model, choices.unbound);
  for (const note of [...bound.notes, ...unbound.notes]) ctx.warnings.push({ code: 'Other', message: note, where: 'action parameters' });
  const input: ActionParametersScriptInput = { operationId: GET_ACTION_PARAMETERS, namespace: ctx.namespace, bound: bound.specs, unbound: unbound.specs };
  const bytes = Buffer.byteLength(actionParametersCsharp(input), 'utf8');
  if (bytes > MAX_ACTION_SCRIPT_BYTES) {
    ctx.warnings.push({
      code: 'Other',
      message: `The parameters of ${bound.specs.size + unbound.specs.size} actions would take ${bytes} bytes of custom code (at most ${MAX_ACTION_SCRIPT_BYTES}); action parameters stay a JSON object instead of fields.`,
      where: 'action parameters',
    });
    return nothing;
  }
  if (bound.specs.size) described.add('bound');
  if (unbound.specs.size) described.add('unbound');
  if (!described.size) return nothing;
  return { described, addOperation: () => addGetActionParameters(ctx, input) };
}

function addGetActionParameters(ctx: DynamicContext, input: ActionParametersScriptInput): void {
  const id = addOperation(ctx, {
    path: ACTION_PARAMETERS_PATH,
    method: 'get',
    id: GET_ACTION_PARAMETERS,
    title: 'Get the parameters of an action',
    description: 'Returns the JSON Schema of the parameters of a bound or unbound action, for the designer',
    visibility: 'internal',
    parameters: [
      {
        name: 'actionName',
        in: 'path',
        required: true,
        type: 'string',
        // Like every path value of the connector (see common.ts).
        'x-ms-url-encoding': 'double',
        'x-ms-summary': 'Action name',
        description: 'Name of the action, without namespace (for example WinOpportunity).',
      },
      {
        name: 'binding',
        in: 'query',
        required: true,
        type: 'string',
        enum: [...BINDINGS],
        default: 'unbound',
        'x-ms-summary': 'Binding',
        description: 'Whether the action runs on a row (bound) or on its own (unbound).',
      },
    ],
    responses: { 200: { description: 'The JSON Schema of the action parameters.', schema: actionParametersAnswer() } },
  });
  if (id !== GET_ACTION_PARAMETERS) throw new Error(`Internal error: the action parameters operation was named ${id}.`);
  addScriptParts(ctx.doc, [actionParametersScriptPart({ ...input, operationId: id })]);
}

/** The body of a Perform…Action operation whose fields the designer reads from GetActionParameters. */
export function dynamicActionBody(binding: ActionBinding, description: string): OpenAPIV2.SchemaObject {
  return {
    type: 'object',
    description,
    'x-ms-dynamic-schema': {
      operationId: GET_ACTION_PARAMETERS,
      parameters: { actionName: { parameter: 'actionName' }, binding },
      'value-path': ACTION_SCHEMA_VALUE_PATH,
    },
    'x-ms-dynamic-properties': {
      operationId: GET_ACTION_PARAMETERS,
      parameters: { actionName: { parameterReference: 'actionName' }, binding: { value: binding } },
      itemValuePath: ACTION_SCHEMA_VALUE_PATH,
    },
  } as OpenAPIV2.SchemaObject;
}

function actionParametersAnswer(): OpenAPIV2.SchemaObject {
  return {
    type: 'object',
    description: 'The parameters of one action, as the connector\'s script describes them from the metadata.',
    properties: {
      action: { type: 'string', description: 'Name of the action.', 'x-ms-summary': 'Action' } as OpenAPIV2.SchemaObject,
      binding: { type: 'string', description: 'bound or unbound.', 'x-ms-summary': 'Binding' } as OpenAPIV2.SchemaObject,
      schema: { type: 'object', description: 'JSON Schema of the action parameters, by parameter name.', 'x-ms-summary': 'Parameters schema' } as OpenAPIV2.SchemaObject,
    },
  };
}
