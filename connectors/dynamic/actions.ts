/**
 * Bound and unbound Dataverse actions.
 *
 * Decision: the action name is a path parameter with a static `enum` of the actions the metadata declares
 * (the designer shows them as a dropdown and still accepts a custom value). Dataverse has no design-time endpoint
 * that lists Web API actions with their parameters: sdkmessages also holds every internal SDK message and says
 * nothing about Web API parameter types, and $metadata is XML the designer cannot read. The parameters of the listed
 * actions are therefore read from the metadata at generation time and embedded in the connector's script, which
 * answers the body's x-ms-dynamic-schema (GetActionParameters, action-parameters.ts) with the chosen action's
 * fields. Where the list is left as free text (too many actions) or the parameters would not fit in the script,
 * the body stays an open JSON object of parameters by name.
 * Functions (GET, parameters in the URL) are not covered by this style.
 */
import type { CsdlModel, Operation } from '../../client/metadata/model';
import type { GeneratorWarning } from '../types';
import type { OpenAPIV2 } from 'openapi-types';
import type { ActionBinding } from './action-parameters-script';
import { dynamicActionBody, planActionParameters } from './action-parameters';
import { addOperation, DynamicContext, Param, ref, visible } from './common';
import { DEFINITIONS, schemaRef } from './schemas';

/** Above this many names the enum costs more than it helps (and grows the document); the name stays free text. */
const MAX_ENUM = 400;

const OPEN_PARAMETERS = 'Parameters by name; entity parameters as {"@odata.type": "Microsoft.Dynamics.CRM.<table>", …}.';

/** The action's fields from GetActionParameters when its binding is described, else an open JSON object. */
const parametersBody = (binding: ActionBinding, described: Set<ActionBinding>) => {
  const schema: OpenAPIV2.SchemaObject = described.has(binding) ? dynamicActionBody(binding, OPEN_PARAMETERS) : { type: 'object', description: OPEN_PARAMETERS };
  return visible('parameters', 'body', 'Action parameters', 'The parameters of the action as a JSON object, by parameter name', { schema });
};

const results = {
  200: { description: 'What the action returned.', schema: schemaRef(DEFINITIONS.ActionResult) },
  204: { description: 'The action ran and returned nothing.' },
};

export function addActionOperations(ctx: DynamicContext, model: CsdlModel): void {
  const actions = performableActions(model);
  const bound = actionNames(ctx.warnings, actions.bound, 'bound');
  const unbound = actionNames(ctx.warnings, actions.unbound, 'unbound');
  // Only listed actions get fields: a free-text name may be any action, which the script cannot know.
  const plan = planActionParameters(ctx, model, { bound: bound.length ? actions.bound : [], unbound: unbound.length ? actions.unbound : [] });
  addOperation(ctx, {
    path: `/{entityset}({id})/${ctx.namespace}.{actionName}`,
    method: 'post',
    id: 'PerformBoundAction',
    title: 'Perform a bound action',
    description: 'Runs a Dataverse action on one row of a table',
    visibility: 'important',
    parameters: [ref('EntitySet'), ref('RowId'), actionParameter(bound, 'bound to a row (for example QualifyLead)'), parametersBody('bound', plan.described)],
    responses: results,
  });
  // The path ends with '/' because POST /{entityset} (add a row) already has the same template; Dataverse and the
  // emulator both ignore the trailing slash.
  addOperation(ctx, {
    path: '/{actionName}/',
    method: 'post',
    id: 'PerformUnboundAction',
    title: 'Perform an unbound action',
    description: 'Runs a Dataverse action that is not bound to a table',
    visibility: 'important',
    parameters: [actionParameter(unbound, 'not bound to a table (for example WinOpportunity)'), parametersBody('unbound', plan.described)],
    responses: results,
  });
  plan.addOperation();
}

function actionParameter(names: string[], what: string): Param {
  const extra: Record<string, unknown> = { type: 'string' };
  if (names.length) extra.enum = names;
  return visible('actionName', 'path', 'Action name', `Name of the action ${what}, without namespace`, extra, 'important');
}

/**
 * The actions these operations can run: bound to one row of a table, and unbound ones imported into the entity
 * container (the only ones with a URL of their own). The action trigger offers the same names.
 */
export function performableActions(model: CsdlModel): { bound: Operation[]; unbound: Operation[] } {
  const imported = new Set(model.actionImports.values());
  return {
    bound: model.actions.filter((a) => boundToOneRow(model, a)),
    unbound: model.actions.filter((a) => !a.bound && imported.has(a.qualifiedName)),
  };
}

/** Bound to a single row of a table (collection-bound actions have another URL and are left out). */
function boundToOneRow(model: CsdlModel, action: Operation): boolean {
  const binding = action.parameters[0];
  return action.bound && !!binding && !binding.collection && model.entityTypes.has(binding.type);
}

/** The distinct names, sorted, for an `enum`; none (free text, with a warning) above MAX_ENUM. */
export function actionNames(warnings: GeneratorWarning[], actions: Operation[], kind: string): string[] {
  const names = [...new Set(actions.map((a) => a.name))].sort((a, b) => a.localeCompare(b));
  if (names.length > MAX_ENUM) {
    warnings.push({
      code: 'Other',
      message: `The metadata declares ${names.length} ${kind} actions; the action name is left as free text instead of a list.`,
      where: `${kind} actions`,
    });
    return [];
  }
  return names;
}
