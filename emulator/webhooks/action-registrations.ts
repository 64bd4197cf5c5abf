/**
 * Callback registrations of version 3, what Microsoft's "When an action is performed" trigger creates (reference
 * §12.5, power-automate-connectors.md §7.1): `sdkmessagename` names the action, unqualified (WinOpportunity or a
 * custom action the model declares); `entityname` is the table of a bound action, `none` or empty for an unbound
 * one. Checked against the model when written, so a registration that could never fire is refused up front.
 */
import type { Operation } from '../../client/metadata/model';
import type { DataverseService } from '../dataverse/context';
import { DataverseError } from '../dataverse/errors';
import type { Table } from '../dataverse/schema';
import type { Row } from '../store/table-store';

export const ACTION_CALLBACK_VERSION = 3;

export function isActionRegistration(row: Row): boolean {
  return Number(row.version) === ACTION_CALLBACK_VERSION;
}

/** The table logical name of a bound registration, or undefined for `none`/empty (unbound calls only). */
export function registrationTable(entityname: unknown): string | undefined {
  const name = typeof entityname === 'string' ? entityname.trim().toLowerCase() : '';
  return name && name !== 'none' ? name : undefined;
}

/** Unbound: declared and imported into the container, which is what makes POST /<Action> callable. */
function unboundForms(service: DataverseService, actions: Operation[]): Operation[] {
  const imported = new Set(service.schema.model.actionImports.values());
  return actions.filter((a) => !a.bound && imported.has(a.qualifiedName));
}

function boundTo(actions: Operation[], table: Table): Operation[] {
  return actions.filter((a) => a.bound && a.parameters[0]?.type === table.type.qualifiedName);
}

function boundTables(service: DataverseService, actions: Operation[]): string[] {
  const names = new Set<string>();
  for (const table of service.schema.tables.values()) if (boundTo(actions, table).length) names.add(table.logicalName);
  return [...names].sort();
}

export function validateActionRegistration(service: DataverseService, row: Row): void {
  const name = typeof row.sdkmessagename === 'string' ? row.sdkmessagename.trim() : '';
  if (!name) {
    throw invalid('A callback registration of version 3 (When an action is performed) needs sdkmessagename: the name of the action, for example WinOpportunity.');
  }
  const actions = service.schema.model.actions.filter((a) => a.name.toLowerCase() === name.toLowerCase());
  if (actions.length === 0) {
    throw invalid(`The action '${name}' is not declared in this environment's metadata, so a callback registration cannot watch it. Name a declared action, without namespace.`);
  }
  const tableName = registrationTable(row.entityname);
  if (!tableName) {
    if (unboundForms(service, actions).length) return;
    const tables = boundTables(service, actions);
    throw invalid(
      `The action '${name}' is not an unbound action${tables.length ? `; it is bound to ${tables.join(', ')}: set entityname to that table's logical name` : ''}.`,
    );
  }
  const table = service.schema.table(tableName);
  if (!table) throw invalid(`The table '${String(row.entityname)}' does not exist.`);
  if (boundTo(actions, table).length) return;
  const tables = boundTables(service, actions);
  const where = tables.length ? `it is bound to ${tables.join(', ')}` : "it is unbound: set entityname to 'none'";
  throw invalid(`The action '${name}' is not bound to the table '${table.logicalName}'; ${where}.`);
}

function invalid(message: string): DataverseError {
  return new DataverseError(400, '0x80040203', message);
}
