/**
 * A friendlier shape for rows read with annotations, for people writing n8n expressions rather than OData.
 *
 * The Web API row
 *   { "name": "Contoso", "industrycode@OData.Community.Display.V1.FormattedValue": "Consulting", "industrycode": 7,
 *     "_parentaccountid_value@OData.Community.Display.V1.FormattedValue": "Fabrikam",
 *     "_parentaccountid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
 *     "_parentaccountid_value": "…guid…", "@odata.etag": "W/\"42\"" }
 * becomes
 *   { fields:    { name: "Contoso", industrycode: 7, parentaccountid: "…guid…" },
 *     formatted: { industrycode: "Consulting", parentaccountid: "Fabrikam" },
 *     lookups:   { parentaccountid: { id: "…guid…", logicalName: "account", name: "Fabrikam" } },
 *     related:   {}, etag: "W/\"42\"" }
 * so `{{$json.fields.industrycode}}`, `{{$json.formatted.industrycode}}` and `{{$json.lookups.parentaccountid.name}}`
 * work without knowing annotation names. Values keep their types; every map has a fixed meaning, so a column can
 * never clash with an annotation. Lookups are named by the lookup column (`parentaccountid`), not `_x_value`.
 */
import { ASSOCIATED_NAVIGATION_PROPERTY, FORMATTED_VALUE, LOOKUP_LOGICAL_NAME } from './prefer';
import type { Row } from './crud';

export interface LookupValue {
  /** GUID of the referenced row, null when the lookup is empty. */
  id: string | null;
  /** Table of the referenced row (`account`, `contact`…); needs the lookuplogicalname annotation. */
  logicalName?: string;
  /** Primary name of the referenced row; needs the FormattedValue annotation. */
  name?: string;
  /** Navigation property for writing this lookup with `@odata.bind` (`parentcustomerid_account`). */
  navigationProperty?: string;
}

export interface FriendlyRow {
  /** Column values as Dataverse stores them; lookups under their column name with the GUID. */
  fields: Record<string, unknown>;
  /** Display text per column: choice labels, formatted numbers, money and dates, names of looked-up rows. */
  formatted: Record<string, string>;
  lookups: Record<string, LookupValue>;
  /** Expanded navigation properties, in the same shape (an array for collection-valued ones). */
  related: Record<string, FriendlyRow | FriendlyRow[]>;
  /** The row version, for updates with ifMatch. */
  etag?: string;
  /** Any other annotation, under its original name (`Account_Tasks@odata.nextLink`, `@odata.context`…). */
  annotations: Record<string, unknown>;
}

const LOOKUP = /^_(.+)_value$/;

/** `_parentaccountid_value` → `parentaccountid`; other names unchanged. */
function columnName(property: string): string {
  return LOOKUP.exec(property)?.[1] ?? property;
}

function isRowObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(out: FriendlyRow, property: string): LookupValue | undefined {
  if (!LOOKUP.test(property)) return undefined;
  const name = columnName(property);
  return (out.lookups[name] ??= { id: null });
}

function applyAnnotation(out: FriendlyRow, key: string, value: unknown): void {
  const at = key.indexOf('@');
  const property = key.slice(0, at);
  const term = key.slice(at + 1);
  if (property === '' && term === 'odata.etag' && typeof value === 'string') {
    out.etag = value;
    return;
  }
  if (property !== '' && term === FORMATTED_VALUE && typeof value === 'string') {
    out.formatted[columnName(property)] = value;
    const target = lookup(out, property);
    if (target) target.name = value;
    return;
  }
  const target = property !== '' ? lookup(out, property) : undefined;
  if (target && term === LOOKUP_LOGICAL_NAME && typeof value === 'string') target.logicalName = value;
  else if (target && term === ASSOCIATED_NAVIGATION_PROPERTY && typeof value === 'string') target.navigationProperty = value;
  else out.annotations[key] = value;
}

export function toFriendlyRow(row: Row): FriendlyRow {
  const out: FriendlyRow = { fields: {}, formatted: {}, lookups: {}, related: {}, annotations: {} };
  for (const [key, value] of Object.entries(row)) {
    if (key.includes('@')) {
      applyAnnotation(out, key, value);
    } else if (LOOKUP.test(key)) {
      const id = typeof value === 'string' ? value : null;
      out.fields[columnName(key)] = id;
      lookup(out, key)!.id = id;
    } else if (Array.isArray(value) && value.every(isRowObject)) {
      out.related[key] = value.map(toFriendlyRow);
    } else if (isRowObject(value)) {
      out.related[key] = toFriendlyRow(value);
    } else {
      out.fields[key] = value;
    }
  }
  if (out.etag === undefined) delete out.etag;
  return out;
}

export function toFriendlyRows(rows: readonly Row[]): FriendlyRow[] {
  return rows.map(toFriendlyRow);
}
