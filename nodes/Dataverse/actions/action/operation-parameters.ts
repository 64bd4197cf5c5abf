/**
 * The parameter values of one item, from the resource mapper or from JSON, checked against the declaration before
 * anything is sent: a missing required parameter names itself instead of coming back as a generic 400. Primitive
 * values are converted to their Edm types by the client (`metadata` option); entity and complex values typed as
 * JSON text in a form field are parsed here, because the client sends non-primitive values as given.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { declaredParameters } from '../../../../client/dataverse/operation-parameters';
import type { CsdlModel, Operation, Parameter } from '../../../../client/metadata/model';
import { InputError } from '../../helpers/errors';
import { jsonObjectInput, parseJsonInput } from '../../helpers/json-input';

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function rawValues(ctx: IExecuteFunctions, i: number): Record<string, unknown> {
  const mode = ctx.getNodeParameter('parametersMode', i, 'mapper') as string;
  if (mode !== 'json') return { ...((ctx.getNodeParameter('parameters.value', i, {}) as Record<string, unknown> | null) ?? {}) };
  const json = ctx.getNodeParameter('parametersJson', i, '{}');
  return jsonObjectInput(json, 'Parameters (JSON)', 'InvalidParameterValue', 'parameter names and values, e.g. {"EntityNames": ["account"]}');
}

/** Entity and complex parameters as objects: JSON text from a form field is parsed. */
function structuredValue(model: CsdlModel, value: unknown, parameter: Parameter, operation: string): unknown {
  const structured = model.entityTypes.has(parameter.type) || model.complexTypes.has(parameter.type);
  if (typeof value !== 'string' || !structured) return value;
  return parseJsonInput(value, `The parameter '${parameter.name}' of ${operation} (${parameter.type})`, 'InvalidParameterValue');
}

/** The values to send for item i; empty optional parameters are left out. */
export function operationParameters(ctx: IExecuteFunctions, i: number, model: CsdlModel, operation: Operation): Record<string, unknown> {
  const raw = rawValues(ctx, i);
  const declared = new Map(declaredParameters(operation).map((p) => [p.name, p]));
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (isEmpty(value)) continue;
    const parameter = declared.get(name);
    // Unknown names are passed on: the client refuses them with the list of declared parameters.
    values[name] = parameter ? structuredValue(model, value, parameter, operation.name) : value;
  }
  const missing = [...declared.values()].filter((p) => !p.nullable && values[p.name] === undefined).map((p) => `'${p.name}'`);
  if (missing.length) {
    throw new InputError(`${operation.name} needs the parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: give it a value.`, 'MissingParameter');
  }
  return values;
}
