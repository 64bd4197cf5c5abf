/**
 * Dataverse lookup columns (dataverse-web-api.md §5.1, §6.3): they are read as `_<lookup>_value` and written
 * through the single-valued navigation property with `@odata.bind`. A polymorphic lookup (customer, owner,
 * regarding) has one navigation property per target table.
 */
import { canonicalValue } from './edm-values';
import { assertIdentifier } from './identifiers';
import type { EntityKey } from './literals';
import { entityPath } from './query';

/** `parentcustomerid` → `_parentcustomerid_value` (a name already in that form is returned unchanged). */
export function lookupValueColumn(lookup: string): string {
  assertIdentifier(lookup, 'lookup column');
  return /^_.+_value$/.test(lookup) ? lookup : `_${lookup}_value`;
}

/**
 * The navigation property of a lookup for one target: `('parentcustomerid', 'account')` →
 * `parentcustomerid_account`, the convention of customer and owner lookups. Other polymorphic lookups name it
 * differently (`regardingobjectid_account_task`): when metadata gives the name
 * (`Microsoft.Dynamics.CRM.associatednavigationproperty`, `ReferencingEntityNavigationPropertyName`), use that.
 */
export function lookupNavigation(lookup: string, targetTable?: string): string {
  assertIdentifier(lookup, 'lookup column');
  return targetTable === undefined ? lookup : `${lookup}_${assertIdentifier(targetTable, 'target table')}`;
}

export interface BindPropertyOptions {
  /** Target table logical name of a polymorphic lookup (conventional navigation name `<lookup>_<target>`). */
  target?: string;
  /** The navigation property name from metadata; wins over the convention. */
  navigationProperty?: string;
}

/**
 * The JSON property that sets a lookup: `bindProperty('parentcustomerid', 'account')` →
 * `parentcustomerid_account@odata.bind`; `bindProperty('primarycontactid')` → `primarycontactid@odata.bind`.
 */
export function bindProperty(lookup: string, options: BindPropertyOptions | string = {}): string {
  const { target, navigationProperty } = typeof options === 'string' ? { target: options, navigationProperty: undefined } : options;
  const name =
    navigationProperty !== undefined ? assertIdentifier(navigationProperty, 'navigation property') : lookupNavigation(lookup, target);
  return `${name}@odata.bind`;
}

/**
 * The value of an `@odata.bind` property: `/accounts(<id>)` (entity-set relative, with the documented leading '/').
 * A text id must be a GUID (Dataverse primary keys); alternate keys are passed as an object.
 */
export function bindValue(setName: string, key: EntityKey): string {
  const id = typeof key === 'string' ? canonicalValue(key, 'Edm.Guid', undefined, `id of the ${setName} row to bind`).text : key;
  return `/${entityPath(setName, id)}`;
}
