/**
 * Parameter values of functions and actions. Users of low-code tools type every value as text, so when the
 * operation's metadata is known each value is converted to its declared type ('5' for an Edm.Int32 becomes 5);
 * without metadata values are sent as given. Functions take their values as URL literals in aliases
 * (`@p1=["account"]`), actions as a JSON body.
 */
import type { Operation, Parameter } from '../metadata/model';
import { isPrimitiveType } from '../odata/edm-types';
import { canonicalValue } from '../odata/edm-values';
import { formatLiteral } from '../odata/literals';
import { invalidArgument } from './errors';

const INTEGER_TYPES = new Set(['Edm.Byte', 'Edm.SByte', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64']);
const NUMBER_TYPES = new Set(['Edm.Decimal', 'Edm.Double', 'Edm.Single']);

/** The parameters a caller passes: the binding parameter of a bound operation is the URL, not a value. */
export function declaredParameters(operation: Operation): Parameter[] {
  return operation.parameters.slice(operation.bound ? 1 : 0);
}

function parameterIndex(operation: Operation | undefined, values: Record<string, unknown>): Map<string, Parameter> {
  const declared = new Map<string, Parameter>();
  if (!operation) return declared;
  for (const p of declaredParameters(operation)) declared.set(p.name, p);
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) {
      const names = [...declared.keys()];
      throw invalidArgument(`${operation.name}: unknown parameter '${name}'; it takes ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no parameters'}.`);
    }
  }
  return declared;
}

/** One value as JSON of its declared Edm type. */
function jsonScalar(value: unknown, type: string, where: string): unknown {
  if (value === null || !isPrimitiveType(type)) return value;
  const text = canonicalValue(value, type, undefined, where).text;
  if (INTEGER_TYPES.has(type)) {
    const n = Number(text);
    // Int64 beyond 2^53 stays text; a JSON number would lose digits on the way.
    return Number.isSafeInteger(n) ? n : text;
  }
  if (NUMBER_TYPES.has(type)) return Number(text);
  if (type === 'Edm.Boolean') return text === 'true';
  return text;
}

function jsonValue(value: unknown, parameter: Parameter, operation: string): unknown {
  const where = `parameter '${parameter.name}' of ${operation}`;
  try {
    if (!parameter.collection) return jsonScalar(value, parameter.type, where);
    // Text from a form field: a JSON list, or items separated by commas.
    const items = typeof value === 'string' ? (value.trim().startsWith('[') ? JSON.parse(value) : value.split(',').map((item) => item.trim())) : value;
    if (!Array.isArray(items)) throw new TypeError(`Invalid ${where}: expected a list of ${parameter.type} values.`);
    return items.map((item) => jsonScalar(item, parameter.type, where));
  } catch (e) {
    throw invalidArgument((e as Error).message, e);
  }
}

/** Action body: `{ "Target": …, "Count": 5 }`, converted to the declared types when metadata is given. */
export function actionBody(name: string, values: Record<string, unknown>, operation?: Operation): Record<string, unknown> {
  const declared = parameterIndex(operation, values);
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const parameter = declared.get(key);
    body[key] = parameter ? jsonValue(value, parameter, name) : value;
  }
  return body;
}

/** A function parameter as URL literal text: JSON for lists and objects, OData literals for single values. */
function literal(value: unknown, parameter: Parameter | undefined, operation: string): string {
  const converted = parameter ? jsonValue(value, parameter, operation) : value;
  if (converted === null) return 'null';
  if (typeof converted === 'object' && !(converted instanceof Date)) return JSON.stringify(converted);
  try {
    // Enum parameters are written `Namespace.Type'Member'`; other declared types by their Edm type.
    if (parameter && !parameter.collection) return formatLiteral(converted, parameter.type);
    // A GUID-shaped text is an Edm.Guid (ids are the common case); other text is a string.
    if (typeof converted === 'string' && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(converted)) return converted;
    return formatLiteral(converted);
  } catch (e) {
    throw invalidArgument(`${operation}: parameter '${parameter?.name ?? ''}': ${(e as Error).message}`, e);
  }
}

/** `(EntityNames=@p1)` and `[['@p1', '["account"]']]`: values travel as aliases, which keeps the path readable. */
export function functionParameters(
  name: string,
  values: Record<string, unknown>,
  operation?: Operation,
): { signature: string; aliases: [string, string][] } {
  const declared = parameterIndex(operation, values);
  const names: string[] = [];
  const aliases: [string, string][] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw invalidArgument(`${name}: '${key}' is not a parameter name.`);
    const alias = `@p${aliases.length + 1}`;
    names.push(`${key}=${alias}`);
    aliases.push([alias, literal(value, declared.get(key), name)]);
  }
  return { signature: `(${names.join(',')})`, aliases };
}
