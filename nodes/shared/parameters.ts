/**
 * n8n works a parameter out again for every item even when it holds no expression, and in n8n 2.x that costs a trip
 * through its expression machinery. A parameter without any expression has the same value for every item, so bulk
 * operations read it once per run; one with an expression (anywhere inside it) is still read per item.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

const constants = new WeakMap<IExecuteFunctions, Map<string, unknown>>();
/** n8n's getNode() hands out a deep copy of the node every time, so the parameters are taken once per run. */
const rawParameters = new WeakMap<IExecuteFunctions, unknown>();

function parametersOf(ctx: IExecuteFunctions): unknown {
  if (!rawParameters.has(ctx)) rawParameters.set(ctx, ctx.getNode().parameters);
  return rawParameters.get(ctx);
}

function rawParameter(parameters: unknown, path: string): unknown {
  let value = parameters;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function holdsExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith('=');
  if (Array.isArray(value)) return value.some(holdsExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExpression);
  return false;
}

export function itemParameter<T>(ctx: IExecuteFunctions, name: string, i: number, fallback: T, options?: { extractValue?: boolean }): T {
  const raw = rawParameter(parametersOf(ctx), name);
  // Absent (a default) or an expression: only n8n knows the item's value.
  if (raw === undefined || holdsExpression(raw)) return ctx.getNodeParameter(name, i, fallback, options) as T;
  let cache = constants.get(ctx);
  if (!cache) constants.set(ctx, (cache = new Map()));
  const key = options?.extractValue ? `${name}#value` : name;
  if (!cache.has(key)) cache.set(key, ctx.getNodeParameter(name, i, fallback, options));
  return cache.get(key) as T;
}
