/**
 * Functions and actions declared in the model. WhoAmI, RetrieveVersion and RetrieveTotalRecordCount behave as
 * in Dataverse; any other declared operation gets a generic handler that checks its parameters against the
 * model and answers with its declared return shape (204 for actions without one). An action that succeeds is
 * reported to the webhooks, which deliver it to callback registrations of version 3 ("When an action is performed").
 */
import type { Operation } from '../../client/metadata/model';
import { jsonResponse, EmulatorResponse } from '../http/types';
import type { CallContext } from './context';
import { badRequest, DataverseError } from './errors';
import type { Table } from './schema';
import { parseLiteral, splitOutsideQuotes } from './url';

const NS = 'Microsoft.Dynamics.CRM';

export function findUnbound(ctx: CallContext, name: string): Operation | undefined {
  const { model } = ctx.service.schema;
  const qualified = model.functionImports.get(name) ?? model.actionImports.get(name);
  if (!qualified) return undefined;
  return [...model.functions, ...model.actions].find((op) => op.qualifiedName === qualified && !op.bound);
}

export function findBound(ctx: CallContext, qualifiedName: string, table: Table, collection: boolean): Operation | undefined {
  const { model } = ctx.service.schema;
  const name = qualifiedName.replace(/^(mscrm|Microsoft\.Dynamics\.CRM)\./, `${NS}.`);
  return [...model.functions, ...model.actions].find(
    (op) =>
      op.bound && op.qualifiedName === name &&
      op.parameters[0]?.type === table.type.qualifiedName && op.parameters[0]?.collection === collection,
  );
}

export function invokeOperation(ctx: CallContext, op: Operation, args: string | undefined, binding?: { table: Table; id?: string }): EmulatorResponse {
  const method = ctx.req.method;
  if (op.kind === 'function' && method !== 'GET') {
    throw new DataverseError(404, '', `No HTTP resource was found that matches the request URI '${ctx.req.url.href}'.`);
  }
  if (op.kind === 'action' && method !== 'POST') {
    throw new DataverseError(405, '0x80060888', `The requested resource does not support http method '${method}'.`);
  }
  const params = op.kind === 'function' ? readFunctionParameters(ctx, args) : readActionBody(ctx);
  const declared = op.parameters.slice(op.bound ? 1 : 0);
  for (const name of Object.keys(params)) {
    if (!declared.some((p) => p.name === name)) throw badRequest(`The parameter '${name}' is not declared by the operation '${op.name}'.`);
  }
  for (const p of declared) {
    if (!p.nullable && params[p.name] === undefined) {
      throw badRequest(`The parameter '${p.name}' of the operation '${op.name}' is required and was not provided.`);
    }
  }
  if (binding?.id && !ctx.service.store.get(binding.table.logicalName, binding.id)) {
    throw new DataverseError(404, '0x80040217', `Entity '${binding.table.logicalName}' With Id = ${binding.id} Does Not Exist`);
  }
  const result = builtIn(ctx, op, params) ?? genericResult(ctx, op);
  if (op.kind === 'action') reportAction(ctx, op, params, result, binding);
  if (result === undefined) return { status: 204, headers: { 'odata-version': '4.0' } };
  return jsonResponse(200, result, { 'odata-version': '4.0' });
}

/** Held with the request's row changes, so it is delivered only when the request (or its change set) succeeds. */
function reportAction(ctx: CallContext, op: Operation, params: Record<string, unknown>, result: unknown, binding?: { table: Table; id?: string }): void {
  const webhooks = ctx.service.webhooks;
  if (!webhooks) return;
  const output: Record<string, unknown> = {};
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    for (const [key, value] of Object.entries(result)) if (!key.startsWith('@odata.')) output[key] = value;
  }
  const declared = op.parameters.slice(op.bound ? 1 : 0);
  webhooks.record({
    action: op.name,
    table: binding?.table.logicalName,
    id: binding?.id?.toLowerCase(),
    input: params,
    output,
    parameterTypes: Object.fromEntries(declared.map((p) => [p.name, p.type])),
    userId: ctx.userId,
    depth: 1,
  });
}

function readFunctionParameters(ctx: CallContext, args: string | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (!args || args.trim() === '') return params;
  for (const part of splitOutsideQuotes(args, ',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw badRequest(`Bad Request - Error in query syntax: expected name=value in '${args}'.`);
    const name = part.slice(0, eq).trim();
    let raw = part.slice(eq + 1).trim();
    if (raw.startsWith('@')) {
      const aliased = ctx.query.get(raw);
      if (aliased === null) throw badRequest(`The parameter alias '${raw}' was not found in the request.`);
      raw = aliased;
    }
    params[name] = raw.startsWith('[') || raw.startsWith('{') ? parseJsonParameter(raw, name) : parseLiteral(raw, ctx.query);
  }
  return params;
}

function parseJsonParameter(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest(`The value of parameter '${name}' is not valid JSON: ${raw}`);
  }
}

function readActionBody(ctx: CallContext): Record<string, unknown> {
  const text = ctx.req.body.toString('utf8').trim();
  if (!text) return {};
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch (e) {
    throw badRequest(`The action body must be a JSON object of parameters: ${(e as Error).message}`);
  }
}

function builtIn(ctx: CallContext, op: Operation, params: Record<string, unknown>): unknown {
  const { service } = ctx;
  const context = `${service.serviceRoot}$metadata#${op.returnType?.type ?? ''}`;
  switch (op.name) {
    case 'WhoAmI':
      return { '@odata.context': context, BusinessUnitId: service.businessUnitId, UserId: ctx.userId, OrganizationId: service.organizationId };
    case 'RetrieveVersion':
      return { '@odata.context': context, Version: '9.2.26111.150' };
    case 'RetrieveTotalRecordCount': {
      const names = (params.EntityNames as string[] | undefined) ?? [];
      const values = names.map((n) => {
        const table = service.schema.table(n);
        if (!table) throw badRequest(`Could not find an entity with logical name '${n}'.`);
        return service.store.rows(n).size;
      });
      return { '@odata.context': context, EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: values } };
    }
    default:
      return undefined;
  }
}

/** A declared operation the emulator has no behaviour for: the declared return shape with empty values. */
function genericResult(ctx: CallContext, op: Operation): unknown {
  if (!op.returnType) return undefined;
  const { model } = ctx.service.schema;
  const complex = model.complexTypes.get(op.returnType.type);
  const context = `${ctx.service.serviceRoot}$metadata#${op.returnType.type}`;
  if (op.returnType.collection) return { '@odata.context': `${ctx.service.serviceRoot}$metadata#Collection(${op.returnType.type})`, value: [] };
  if (complex) {
    const body: Record<string, unknown> = { '@odata.context': context };
    for (const p of complex.allProperties.values()) body[p.name] = p.collection ? [] : null;
    return body;
  }
  return { '@odata.context': context, value: null };
}
