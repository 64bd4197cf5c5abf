/**
 * The `Prefer` header. Dataverse reads several preferences from one comma-separated header, and a page size or an
 * annotation list forgotten on a follow-up page changes what that page returns, so every caller builds it here.
 */
import { invalidArgument } from './errors';

/**
 * Which annotations to ask for: `true` = all (`*`), or names such as
 * `OData.Community.Display.V1.FormattedValue`. Dataverse adds nothing unless asked.
 */
export type AnnotationsOption = boolean | string | readonly string[];

export const FORMATTED_VALUE = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const ASSOCIATED_NAVIGATION_PROPERTY = 'Microsoft.Dynamics.CRM.associatednavigationproperty';
export const FETCHXML_PAGING_COOKIE = 'Microsoft.Dynamics.CRM.fetchxmlpagingcookie';
export const MORE_RECORDS = 'Microsoft.Dynamics.CRM.morerecords';

export interface Preferences {
  maxPageSize?: number;
  annotations?: AnnotationsOption;
  /** Annotations the operation itself needs (FetchXML paging), merged with the caller's. */
  requiredAnnotations?: readonly string[];
  returnRepresentation?: boolean;
  trackChanges?: boolean;
}

function annotationList(option: AnnotationsOption | undefined): string[] {
  if (option === true) return ['*'];
  if (!option) return [];
  return (typeof option === 'string' ? option.split(',') : [...option]).map((name) => name.trim()).filter(Boolean);
}

export function preferHeader(preferences: Preferences): string | undefined {
  const parts: string[] = [];
  if (preferences.returnRepresentation) parts.push('return=representation');
  if (preferences.trackChanges) parts.push('odata.track-changes');
  if (preferences.maxPageSize !== undefined) parts.push(`odata.maxpagesize=${pageSize(preferences.maxPageSize)}`);
  const wanted = annotationList(preferences.annotations);
  const names = wanted.includes('*') ? ['*'] : [...new Set([...wanted, ...(preferences.requiredAnnotations ?? [])])];
  if (names.length > 0) parts.push(`odata.include-annotations="${names.join(',')}"`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Headers object with `prefer` only when there is something to prefer. */
export function preferHeaders(preferences: Preferences): Record<string, string> {
  const value = preferHeader(preferences);
  return value ? { prefer: value } : {};
}

/** Dataverse serves at most 5,000 rows per page and ignores larger requests. */
export const MAX_PAGE_SIZE = 5000;

export function pageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1) throw invalidArgument(`The page size must be a whole number from 1 to ${MAX_PAGE_SIZE}; got ${size}.`);
  return Math.min(size, MAX_PAGE_SIZE);
}
