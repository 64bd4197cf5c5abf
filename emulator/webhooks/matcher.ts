/**
 * Which registrations a committed change triggers: message and table, Update filtering attributes (any of them
 * present in the request, whether or not the value changed, as Dataverse does), and a callback's filterexpression
 * evaluated with the emulator's own OData evaluator against the row after the change (before it, for Delete).
 * A performed action triggers only the version 3 callbacks on that action: a bound one for its table, an unbound
 * one (entityname none) for unbound calls.
 */
import type { DataverseService } from '../dataverse/context';
import { filterRows, parseFilterOption } from '../dataverse/odata-adapter';
import type { ActionPerformed, Registration, RowChange, WebhookEvent } from './types';

/** `_parentcustomerid_value` → `parentcustomerid`: filtering attributes and context keys use logical names. */
export function attributeName(column: string): string {
  const m = /^_(.+)_value$/.exec(column);
  return m ? m[1] : column;
}

export function isAction(event: WebhookEvent): event is ActionPerformed {
  return 'action' in event;
}

export function matches(service: DataverseService, reg: Registration, event: WebhookEvent): boolean {
  if (isAction(event)) return reg.action === event.action.toLowerCase() && (reg.anyBinding === true || reg.entity === event.table);
  if (reg.action) return false;
  return matchesChange(service, reg, event);
}

function matchesChange(service: DataverseService, reg: Registration, change: RowChange): boolean {
  if (!reg.messages.includes(change.message)) return false;
  if (reg.entity && reg.entity !== change.table) return false;
  if (change.message === 'Update' && reg.filteringAttributes.length > 0) {
    const changed = new Set(change.changed.map(attributeName));
    if (!reg.filteringAttributes.some((a) => changed.has(a))) return false;
  }
  if (reg.filterExpression) {
    const table = service.schema.table(change.table);
    const row = change.message === 'Delete' ? change.pre : change.post;
    if (!table || !row) return false;
    try {
      const expr = parseFilterOption(reg.filterExpression, new URLSearchParams());
      return filterRows(expr, [row], table, { service, userId: change.userId }).length === 1;
    } catch {
      return false; // checked at registration; a filter that no longer fits the table matches nothing
    }
  }
  return true;
}
