/**
 * Parameters every Finance and Operations connector shares through `#/parameters`: the company scope of a call
 * (F&O reads only the user's default legal entity unless `cross-company=true`, reference §2.2), `$skip` (F&O pages
 * with $skip, not skip tokens) and the query options of a list.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { sentence } from '../names';

export type FnoParam = { name: string; in: string } & Record<string, unknown>;

export const fnoRef = (name: string): OpenAPIV2.ReferenceObject => ({ $ref: `#/parameters/${name}` });

type Visibility = 'important' | 'advanced';

export function fnoParameter(
  name: string,
  location: 'path' | 'query' | 'header' | 'body',
  title: string,
  description: string,
  extra: Record<string, unknown> = {},
  visibility?: Visibility,
): FnoParam {
  const p: FnoParam = { name, in: location, 'x-ms-summary': title, description: sentence(description), ...extra };
  if (location === 'path') {
    p.required = true;
    p['x-ms-url-encoding'] = 'double';
  } else if (p.required === undefined) p.required = false;
  if (visibility) p['x-ms-visibility'] = visibility;
  return p;
}

/** Names under `#/parameters` (distinct from the Dataverse ones, which the typed style shares). */
export const CROSS_COMPANY = 'CrossCompany';
export const SKIP = 'Skip';

export function companyParameters(): Record<string, FnoParam> {
  return {
    [CROSS_COMPANY]: fnoParameter(
      'cross-company',
      'query',
      'Cross-company',
      "Read every legal entity the user can access instead of only the default one. Needed to reach a record whose dataAreaId is not the user's default company; for one company add dataAreaId eq '<company>' to the filter",
      { type: 'boolean', default: false },
      'advanced',
    ),
    [SKIP]: fnoParameter('$skip', 'query', 'Skip count', 'Number of records to skip before the first one returned', { type: 'integer', format: 'int32', minimum: 0 }, 'advanced'),
  };
}
