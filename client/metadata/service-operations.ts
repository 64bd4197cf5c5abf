/**
 * The actions and functions of a CsdlModel that a caller can run: unbound ones only through their import (the
 * query functions such as LastXDays are declared unbound without one and are usable in $filter only), bound ones
 * with the table they are bound to. Finding one by name picks among overloads (RetrievePrincipalAccess is declared
 * once for systemuser and once for team) by the table and by whether a row is given.
 */
import { D365Error } from '../http/errors';
import type { CsdlModel, Operation } from './model';

const CRM_BASE_ENTITY = 'Microsoft.Dynamics.CRM.crmbaseentity';

export interface CallableOperation {
  operation: Operation;
  /** Unbound, or bound to a whole table (entity set collection) or to one row. */
  binding: 'none' | 'table' | 'row';
  /** Entity set of the binding type; undefined when unbound or bound to any table (crmbaseentity). */
  entitySet?: string;
}

function describe(model: CsdlModel, operation: Operation): CallableOperation | undefined {
  if (!operation.bound) {
    const imports = operation.kind === 'action' ? model.actionImports : model.functionImports;
    return [...imports.values()].includes(operation.qualifiedName) ? { operation, binding: 'none' } : undefined;
  }
  const target = operation.parameters[0];
  if (!target) return undefined;
  const entitySet = model.entitySetByType.get(target.type)?.name;
  // Bound to a complex type or some other non-table type: nothing a caller can address.
  if (!entitySet && target.type !== CRM_BASE_ENTITY) return undefined;
  return { operation, binding: target.collection ? 'table' : 'row', entitySet };
}

/** Every callable action and function, sorted by name. */
export function callableOperations(model: CsdlModel): CallableOperation[] {
  return [...model.actions, ...model.functions]
    .map((operation) => describe(model, operation))
    .filter((c): c is CallableOperation => c !== undefined)
    .sort((a, b) => a.operation.name.localeCompare(b.operation.name) || (a.entitySet ?? '').localeCompare(b.entitySet ?? ''));
}

/** How an operation is shown to people: `WinOpportunity (action)`, `SendEmail (action, bound to a row of emails)`. */
export function operationLabel(callable: CallableOperation): string {
  const { operation, binding, entitySet } = callable;
  if (binding === 'none') return `${operation.name} (${operation.kind})`;
  const table = entitySet ?? 'any table';
  return `${operation.name} (${operation.kind}, bound to ${binding === 'row' ? `a row of ${table}` : table})`;
}

export interface OperationTarget {
  /** Entity set the call is bound to, when a table is given. */
  entitySet?: string;
  /** Whether a row of that table is given. */
  row?: boolean;
}

function unknownOperation(message: string): D365Error {
  return new D365Error(message, { code: 'UnknownOperation', retryable: false });
}

/**
 * The callable operation `name` (plain or namespace-qualified) for this target: unbound without a table, bound
 * to the table (and row) otherwise. Errors say which tables the operation is bound to when the target does not fit.
 */
export function findOperation(model: CsdlModel, name: string, target: OperationTarget = {}): CallableOperation {
  const wanted = name.trim();
  const named = callableOperations(model).filter((c) => c.operation.name === wanted || c.operation.qualifiedName === wanted);
  if (named.length === 0) throw unknownOperation(`The environment has no action or function named '${wanted}'.`);
  const binding = target.entitySet ? (target.row ? 'row' : 'table') : 'none';
  const fits = named.filter((c) => c.binding === binding && (binding === 'none' || !c.entitySet || c.entitySet === target.entitySet));
  // A table-specific declaration wins over the crmbaseentity one.
  const found = fits.find((c) => c.entitySet) ?? fits[0];
  if (found) return found;
  const choices = named.map(operationLabel).join('; ');
  throw unknownOperation(`'${wanted}' cannot be called ${binding === 'none' ? 'unbound' : `on ${binding === 'row' ? `a row of ${target.entitySet}` : target.entitySet}`}: it is declared as ${choices}.`);
}
