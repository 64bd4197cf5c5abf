/**
 * Custom services (X++ service groups published as JSON): discovery walks `GET /api/services` → groups → services →
 * operations (parameters and return type), and a call is `POST /api/services/{group}/{service}/{operation}` with
 * the parameters as one JSON object.
 */
import { callOptions, parseJson, type CallOptions, type FnoContext } from './context';
import { invalidArgument, invalidResponse } from './errors';

export interface ServiceParameterInfo {
  name: string;
  /** X++ type as the service describes it (`str`, `int`, a data contract class…). */
  type: string;
}

export interface ServiceOperationInfo {
  name: string;
  parameters: ServiceParameterInfo[];
  returnType?: string;
}

export interface ServiceInfo {
  name: string;
  operations: ServiceOperationInfo[];
}

export interface ServiceGroupInfo {
  name: string;
  services: ServiceInfo[];
}

function segment(value: string, what: string): string {
  if (typeof value !== 'string' || !value.trim() || /[/\\?#]/.test(value)) throw invalidArgument(`The ${what} ${JSON.stringify(value)} is not a service name.`);
  return encodeURIComponent(value.trim());
}

async function getJson(ctx: FnoContext, path: string, operation: string, options: CallOptions): Promise<Record<string, unknown>> {
  const body = parseJson<Record<string, unknown>>(await ctx.execute({ method: 'GET', path, idempotent: true, operation, ...callOptions(options) }));
  if (!body || typeof body !== 'object') throw invalidResponse(`${operation}: the service answered with no description.`);
  return body;
}

/** `[{Name}]` lists as the service writes them (ServiceGroups, Services, Operations). */
function names(body: Record<string, unknown>, member: string, operation: string): string[] {
  const list = body[member];
  if (!Array.isArray(list)) throw invalidResponse(`${operation}: the answer has no '${member}' list.`);
  return list.map((item) => String((item as { Name?: unknown })?.Name ?? '')).filter(Boolean);
}

export async function listServiceGroups(ctx: FnoContext, options: CallOptions = {}): Promise<string[]> {
  return names(await getJson(ctx, 'api/services', 'list service groups', options), 'ServiceGroups', 'list service groups');
}

export async function listServices(ctx: FnoContext, group: string, options: CallOptions = {}): Promise<string[]> {
  const op = `list services of ${group}`;
  return names(await getJson(ctx, `api/services/${segment(group, 'service group')}`, op, options), 'Services', op);
}

export async function listOperations(ctx: FnoContext, group: string, service: string, options: CallOptions = {}): Promise<string[]> {
  const op = `list operations of ${group}/${service}`;
  return names(await getJson(ctx, `api/services/${segment(group, 'service group')}/${segment(service, 'service')}`, op, options), 'Operations', op);
}

export async function describeOperation(ctx: FnoContext, group: string, service: string, operation: string, options: CallOptions = {}): Promise<ServiceOperationInfo> {
  const op = `describe ${group}/${service}/${operation}`;
  const body = await getJson(ctx, `api/services/${segment(group, 'service group')}/${segment(service, 'service')}/${segment(operation, 'operation')}`, op, options);
  const params = Array.isArray(body.Parameters) ? body.Parameters : [];
  const ret = body.Return as { Type?: unknown } | undefined;
  const info: ServiceOperationInfo = {
    name: operation,
    parameters: params.map((p: { Name?: unknown; Type?: unknown }) => ({ name: String(p?.Name ?? ''), type: String(p?.Type ?? '') })),
  };
  if (ret && typeof ret.Type === 'string') info.returnType = ret.Type;
  return info;
}

/** Every group, service and operation with its signature; operations are described a few at a time. */
export async function discoverServices(ctx: FnoContext, options: CallOptions & { group?: string } = {}): Promise<ServiceGroupInfo[]> {
  const groups = options.group !== undefined ? [options.group] : await listServiceGroups(ctx, options);
  const out: ServiceGroupInfo[] = [];
  for (const group of groups) {
    const services: ServiceInfo[] = [];
    for (const service of await listServices(ctx, group, options)) {
      const operations = await listOperations(ctx, group, service, options);
      const described: ServiceOperationInfo[] = [];
      for (let i = 0; i < operations.length; i += 4) {
        described.push(...(await Promise.all(operations.slice(i, i + 4).map((o) => describeOperation(ctx, group, service, o, options)))));
      }
      services.push({ name: service, operations: described });
    }
    out.push({ name: group, services });
  }
  return out;
}

/** Runs an operation; the answer is its JSON return value (undefined when it returns nothing). */
export async function callService<T = unknown>(
  ctx: FnoContext,
  group: string,
  service: string,
  operation: string,
  parameters: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<T | undefined> {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw invalidArgument(`The parameters of ${operation} must be an object of parameter values.`);
  const response = await ctx.execute({
    method: 'POST',
    path: `api/services/${segment(group, 'service group')}/${segment(service, 'service')}/${segment(operation, 'operation')}`,
    json: parameters,
    idempotent: false,
    operation: `service ${group}/${service}/${operation}`,
    ...callOptions(options),
  });
  return parseJson<T>(response);
}
