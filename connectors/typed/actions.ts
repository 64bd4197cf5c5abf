/**
 * Actions and functions in the typed style, one operation each with typed parameters and return schema from the
 * CSDL: those bound to a chosen table (to one row or to the table), and the unbound ones the service imports.
 *
 * - Actions are POSTs with the parameters as a JSON body: `/accounts({accountid})/Microsoft.Dynamics.CRM.X`,
 *   `/accounts/Microsoft.Dynamics.CRM.X`, `/X`.
 * - Functions are GETs with the parameters in the URL, each written as an OData literal by the path template
 *   (`Fn(Name='{Name}',Count={Count})`, enums as `Namespace.Type'{Value}'`), so a maker enters plain values;
 *   collection, complex and entity parameters go through a parameter alias (`Fn(Ids=@Ids)?@Ids=[…]`) as JSON.
 * - Return values: a complex type is the shared definition, an entity an object, a primitive or a collection is
 *   wrapped in `value` as the service answers.
 *
 * Operations bound to a base type (Dataverse's `crmbaseentity`, which every table derives from) are left out:
 * they would repeat for every table; the dynamic style covers them.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, EntitySet, EntityType, Operation, Parameter as CsdlParameter } from '../../client/metadata/model';
import { label, type JsonSchema } from '../edm-schema';
import { pascalCase, sentence, summary, type OperationIds } from '../names';
import type { GeneratorWarning } from '../types';
import { identifier, MAX_IDENTIFIER } from './naming';
import { paramName, UNQUOTED, type TableNames } from './operations';
import type { SchemaBuilder } from './schemas';

type Parameter = OpenAPIV2.Parameter;

const ref = (name: string) => ({ $ref: `#/parameters/${name}` }) as unknown as Parameter;

export interface ActionContext {
  model: CsdlModel;
  builder: SchemaBuilder;
  ids: OperationIds;
  warnings: GeneratorWarning[];
}

/** Operations and the complex definitions they refer to. */
export interface OperationPaths {
  paths: Record<string, OpenAPIV2.PathItemObject>;
  complex: Set<string>;
}

/** What an operation is bound to. */
type Binding =
  | { kind: 'row'; set: EntitySet; type: EntityType; names: TableNames; byKey: string; keyParams: Parameter[] }
  | { kind: 'table'; set: EntitySet; type: EntityType; names: TableNames }
  | { kind: 'none' };

/** Actions and functions bound to one row of the table or to the table itself. */
export function boundOperationPaths(
  ctx: ActionContext,
  table: { set: EntitySet; type: EntityType; names: TableNames; byKey?: string; keyParams: Parameter[] },
): OperationPaths {
  const out: OperationPaths = { paths: {}, complex: new Set() };
  const operations = [...ctx.model.actions, ...ctx.model.functions].filter((op) => op.bound && op.parameters[0]?.type === table.type.qualifiedName);
  for (const op of operations) {
    const collection = op.parameters[0].collection;
    if (!collection && !table.byKey) continue; // no key, no row to bind to (tablePaths warned already)
    const binding: Binding = collection
      ? { kind: 'table', set: table.set, type: table.type, names: table.names }
      : { kind: 'row', set: table.set, type: table.type, names: table.names, byKey: table.byKey!, keyParams: table.keyParams };
    addOperation(ctx, op, binding, out);
  }
  return out;
}

/** Actions and functions the service imports (callable at the root), skipping paths a table already uses. */
export function unboundOperationPaths(ctx: ActionContext, usedPaths: Set<string>): OperationPaths {
  const out: OperationPaths = { paths: {}, complex: new Set() };
  const imported = new Set([...ctx.model.actionImports.values(), ...ctx.model.functionImports.values()]);
  const operations = [...ctx.model.actions, ...ctx.model.functions]
    .filter((op) => !op.bound && imported.has(op.qualifiedName))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const op of operations) addOperation(ctx, op, { kind: 'none' }, out, usedPaths);
  return out;
}

function addOperation(ctx: ActionContext, op: Operation, binding: Binding, out: OperationPaths, usedPaths?: Set<string>): void {
  const where = binding.kind === 'none' ? op.qualifiedName : `${binding.set.name}/${op.qualifiedName}`;
  const declared = op.bound ? op.parameters.slice(1) : op.parameters;
  const uses = new Set<string>();
  const taken = new Set(binding.kind === 'row' ? binding.keyParams.map((p) => p.name.toLowerCase()) : []);
  const clash = declared.find((p) => taken.has(paramName(p.name).toLowerCase()));
  if (clash) {
    ctx.warnings.push({ code: 'SkippedOperation', message: `${op.name} has a parameter '${clash.name}' named like the row key; it is left out.`, where });
    return;
  }
  // Bound operations are called by their qualified name, unbound ones by the name of their import.
  const name = op.bound ? op.qualifiedName : op.name;
  const call = op.kind === 'function' ? functionCall(ctx, op, name, declared, uses, where) : { segment: name, params: [] as Parameter[] };
  const base = binding.kind === 'row' ? binding.byKey : binding.kind === 'table' ? `/${binding.set.name}` : '';
  const path = `${base}/${call.segment}`;
  const method = op.kind === 'function' ? 'get' : 'post';
  if (out.paths[path]?.[method] || usedPaths?.has(`${method} ${path}`)) {
    ctx.warnings.push({ code: 'SkippedOperation', message: `${op.name} would use ${method.toUpperCase()} ${path}, which another operation already uses; it is left out.`, where });
    return;
  }

  const parameters: Parameter[] = [];
  if (binding.kind === 'row') parameters.push(...binding.keyParams);
  if (op.kind === 'function') parameters.push(...call.params);
  else if (declared.length) parameters.push(actionBody(ctx, op, declared, uses, where));
  parameters.push(ref('ODataVersion'), ref('ODataMaxVersion'));

  const what = op.kind === 'function' ? 'function' : 'action';
  const target =
    binding.kind === 'row' ? ` on a ${label(binding.type.name)} row` : binding.kind === 'table' ? ` on the ${binding.set.name} table` : '';
  const operation: OpenAPIV2.OperationObject = {
    operationId: ctx.ids.take(operationName(ctx, op, binding), where),
    summary: summary(binding.kind === 'none' ? `Run the ${label(op.name)} ${what}` : `${label(op.name)}${target}`),
    description: sentence(op.description ?? `Runs the ${op.name} ${what}${target ? ` ${target.trim()}` : ' of the service'}`),
    parameters,
    responses: { ...responses(ctx, op, uses, where), default: { description: 'Operation failed.' } },
  };
  if (binding.kind === 'none') (operation as Record<string, unknown>)['x-ms-visibility'] = 'advanced';
  if (operation.description!.replace(/\.$/, '') === operation.summary) operation.description = sentence(`${operation.summary}: runs the ${what}`);
  (out.paths[path] ??= {})[method] = operation;
  for (const name of ctx.builder.closureOf(uses)) out.complex.add(name);
}

/**
 * `QualifyLead` on leads stays `QualifyLead`; an operation whose name does not say its table gets it appended
 * (`CalculateTotalTimeIncident`, `DeltaUsers` for the table-bound form), so overloads on several tables stay apart.
 */
function operationName(ctx: ActionContext, op: Operation, binding: Binding): string {
  // Room for a collision suffix within MAX_IDENTIFIER.
  const room = MAX_IDENTIFIER - 4;
  if (binding.kind === 'none') return identifier(op.name, ctx.warnings, op.qualifiedName, room);
  const table = binding.kind === 'row' ? binding.names.singular : binding.names.plural;
  const says = pascalCase(op.name).toLowerCase().includes(binding.names.singular.toLowerCase());
  return identifier(says ? op.name : `${pascalCase(op.name)}${table}`, ctx.warnings, op.qualifiedName, room);
}

/** The URL segment of a function call and the parameters it reads its values from. */
function functionCall(ctx: ActionContext, op: Operation, callName: string, declared: CsdlParameter[], uses: Set<string>, where: string) {
  const params: Parameter[] = [];
  const args: string[] = [];
  for (const p of declared) {
    const name = paramName(p.name);
    const enumType = ctx.model.enumTypes.get(p.type);
    const primitive = !p.collection && p.type.startsWith('Edm.') && !['Edm.Untyped', 'Edm.Stream'].includes(p.type) && !p.type.startsWith('Edm.Geo');
    const description = p.description ?? `${label(p.name)} parameter of ${op.name}`;
    if (primitive || (enumType && !p.collection && !enumType.isFlags)) {
      const schema = ctx.builder.typeSchema({ ...p, nullable: false }, where, uses);
      const quoted = enumType ? `${p.type}'{${name}}'` : UNQUOTED.has(p.type) ? `{${name}}` : `'{${name}}'`;
      args.push(`${p.name}=${quoted}`);
      const param: Record<string, unknown> = {
        name,
        in: 'path',
        required: true,
        type: typeof schema.type === 'string' && schema.type !== 'object' ? schema.type : 'string',
        'x-ms-summary': label(p.name),
        description: sentence(`${description}${quoted.startsWith("'") ? "; write a single quote inside the value twice ('')" : ''}`),
        'x-ms-url-encoding': 'double',
      };
      for (const facet of ['format', 'enum', 'x-ms-enum-values', 'minimum', 'maximum']) if (schema[facet] !== undefined) param[facet] = schema[facet];
      params.push(param as unknown as Parameter);
    } else {
      // Collections, complex and entity values: an alias whose value is JSON.
      args.push(`${p.name}=@${name}`);
      params.push({
        name: `@${name}`,
        in: 'query',
        required: true,
        type: 'string',
        'x-ms-summary': label(p.name),
        description: sentence(`${description}, as JSON (for example ${p.collection ? '["a","b"]' : '{"name":"value"}'})`),
      } as Parameter);
    }
  }
  return { segment: `${callName}(${args.join(',')})`, params };
}

function actionBody(ctx: ActionContext, op: Operation, declared: CsdlParameter[], uses: Set<string>, where: string): Parameter {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of declared) {
    const schema = ctx.builder.typeSchema(p, where, uses);
    if (ctx.model.entityTypes.has(p.type) && !p.collection) {
      const type = ctx.model.entityTypes.get(p.type)!;
      schema.description = sentence(`A ${label(type.name)} row: its key column and "@odata.type": "${p.type}"`);
    } else if (typeof schema.$ref !== 'string') {
      schema.description = sentence(p.description ?? `${label(p.name)} parameter of ${op.name}`).slice(0, 500);
    }
    if (typeof schema.$ref !== 'string') schema['x-ms-summary'] = label(p.name);
    properties[p.name] = schema;
    if (!p.nullable) required.push(p.name);
  }
  return {
    name: 'parameters',
    in: 'body',
    required: required.length > 0,
    'x-ms-summary': 'Parameters',
    description: sentence(`The parameters of ${op.name}`),
    schema: { type: 'object', ...(required.length ? { required } : {}), properties } as OpenAPIV2.SchemaObject,
  } as Parameter;
}

function responses(ctx: ActionContext, op: Operation, uses: Set<string>, where: string): Record<string, OpenAPIV2.Response> {
  const returned = op.returnType;
  if (!returned) return { 204: { description: 'The action ran and returned nothing.' } };
  const schema = ctx.builder.typeSchema({ ...returned, nullable: false }, where, uses);
  const direct = !returned.collection && (ctx.model.complexTypes.has(returned.type) || ctx.model.entityTypes.has(returned.type));
  const body = direct
    ? schema
    : { type: 'object', properties: { value: { ...schema, description: `What ${op.name} returned.`, 'x-ms-summary': 'Value' } } };
  return { 200: { description: `What ${op.name} returned.`, schema: body as OpenAPIV2.SchemaObject } };
}
