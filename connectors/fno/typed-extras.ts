/**
 * What the typed style adds for Finance and Operations on top of the shared typed operations: `cross-company` on
 * every operation that reads or writes records or runs their actions (without it F&O sees only the user's default
 * company, so a key naming another dataAreaId is not found), `$skip` on lists (F&O pages with $skip), and the
 * business event trigger.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { OperationIds } from '../names';
import type { GeneratorWarning } from '../types';
import { addBusinessEventTrigger } from './business-event-trigger';
import { companyParameters, CROSS_COMPANY, fnoRef, SKIP } from './parameters';

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

export function addFnoTypedExtras(doc: OpenAPIV2.Document, warnings: GeneratorWarning[]): void {
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!/^\/[A-Za-z_]\w*(?:\(|\/|$)/.test(path)) continue;
    // Path items and operations are shared by every document a split packs and repacks: copy, never mutate.
    const copy: OpenAPIV2.PathItemObject = { ...(item as OpenAPIV2.PathItemObject) };
    for (const method of METHODS) {
      const op = copy[method];
      if (!op) continue;
      const added = [fnoRef(CROSS_COMPANY), ...((op as Record<string, unknown>)['x-ms-pageable'] ? [fnoRef(SKIP)] : [])];
      copy[method] = { ...op, parameters: [...(op.parameters ?? []), ...added] };
    }
    doc.paths[path] = copy;
  }
  doc.parameters = { ...doc.parameters, ...companyParameters() } as OpenAPIV2.ParametersDefinitionsObject;
  const ids = new OperationIds(warnings);
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const id = (item as OpenAPIV2.PathItemObject)[method]?.operationId;
      if (id) ids.take(id, id);
    }
  }
  addBusinessEventTrigger(doc, ids);
}
