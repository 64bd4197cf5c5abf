/**
 * Entity actions: X++ methods published as OData actions, bound to a row
 * (`POST /data/Set(key)/Microsoft.Dynamics.DataEntities.Action`) or to the whole collection
 * (`POST /data/Set/Microsoft.Dynamics.DataEntities.Action`, as the Data management actions are).
 */
import { assertIdentifier } from '../odata/identifiers';
import { callOptions, parseJson, type FnoContext } from './context';
import { invalidArgument } from './errors';
import { companyOf, rowPath, setName, type FnoKey } from './paths';
import type { RowOptions } from './entities';
import { entitySetShape } from './schema';

export const FNO_NAMESPACE = 'Microsoft.Dynamics.DataEntities';

function actionName(name: string): string {
  const bare = name.startsWith(`${FNO_NAMESPACE}.`) ? name.slice(FNO_NAMESPACE.length + 1) : name;
  try {
    return assertIdentifier(bare, 'action name');
  } catch (e) {
    throw invalidArgument(`Invalid action name: ${(e as Error).message}`, e);
  }
}

function checkParameters(parameters: unknown, action: string): Record<string, unknown> {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw invalidArgument(`The parameters of ${action} must be an object of parameter values.`);
  return parameters as Record<string, unknown>;
}

/** The action's return value (`value` of the answer), or undefined for an action that returns nothing. */
function returned<T>(body: Record<string, unknown> | undefined): T | undefined {
  if (body === undefined) return undefined;
  return ('value' in body ? body.value : body) as T;
}

export async function callBoundAction<T = unknown>(
  ctx: FnoContext,
  set: string,
  key: FnoKey,
  action: string,
  parameters: Record<string, unknown> = {},
  options: RowOptions = {},
): Promise<T | undefined> {
  const name = actionName(action);
  const shape = await entitySetShape(ctx, setName(set), options);
  const path = rowPath(shape, key, companyOf(ctx, options));
  const cross = shape.companySpecific !== false ? '?cross-company=true' : '';
  const response = await ctx.execute({
    method: 'POST',
    path: `data/${path}/${FNO_NAMESPACE}.${name}${cross}`,
    json: checkParameters(parameters, name),
    idempotent: false,
    operation: `action ${shape.set}.${name}`,
    ...callOptions(options),
  });
  return returned<T>(parseJson(response));
}

export async function callCollectionAction<T = unknown>(
  ctx: FnoContext,
  set: string,
  action: string,
  parameters: Record<string, unknown> = {},
  options: RowOptions & { idempotent?: boolean } = {},
): Promise<T | undefined> {
  const name = actionName(action);
  const entitySet = setName(set);
  const response = await ctx.execute({
    method: 'POST',
    path: `data/${entitySet}/${FNO_NAMESPACE}.${name}`,
    json: checkParameters(parameters, name),
    idempotent: options.idempotent ?? false,
    operation: `action ${entitySet}.${name}`,
    ...callOptions(options),
  });
  return returned<T>(parseJson(response));
}
