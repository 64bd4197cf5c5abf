/**
 * Builds the body Dataverse posts: a `RemoteExecutionContext` serialized the DataContractJsonSerializer way
 * (fixtures/responses/dataverse/docs/webhook_remoteexecutioncontext_update_contact.json): every collection is an
 * array of {key, value}, entities and references carry `__type`, dates are `/Date(ms)/`, keys in the
 * serializer's (alphabetical) order. Above 256 KB the large parts are dropped and the header says so.
 */
import { randomUUID } from 'node:crypto';
import type { DataverseService } from '../dataverse/context';
import type { Column, Table } from '../dataverse/schema';
import { LOOKUP_TABLES, Row } from '../store/table-store';
import { attributeName } from './matcher';
import type { ImageRegistration, Registration, RowChange } from './types';

export const CONTRACTS = 'http://schemas.microsoft.com/xrm/2011/Contracts';
export const MAX_MESSAGE_BYTES = 256 * 1024;

export type Pair = { key: string; value: unknown };

export function dotNetDate(value: string | Date): string {
  return `/Date(${(value instanceof Date ? value : new Date(value)).getTime()})/`;
}

export function entityReference(logicalName: string, id: string, withType = true): Record<string, unknown> {
  const ref: Record<string, unknown> = withType ? { __type: `EntityReference:${CONTRACTS}` } : {};
  return Object.assign(ref, { Id: id, KeyAttributes: [], LogicalName: logicalName, Name: null, RowVersion: null });
}

function attributeValue(column: Column, row: Row, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case 'lookup': {
      const target = (row[LOOKUP_TABLES] as Record<string, string> | undefined)?.[column.name] ?? column.lookupTargets?.[0]?.table ?? '';
      return entityReference(target, String(value));
    }
    case 'picklist': case 'state': case 'status':
      return { __type: `OptionSetValue:${CONTRACTS}`, Value: value };
    case 'money':
      return { __type: `Money:${CONTRACTS}`, Value: value };
    case 'datetime':
      return dotNetDate(String(value));
    default:
      return value;
  }
}

const SKIPPED = new Set(['versionnumber']);

function attributes(table: Table, row: Row, names?: Set<string>): Pair[] {
  const out: Pair[] = [];
  for (const column of table.columns.values()) {
    if (SKIPPED.has(column.name) || column.kind === 'file' || column.kind === 'image') continue;
    const name = attributeName(column.name);
    if (names ? !names.has(name) : row[column.name] === null || row[column.name] === undefined) continue;
    out.push({ key: name, value: attributeValue(column, row, row[column.name]) });
  }
  return out;
}

function entity(table: Table, id: string, attrs: Pair[], withType: boolean): Record<string, unknown> {
  const e: Record<string, unknown> = withType ? { __type: `Entity:${CONTRACTS}` } : {};
  return Object.assign(e, {
    Attributes: attrs, EntityState: null, FormattedValues: [], Id: id, KeyAttributes: [], LogicalName: table.logicalName,
    RelatedEntities: [], RowVersion: null,
  });
}

/** Target of Create: every set column; of Update: the columns sent plus what the platform set on the way. */
function target(table: Table, change: RowChange): unknown {
  if (change.message === 'Delete') return entityReference(change.table, change.id);
  const row = change.post!;
  if (change.message === 'Create') return entity(table, change.id, attributes(table, row), true);
  const names = new Set(change.changed.map(attributeName));
  names.add(table.primaryId);
  for (const system of ['modifiedon', 'modifiedby', 'modifiedonbehalfby']) names.add(system);
  if (names.has('firstname') || names.has('lastname')) names.add('fullname');
  return entity(table, change.id, attributes(table, row, new Set([...names].filter((n) => table.columns.has(n) || table.columns.has(`_${n}_value`)))), true);
}

function images(table: Table, change: RowChange, regs: ImageRegistration[], kind: 'pre' | 'post'): Pair[] {
  const row = kind === 'pre' ? change.pre : change.post;
  // No pre image on Create and no post image on Delete, whatever is registered.
  if (!row || (kind === 'pre' && change.message === 'Create') || (kind === 'post' && change.message === 'Delete')) return [];
  return regs
    .filter((i) => i.kind === kind)
    .map((i) => {
      const names = i.attributes.length ? new Set([...i.attributes, table.primaryId]) : undefined;
      return { key: i.alias, value: entity(table, change.id, attributes(table, row, names), false) };
    });
}

export interface ContextInput {
  service: DataverseService;
  change: RowChange;
  registration: Registration;
  correlationId: string;
  operationCreatedOn: Date;
}

export function buildExecutionContext(input: ContextInput): Record<string, unknown> {
  const { service, change, registration: reg } = input;
  const table = service.schema.table(change.table)!;
  const base = (stage: number, parent: unknown, withImages: boolean): Record<string, unknown> => ({
    BusinessUnitId: service.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: change.depth,
    InitiatingUserId: change.userId,
    InputParameters: [{ key: 'Target', value: target(table, change) }],
    IsExecutingOffline: false,
    IsInTransaction: reg.mode === 0 && stage !== 10 ? true : false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: change.message,
    Mode: reg.mode,
    OperationCreatedOn: dotNetDate(input.operationCreatedOn),
    OperationId: randomUUID(),
    OrganizationId: service.organizationId,
    OrganizationName: service.organizationName,
    OutputParameters: change.message === 'Create' && stage === 40 ? [{ key: 'id', value: change.id }] : [],
    OwningExtension: entityReference(reg.kind === 'step' ? 'sdkmessageprocessingstep' : 'callbackregistration', reg.id, false),
    ParentContext: parent,
    PostEntityImages: withImages && stage === 40 ? images(table, change, reg.images, 'post') : [],
    PreEntityImages: withImages ? images(table, change, reg.images, 'pre') : [],
    PrimaryEntityId: change.id,
    PrimaryEntityName: change.table,
    RequestId: reg.mode === 0 ? randomUUID() : null,
    SecondaryEntityName: 'none',
    SharedVariables: withImages ? [] : [{
      key: 'ChangedEntityTypes',
      value: [{ __type: 'KeyValuePairOfstringstring:#System.Collections.Generic', key: change.table, value: change.message }],
    }],
    Stage: stage,
    UserId: change.userId,
  });
  // The platform's own Stage 30 (main operation) context is the parent, as in the recorded payload.
  const parent = base(30, null, false);
  parent.OutputParameters = [];
  return base(reg.stage, parent, true);
}

/** Serializes, and above 256 KB drops ParentContext, InputParameters and the images (reference §12.4). */
export function serializeContext(context: Record<string, unknown>): { body: Buffer; sizeExceeded: boolean } {
  const body = Buffer.from(JSON.stringify(context), 'utf8');
  if (body.length <= MAX_MESSAGE_BYTES) return { body, sizeExceeded: false };
  const trimmed = { ...context };
  for (const key of ['ParentContext', 'InputParameters', 'PreEntityImages', 'PostEntityImages']) delete trimmed[key];
  return { body: Buffer.from(JSON.stringify(trimmed), 'utf8'), sizeExceeded: true };
}
