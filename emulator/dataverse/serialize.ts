/**
 * Turns stored rows into Web API JSON: `@odata.etag` first, `_x_value` lookups, annotations written immediately
 * before the property they describe and only when the Prefer header asked for them.
 */
import { LOOKUP_TABLES, Row } from '../store/table-store';
import { Preferences, wantsAnnotation } from './prefer';
import type { Column, Table } from './schema';

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const NAV_NAME = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

export interface SerializeContext {
  prefs: Preferences;
  /** Primary name of a referenced row, for lookup FormattedValue. */
  lookupName(table: string, id: string): string | undefined;
}

export function etagOf(row: Row): string {
  return `W/"${row.versionnumber}"`;
}

export function serializeRow(table: Table, row: Row, select: string[] | undefined, ctx: SerializeContext): Row {
  const out: Row = { '@odata.etag': etagOf(row) };
  const names = select ? withPrimaryId(table, select) : [...table.columns.keys()];
  for (const name of names) {
    const column = table.columns.get(name);
    if (!column || column.kind === 'binary' || column.kind === 'image') {
      if (column) out[name] = row[name] ?? null;
      continue;
    }
    const value = row[name] ?? null;
    writeAnnotations(out, column, row, value, ctx);
    out[name] = value;
  }
  return out;
}

function withPrimaryId(table: Table, select: string[]): string[] {
  return select.includes(table.primaryId) ? select : [...select, table.primaryId];
}

function writeAnnotations(out: Row, column: Column, row: Row, value: unknown, ctx: SerializeContext) {
  const { prefs } = ctx;
  if (value === null || prefs.annotations.length === 0) return;
  if (wantsAnnotation(prefs, FORMATTED)) {
    const formatted = formatValue(column, row, value, ctx);
    if (formatted !== undefined) out[`${column.name}@${FORMATTED}`] = formatted;
  }
  if (column.kind === 'lookup') {
    const target = lookupTableOf(column, row);
    if (target && wantsAnnotation(prefs, NAV_NAME)) {
      // Owner lookups have one navigation property for every table deriving from their target (`principal`).
      const targets = column.lookupTargets ?? [];
      const nav = targets.find((t) => t.table === target)?.navigation ?? (targets.length === 1 ? targets[0].navigation : undefined);
      if (nav) out[`${column.name}@${NAV_NAME}`] = nav;
    }
    if (target && wantsAnnotation(prefs, LOOKUP_NAME)) out[`${column.name}@${LOOKUP_NAME}`] = target;
  }
}

export function lookupTableOf(column: Column, row: Row): string | undefined {
  const stored = (row[LOOKUP_TABLES] as Record<string, string> | undefined)?.[column.name];
  return stored ?? column.lookupTargets?.[0]?.table;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 10 });
const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

function formatValue(column: Column, row: Row, value: unknown, ctx: SerializeContext): string | undefined {
  switch (column.kind) {
    case 'picklist':
    case 'state':
    case 'status':
      return column.choices?.get(Number(value)) ?? String(value);
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'money':
      return moneyFormat.format(Number(value));
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'double':
      return numberFormat.format(Number(value));
    case 'datetime':
      return formatDate(String(value));
    case 'lookup': {
      const target = lookupTableOf(column, row);
      return target ? ctx.lookupName(target, String(value)) : undefined;
    }
    default:
      return undefined;
  }
}

/** `4/7/2023 2:59 PM`, the en-US short form Dataverse uses for FormattedValue (UTC here). */
function formatDate(iso: string): string | undefined {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const h = d.getUTCHours() % 12 || 12;
  const m = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h}:${m} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}
