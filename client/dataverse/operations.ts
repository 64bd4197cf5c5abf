/**
 * Functions (GET, no side effects, parameters in the URL) and actions (POST, parameters in the body), unbound at
 * the service root or bound to a table or row by their qualified name (reference §6.5). POSTing a function or
 * GETting an action fails with an unhelpful 404/405, hence two entry points rather than one guessing the verb.
 */
import type { Operation } from '../metadata/model';
import { encodeODataText } from '../odata/url-encoding';
import { callOptions, parseJson, type CallOptions, type DataverseContext, type RequestSpec } from './context';
import { invalidArgument, invalidResponse } from './errors';
import { actionBody, functionParameters } from './operation-parameters';
import { describeKey, rowPath, setPath, type RowKey } from './row-path';

const NAMESPACE = 'Microsoft.Dynamics.CRM';

export interface OperationOptions extends CallOptions {
  /** Bound to a table (`{ set }`) or to one row (`{ set, key }`). */
  bound?: { set: string; key?: RowKey };
  /** The operation's metadata (client/metadata): converts text values to the declared parameter types. */
  metadata?: Operation;
  /**
   * Actions only: whether repeating the call is harmless. Default false, because most actions change data
   * (a repeated QualifyLead makes a second opportunity) and the pipeline must not retry them blindly.
   */
  idempotent?: boolean;
}

export interface WhoAmIResult {
  UserId: string;
  BusinessUnitId: string;
  OrganizationId: string;
}

function operationPath(name: string, options: OperationOptions): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw invalidArgument(`'${name}' is not an operation name.`);
  if (!options.bound) return name;
  // Bound operations are addressed by their namespace-qualified name.
  const qualified = name.includes('.') ? name : `${NAMESPACE}.${name}`;
  const target = options.bound.key !== undefined ? rowPath(options.bound.set, options.bound.key) : setPath(options.bound.set);
  return `${target}/${qualified}`;
}

function label(kind: string, name: string, options: OperationOptions): string {
  const bound = options.bound;
  if (!bound) return `${kind} ${name}`;
  return `${kind} ${name} on ${bound.set}${bound.key !== undefined ? `(${describeKey(bound.key)})` : ''}`;
}

export function functionRequest(name: string, parameters: Record<string, unknown> = {}, options: OperationOptions = {}): RequestSpec {
  const { signature, aliases } = functionParameters(name, parameters, options.metadata);
  const query = aliases.map(([alias, value]) => `${alias}=${encodeODataText(value)}`).join('&');
  return {
    method: 'GET',
    path: `${operationPath(name, options)}${signature}${query ? `?${query}` : ''}`,
    idempotent: true,
    operation: label('function', name, options),
    ...callOptions(options),
  };
}

export function actionRequest(name: string, parameters: Record<string, unknown> = {}, options: OperationOptions = {}): RequestSpec {
  return {
    method: 'POST',
    path: operationPath(name, options),
    json: actionBody(name, parameters, options.metadata),
    idempotent: options.idempotent ?? false,
    operation: label('action', name, options),
    ...callOptions(options),
  };
}

/** The function's answer as JSON (a complex value, a collection in `value`, or a primitive in `value`). */
export async function callFunction<T = Record<string, unknown>>(ctx: DataverseContext, name: string, parameters?: Record<string, unknown>, options?: OperationOptions): Promise<T> {
  const spec = functionRequest(name, parameters, options);
  const body = await ctx.executeJson<T>(spec);
  if (body === undefined) throw invalidResponse(`${spec.operation}: the service answered with no content.`);
  return body;
}

/** The action's answer as JSON, or undefined for actions that return nothing (204). */
export async function callAction<T = Record<string, unknown>>(ctx: DataverseContext, name: string, parameters?: Record<string, unknown>, options?: OperationOptions): Promise<T | undefined> {
  return parseJson<T>(await ctx.execute(actionRequest(name, parameters, options)));
}

/** Who the connection acts as; the cheapest call that proves the credentials and the environment URL work. */
export async function whoAmI(ctx: DataverseContext, options: CallOptions = {}): Promise<WhoAmIResult> {
  const body = await callFunction<Partial<WhoAmIResult>>(ctx, 'WhoAmI', {}, options);
  if (typeof body.UserId !== 'string') throw invalidResponse('WhoAmI: the answer has no UserId.');
  return { UserId: body.UserId, BusinessUnitId: String(body.BusinessUnitId ?? ''), OrganizationId: String(body.OrganizationId ?? '') };
}
