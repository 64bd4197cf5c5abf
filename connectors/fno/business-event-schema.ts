/**
 * x-ms-notification-content of the business event trigger: the envelope every business event carries (reference
 * finance-operations.md §6.3), flat JSON with the event's own contract fields at the same level, so the schema
 * stays open to them.
 */
import type { OpenAPIV2 } from 'openapi-types';

type Schema = OpenAPIV2.SchemaObject;

const field = (type: string, title: string, description: string, extra: Record<string, unknown> = {}): Schema =>
  ({ type, 'x-ms-summary': title, description, ...extra }) as Schema;

export function businessEventEnvelopeSchema(): Schema {
  return {
    type: 'object',
    description: "The business event: the envelope below plus the event's own contract fields at the same level (see the event's schema in the catalog).",
    additionalProperties: true,
    properties: {
      BusinessEventId: field('string', 'Business event ID', 'The class name of the event, for example SalesOrderInvoicedBusinessEvent.'),
      BusinessEventLegalEntity: field('string', 'Legal entity', 'The dataAreaId of the legal entity the event happened in.'),
      ContextRecordSubject: field('string', 'Context record subject', 'The subject record of the event, often empty.'),
      ControlNumber: field('integer', 'Control number', 'Increasing number of the event (it can have gaps): use it to order events and, with the event id and legal entity, to skip duplicates.', { format: 'int64' }),
      EventId: field('string', 'Event ID', 'Unique id of this event (an upper-case GUID without braces).'),
      EventTime: field('string', 'Event time (WCF)', 'When the event happened, as /Date(<epoch milliseconds>)/.'),
      EventTimeIso8601: field('string', 'Event time', 'When the event happened, in ISO 8601 (UTC).', { format: 'date-time' }),
      InitiatingUserAADObjectId: field('string', 'Initiating user', 'The Microsoft Entra object id of the user who caused the event, a GUID in braces.'),
      MajorVersion: field('integer', 'Major version', 'Major version of the event contract.', { format: 'int32' }),
      MinorVersion: field('integer', 'Minor version', 'Minor version of the event contract.', { format: 'int32' }),
      ParentContextRecordSubjects: field('array', 'Parent context record subjects', 'Subjects of the parent records, usually empty.', { items: { type: 'string' }, 'x-nullable': true }),
    },
  };
}
