/** JSON typed into a node field (or given by an expression as an object already), read with an error naming the field. */
import { InputError } from './errors';

export function parseJsonInput(value: unknown, field: string, code: string): unknown {
  if (typeof value !== 'string') return value;
  let reason: string;
  try {
    return JSON.parse(value) as unknown;
  } catch (e) {
    reason = (e as Error).message;
  }
  // Thrown outside the catch: the router turns InputError into the item's NodeOperationError.
  throw new InputError(`${field} is not valid JSON: ${reason}`, code);
}

/** An object of names and values; an empty field is an empty object. */
export function jsonObjectInput(value: unknown, field: string, code: string, example: string): Record<string, unknown> {
  const parsed = typeof value === 'string' && !value.trim() ? {} : parseJsonInput(value, field, code);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(`${field} must be a JSON object of ${example}.`, code);
  }
  return { ...(parsed as Record<string, unknown>) };
}
