/** Reads the JSON body of a Data management action and checks its parameters against the action's signature. */
import { badRequest } from '../errors';

export type ParamType = 'string' | 'boolean' | 'number';

export function readParameters(action: string, body: Buffer, signature: Record<string, ParamType>): Record<string, string | boolean | number> {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest(`The body of ${action} is not valid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(`The body of ${action} must be a JSON object of its parameters.`);
  const values = parsed as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!(name in signature)) {
      throw badRequest(`The parameter '${name}' in the request payload is not a valid parameter for the operation '${action}'. Expected: ${Object.keys(signature).join(', ')}.`);
    }
  }
  const out: Record<string, string | boolean | number> = {};
  for (const [name, type] of Object.entries(signature)) {
    const value = values[name];
    if (value === undefined || value === null) throw badRequest(`The parameter '${name}' of the operation '${action}' is missing.`);
    if (typeof value !== type) throw badRequest(`The parameter '${name}' of the operation '${action}' must be a ${type === 'string' ? 'string' : type}, not ${JSON.stringify(value).slice(0, 60)}.`);
    out[name] = value as string | boolean | number;
  }
  return out;
}
