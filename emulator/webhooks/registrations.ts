/**
 * Webhook registrations are plain rows, so a real client registers them through the Web API; this module reads
 * them back as `Registration`s (read on each dispatch: the tables are tiny and a cache would go stale on every
 * write) and checks rows as they are written, so a bad registration fails at registration, not at delivery.
 */
import { DataverseError } from '../dataverse/errors';
import { parseFilterOption, checkFilterColumns } from '../dataverse/odata-adapter';
import type { DataverseService } from '../dataverse/context';
import type { Table } from '../dataverse/schema';
import type { Row } from '../store/table-store';
import { isActionRegistration, registrationTable, validateActionRegistration } from './action-registrations';
import { loopbackTarget } from './loopback';
import type { ImageRegistration, MessageName, Registration } from './types';

const WEBHOOK_CONTRACT = 8;
/** callbackregistration.message → the messages it stands for (reference §12.5). */
const CALLBACK_MESSAGES: Record<number, MessageName[]> = {
  1: ['Create'], 2: ['Delete'], 3: ['Update'], 4: ['Create', 'Update'], 5: ['Create', 'Delete'], 6: ['Update', 'Delete'],
  7: ['Create', 'Update', 'Delete'],
};
const MESSAGES = new Set<string>(['Create', 'Update', 'Delete']);

export function splitList(text: unknown): string[] {
  return typeof text === 'string' ? text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : [];
}

export function loadRegistrations(service: DataverseService): Registration[] {
  const { store } = service;
  const out: Registration[] = [];
  const imagesByStep = new Map<string, ImageRegistration[]>();
  for (const image of store.rows('sdkmessageprocessingstepimage').values()) {
    const stepId = String(image._sdkmessageprocessingstepid_value ?? '');
    const list = imagesByStep.get(stepId) ?? [];
    const type = Number(image.imagetype ?? 0);
    const alias = String(image.entityalias ?? image.name ?? 'Image');
    const attributes = splitList(image.attributes);
    if (type === 0 || type === 2) list.push({ kind: 'pre', alias, attributes });
    if (type === 1 || type === 2) list.push({ kind: 'post', alias, attributes });
    imagesByStep.set(stepId, list);
  }
  for (const step of store.rows('sdkmessageprocessingstep').values()) {
    if (Number(step.statecode ?? 0) !== 0) continue;
    const endpoint = step._eventhandler_value ? store.get('serviceendpoint', String(step._eventhandler_value)) : undefined;
    if (!endpoint || Number(endpoint.contract) !== WEBHOOK_CONTRACT || typeof endpoint.url !== 'string') continue;
    const message = step._sdkmessageid_value ? store.get('sdkmessage', String(step._sdkmessageid_value)) : undefined;
    const name = String(message?.name ?? '');
    const action = MESSAGES.has(name) ? undefined : service.schema.model.actions.find((a) => a.name === name);
    if (!message || (!MESSAGES.has(name) && !action)) continue;
    const filter = step._sdkmessagefilterid_value ? store.get('sdkmessagefilter', String(step._sdkmessagefilterid_value)) : undefined;
    out.push({
      kind: 'step',
      id: String(step.sdkmessageprocessingstepid),
      messages: action ? [] : [name as MessageName],
      ...(action ? { action: name.toLowerCase(), anyBinding: !filter } : {}),
      entity: filter ? registrationTable(filter.primaryobjecttypecode) : undefined,
      stage: Number(step.stage ?? 40),
      mode: Number(step.mode ?? 0) === 1 ? 1 : 0,
      rank: Number(step.rank ?? 1),
      filteringAttributes: splitList(step.filteringattributes),
      images: imagesByStep.get(String(step.sdkmessageprocessingstepid)) ?? [],
      url: endpoint.url,
      authtype: Number(endpoint.authtype ?? 0),
      authvalue: (endpoint.authvalue as string | null) ?? null,
    });
  }
  for (const cb of store.rows('callbackregistration').values()) {
    if (typeof cb.url !== 'string' || Number(cb.softdeletestatus ?? 0) !== 0) continue;
    if (isActionRegistration(cb)) {
      if (typeof cb.sdkmessagename !== 'string' || !cb.sdkmessagename.trim()) continue;
      // Fires after the action, asynchronously, like the row callbacks (inference: the same platform mechanism).
      out.push({
        kind: 'callback', id: String(cb.callbackregistrationid), messages: [], action: cb.sdkmessagename.trim().toLowerCase(),
        entity: registrationTable(cb.entityname), stage: 40, mode: 1, rank: 1, filteringAttributes: [], images: [], url: cb.url,
      });
      continue;
    }
    const messages = cb.sdkmessagename && MESSAGES.has(String(cb.sdkmessagename))
      ? [cb.sdkmessagename as MessageName]
      : CALLBACK_MESSAGES[Number(cb.message ?? 7)] ?? [];
    out.push({
      kind: 'callback',
      id: String(cb.callbackregistrationid),
      messages,
      entity: typeof cb.entityname === 'string' && cb.entityname ? cb.entityname.toLowerCase() : undefined,
      // The first-party trigger runs after the operation, asynchronously, like an async post-operation step.
      stage: 40,
      mode: 1,
      rank: 1,
      filteringAttributes: splitList(cb.filteringattributes),
      filterExpression: typeof cb.filterexpression === 'string' && cb.filterexpression.trim() ? cb.filterexpression : undefined,
      images: [],
      url: cb.url,
    });
  }
  // Dataverse runs steps of one stage in rank order.
  return out.sort((a, b) => a.stage - b.stage || a.rank - b.rank);
}

/** Called by the writer before a row of a registration table is stored. */
export function validateRegistrationRow(service: DataverseService, table: Table, row: Row, allowHttp: boolean): void {
  switch (table.logicalName) {
    case 'serviceendpoint':
      if (Number(row.contract) === WEBHOOK_CONTRACT) {
        if (typeof row.url !== 'string' || !row.url) throw invalid('A webhook service endpoint (contract 8) needs a url.');
        loopbackTarget(row.url, allowHttp);
        if ([4, 5, 6].includes(Number(row.authtype)) && !row.authvalue) throw invalid(`authtype ${row.authtype} needs an authvalue.`);
      }
      return;
    case 'sdkmessageprocessingstep': {
      // Asynchronous steps exist only after the operation (stage 40), as in Dataverse.
      if (Number(row.mode) === 1 && Number(row.stage) !== 40) throw invalid('An asynchronous step must be registered on stage 40 (Post-operation).');
      const filter = row._sdkmessagefilterid_value ? service.store.get('sdkmessagefilter', String(row._sdkmessagefilterid_value)) : undefined;
      if (filter && row._sdkmessageid_value && filter._sdkmessageid_value !== row._sdkmessageid_value) {
        throw invalid('The sdkmessagefilter does not belong to the step\'s sdkmessage.');
      }
      const entity = filter ? service.schema.table(String(filter.primaryobjecttypecode)) : undefined;
      if (entity) for (const a of splitList(row.filteringattributes)) checkAttribute(entity, a);
      return;
    }
    case 'callbackregistration': {
      if (typeof row.url === 'string') loopbackTarget(row.url, allowHttp);
      if (isActionRegistration(row)) return validateActionRegistration(service, row);
      const entity = typeof row.entityname === 'string' ? service.schema.table(row.entityname.toLowerCase()) : undefined;
      if (row.entityname && !entity) throw invalid(`The table '${row.entityname}' does not exist.`);
      if (entity) for (const a of splitList(row.filteringattributes)) checkAttribute(entity, a);
      if (typeof row.filterexpression === 'string' && row.filterexpression.trim()) {
        const expr = parseFilterOption(row.filterexpression, new URLSearchParams());
        if (entity) checkFilterColumns(expr, entity, service);
      }
      return;
    }
  }
}

/** A service endpoint that steps still use cannot be deleted (unregister the steps first). */
export function checkEndpointUnused(service: DataverseService, table: Table, id: string): void {
  if (table.logicalName !== 'serviceendpoint') return;
  for (const step of service.store.rows('sdkmessageprocessingstep').values()) {
    if (step._eventhandler_value === id) {
      throw new DataverseError(400, '0x80040251', `The service endpoint ${id} is used by step ${step.sdkmessageprocessingstepid}; delete its steps first.`);
    }
  }
}

/** Filtering attributes are logical names: `parentcustomerid` for the `_parentcustomerid_value` column. */
function checkAttribute(table: Table, attribute: string): void {
  if (table.columns.has(attribute) || table.columns.has(`_${attribute}_value`)) return;
  throw invalid(`The filtering attribute '${attribute}' is not a column of '${table.logicalName}'.`);
}

function invalid(message: string): DataverseError {
  return new DataverseError(400, '0x80040203', message);
}
