/**
 * What a version 3 callback registration ("When an action is performed") receives when its action runs.
 *
 * `row` style (the default, what a generated connector's trigger declares): a flattened action event. Microsoft
 * does not publish the body its trigger receives, so this shape is inferred from the RemoteExecutionContext fields
 * that describe an action (reference §12.4) with the collections turned into plain JSON objects, as the row
 * callbacks flatten a row:
 *   { MessageName, PrimaryEntityName ('none' when unbound), PrimaryEntityId (null when not on one row),
 *     InputParameters: { name: value }, OutputParameters: { name: value },
 *     UserId, OrganizationId, CorrelationId, RequestId, OperationCreatedOn (ISO 8601) }
 * Entity parameters keep their columns as the Web API request sent them, with `@odata.type` written
 * `#Microsoft.Dynamics.CRM.<table>` like the row payload; other OData annotations are dropped.
 *
 * `context` style: a RemoteExecutionContext like a webhook step gets (execution-context.ts conventions: key/value
 * arrays, `__type`, `/Date(ms)/`); a bound action's row is the `Target` EntityReference, as in SDK messages.
 */
import { randomUUID } from 'node:crypto';
import type { DataverseService } from '../dataverse/context';
import { CONTRACTS, dotNetDate, entityReference, type Pair } from './execution-context';
import type { ActionPerformed, Registration } from './types';

const NAMESPACE = /^#?(Microsoft\.Dynamics\.CRM|mscrm)\./;
const EMPTY_ID = '00000000-0000-0000-0000-000000000000';

export interface ActionDelivery {
  service: DataverseService;
  event: ActionPerformed;
  registration: Registration;
  correlationId: string;
  operationCreatedOn: Date;
}

/** The logical name of an entity-typed parameter value ({"@odata.type": "Microsoft.Dynamics.CRM.account", …}). */
function entityName(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const type = (value as Record<string, unknown>)['@odata.type'];
  return typeof type === 'string' && NAMESPACE.test(type) ? type.replace(NAMESPACE, '') : undefined;
}

function columnsOf(value: Record<string, unknown>): [string, unknown][] {
  return Object.entries(value).filter(([key]) => !key.includes('@'));
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  const table = entityName(value);
  if (!table) return value;
  const out: Record<string, unknown> = { '@odata.type': `#Microsoft.Dynamics.CRM.${table}` };
  for (const [key, column] of columnsOf(value as Record<string, unknown>)) out[key] = plainValue(column);
  return out;
}

function plainObject(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, plainValue(value)]));
}

export function buildActionPayload(input: ActionDelivery): Record<string, unknown> {
  const { service, event } = input;
  return {
    MessageName: event.action,
    PrimaryEntityName: event.table ?? 'none',
    PrimaryEntityId: event.id ?? null,
    InputParameters: plainObject(event.input),
    OutputParameters: plainObject(event.output),
    UserId: event.userId,
    OrganizationId: service.organizationId,
    CorrelationId: input.correlationId,
    RequestId: randomUUID(),
    OperationCreatedOn: input.operationCreatedOn.toISOString(),
  };
}

/** An entity parameter: a reference when only its key was sent, else an Entity with the columns sent. */
function contextEntity(service: DataverseService, table: string, value: Record<string, unknown>): Record<string, unknown> {
  const primaryId = service.schema.table(table)?.primaryId ?? `${table}id`;
  const columns = columnsOf(value);
  const id = typeof value[primaryId] === 'string' ? (value[primaryId] as string) : EMPTY_ID;
  if (columns.length === 1 && columns[0][0] === primaryId) return entityReference(table, id);
  return {
    __type: `Entity:${CONTRACTS}`,
    Attributes: columns.map(([key, column]) => ({ key, value: contextValue(service, column, undefined) })),
    EntityState: null, FormattedValues: [], Id: id, KeyAttributes: [], LogicalName: table, RelatedEntities: [], RowVersion: null,
  };
}

function contextValue(service: DataverseService, value: unknown, type: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => contextValue(service, v, type));
  const table = entityName(value);
  if (table) return contextEntity(service, table, value as Record<string, unknown>);
  if ((type === 'Edm.DateTimeOffset' || type === 'Edm.Date') && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return dotNetDate(value);
  return value;
}

function pairs(service: DataverseService, values: Record<string, unknown>, types: Record<string, string>): Pair[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: contextValue(service, value, types[key]) }));
}

export function buildActionContext(input: ActionDelivery): Record<string, unknown> {
  const { service, event, registration: reg } = input;
  const target: Pair[] = event.table && event.id ? [{ key: 'Target', value: entityReference(event.table, event.id) }] : [];
  return {
    BusinessUnitId: service.businessUnitId,
    CorrelationId: input.correlationId,
    Depth: event.depth,
    InitiatingUserId: event.userId,
    InputParameters: [...target, ...pairs(service, event.input, event.parameterTypes)],
    IsExecutingOffline: false,
    IsInTransaction: reg.mode === 0 && reg.stage !== 10,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: event.action,
    Mode: reg.mode,
    OperationCreatedOn: dotNetDate(input.operationCreatedOn),
    OperationId: randomUUID(),
    OrganizationId: service.organizationId,
    OrganizationName: service.organizationName,
    OutputParameters: pairs(service, event.output, {}),
    OwningExtension: entityReference(reg.kind === 'step' ? 'sdkmessageprocessingstep' : 'callbackregistration', reg.id, false),
    ParentContext: null,
    PostEntityImages: [],
    PreEntityImages: [],
    PrimaryEntityId: event.id ?? EMPTY_ID,
    PrimaryEntityName: event.table ?? 'none',
    RequestId: reg.mode === 0 ? randomUUID() : null,
    SecondaryEntityName: 'none',
    SharedVariables: [],
    Stage: reg.stage,
    UserId: event.userId,
  };
}
