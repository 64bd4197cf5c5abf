/**
 * Bound and unbound Dataverse actions.
 *
 * Decision: the action name is a path parameter with a static `enum` of the actions the metadata declares
 * (the designer shows them as a dropdown and still accepts a custom value). Dataverse has no design-time endpoint
 * that lists Web API actions with their parameters: sdkmessages also holds every internal SDK message and says
 * nothing about Web API parameter types, and $metadata is XML the designer cannot read. For the same reason the
 * action's parameters are an open JSON object rather than an x-ms-dynamic-schema (which needs a JSON Schema answer).
 * Functions (GET, parameters in the URL) are not covered by this style.
 */
import type { CsdlModel, Operation } from '../../client/metadata/model';
import { addOperation, DynamicContext, Param, ref, visible } from './common';
import { DEFINITIONS, schemaRef } from './schemas';

/** Above this many names the enum costs more than it helps (and grows the document); the name stays free text. */
const MAX_ENUM = 400;

const parametersBody = () =>
  visible('parameters', 'body', 'Action parameters', 'The parameters of the action as a JSON object, by parameter name', {
    schema: { type: 'object', description: 'Parameters by name; entity parameters as {"@odata.type": "Microsoft.Dynamics.CRM.<table>", …}.' },
  });

const results = {
  200: { description: 'What the action returned.', schema: schemaRef(DEFINITIONS.ActionResult) },
  204: { description: 'The action ran and returned nothing.' },
};

export function addActionOperations(ctx: DynamicContext, model: CsdlModel): void {
  const bound = actionNames(ctx, model.actions.filter((a) => boundToOneRow(model, a)), 'bound');
  const unbound = actionNames(
    ctx,
    model.actions.filter((a) => !a.bound && [...model.actionImports.values()].includes(a.qualifiedName)),
    'unbound',
  );
  addOperation(ctx, {
    path: `/{entityset}({id})/${ctx.namespace}.{actionName}`,
    method: 'post',
    id: 'PerformBoundAction',
    title: 'Perform a bound action',
    description: 'Runs a Dataverse action on one row of a table',
    visibility: 'important',
    parameters: [ref('EntitySet'), ref('RowId'), actionParameter(bound, 'bound to a row (for example QualifyLead)'), parametersBody()],
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
    parameters: [actionParameter(unbound, 'not bound to a table (for example WinOpportunity)'), parametersBody()],
    responses: results,
  });
}

function actionParameter(names: string[], what: string): Param {
  const extra: Record<string, unknown> = { type: 'string' };
  if (names.length) extra.enum = names;
  return visible('actionName', 'path', 'Action name', `Name of the action ${what}, without namespace`, extra, 'important');
}

/** Bound to a single row of a table (collection-bound actions have another URL and are left out). */
function boundToOneRow(model: CsdlModel, action: Operation): boolean {
  const binding = action.parameters[0];
  return action.bound && !!binding && !binding.collection && model.entityTypes.has(binding.type);
}

function actionNames(ctx: DynamicContext, actions: Operation[], kind: string): string[] {
  const names = [...new Set(actions.map((a) => a.name))].sort((a, b) => a.localeCompare(b));
  if (names.length > MAX_ENUM) {
    ctx.warnings.push({
      code: 'Other',
      message: `The metadata declares ${names.length} ${kind} actions; the action name is left as free text instead of a list.`,
      where: `${kind} actions`,
    });
    return [];
  }
  return names;
}
