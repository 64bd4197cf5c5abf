/**
 * /api/services: discovery of service groups, services and operations (GET) and JSON calls to operations (POST
 * with the parameters as a JSON object), with F&O's `{Message, ExceptionType, ActivityId}` fault bodies.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../../http/types';
import { FnoError, type FnoService } from '../context';
import { customerCreditService } from './customer-credit';
import { ServiceFault, type ServiceGroup, type ServiceOperation } from './types';
import { userSessionService } from './user-session';

export { ServiceFault } from './types';
export type { ServiceGroup, ServiceOperation, ServiceParameter } from './types';

export const SERVICES_PATH = /^\/api\/services(\/|$)/i;
export const BUILT_IN_SERVICE_GROUPS: readonly ServiceGroup[] = [userSessionService, customerCreditService];

const JSON_TYPE = 'application/json; charset=utf-8';
const ok = (body: unknown): EmulatorResponse => ({ status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) });

function fault(status: number, message: string, exceptionType: string): EmulatorResponse {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ Message: message, ExceptionType: exceptionType, ActivityId: randomUUID() }) };
}

const byName = <T extends { name: string }>(list: readonly T[], name: string) => list.find((x) => x.name.toLowerCase() === name.toLowerCase());

export function createCustomServices(groups: readonly ServiceGroup[] = BUILT_IN_SERVICE_GROUPS) {
  return async (req: EmulatorRequest, service: FnoService, userId: string): Promise<EmulatorResponse> => {
    const parts = req.url.pathname.split('/').filter(Boolean).slice(2).map(decodeURIComponent);
    const [groupName, serviceName, operationName, extra] = parts;
    const notFound = (what: string) => fault(404, `${what} was not found.`, 'XppServicesNotFoundException');
    if (extra !== undefined) return notFound(`The path '${req.url.pathname}'`);
    const group = groupName === undefined ? undefined : byName(groups, groupName);
    if (groupName !== undefined && !group) return notFound(`The service group '${groupName}'`);
    const svc = serviceName === undefined ? undefined : byName(group!.services, serviceName);
    if (serviceName !== undefined && !svc) return notFound(`The service '${serviceName}' in group '${group!.name}'`);
    const op = operationName === undefined ? undefined : byName(svc!.operations, operationName);
    if (operationName !== undefined && !op) return notFound(`The operation '${operationName}' of service '${svc!.name}'`);

    if (req.method === 'POST' && op) return invoke(req, service, op, userId);
    if (req.method !== 'GET') return fault(405, `The ${req.method} method is not allowed here: GET describes, POST runs an operation.`, 'XppServicesException');
    if (op) return ok({ Parameters: op.parameters, Return: { Name: 'return', Type: op.returns } });
    if (svc) return ok({ Operations: svc.operations.map((o) => ({ Name: o.name })) });
    if (group) return ok({ Services: group.services.map((s) => ({ Name: s.name })) });
    return ok({ ServiceGroups: groups.map((g) => ({ Name: g.name })) });
  };
}

async function invoke(req: EmulatorRequest, service: FnoService, op: ServiceOperation, userId: string): Promise<EmulatorResponse> {
  let args: unknown = {};
  const text = req.body.toString('utf8').trim();
  if (text) {
    try {
      args = JSON.parse(text);
    } catch {
      return fault(400, 'An exception occured when deserializing the parameters: the request body is not valid JSON.', 'XppServicesDeserializationException');
    }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return fault(400, 'An exception occured when deserializing the parameters: the body must be a JSON object of parameter values.', 'XppServicesDeserializationException');
  }
  const unknown = Object.keys(args).filter((k) => !op.parameters.some((p) => p.Name === k));
  if (unknown.length) {
    return fault(400, `An exception occured when deserializing the parameters: '${unknown.join("', '")}' is not a parameter of '${op.name}' (${op.parameters.map((p) => p.Name).join(', ') || 'none'}).`, 'XppServicesDeserializationException');
  }
  try {
    return ok(await op.run(service, args as Record<string, unknown>, { userId }));
  } catch (e) {
    if (e instanceof ServiceFault) return fault(e.status, e.message, e.exceptionType);
    if (e instanceof FnoError) return fault(e.status === 404 ? 404 : 500, e.message, 'XppServicesException');
    return fault(500, (e as Error).message, 'XppServicesException');
  }
}
